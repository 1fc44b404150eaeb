/**
 * The differential oracle every engine test goes through: run a block with the
 * sequential executor once, then with the parallel executor at each requested
 * worker count, and require the parallel results to be identical to the
 * sequential ones as plugin/engine/compare.ts defines it: every receipt
 * field, block gas, bloom, receipts root, requests hash, the post-state diff
 * and the state root. Block-STM promises exactly this whatever the worker
 * count or the timing, so any difference is an engine bug.
 *
 * The parallel executors are configured so the parallel path really runs:
 * `minTxsForParallel: 1` (no "small-block" fallback) and
 * `maxReexecutionRatio: 1000` (no "runaway-reexecution" fallback); the helper
 * also asserts that no fallback happened, since a fallback runs the sequential
 * executor and would make the comparison vacuous. They run in assert mode
 * (`assertCommits`): a tx that commits without re-validation must still be
 * valid, or the run throws. The per-tx `executedBy` record must agree with
 * the per-thread counts, so tests can rely on it to show which threads ran.
 */
import { expect } from "chai";

import type { BlockResult } from "../../plugin/engine/block-result";
import { firstDifference } from "../../plugin/engine/compare";
import type { FlatState } from "../../plugin/engine/flat-state";
import { ParallelExecutor } from "../../plugin/engine/parallel";
import type { ParallelBlockInput, ParallelOptions } from "../../plugin/engine/parallel";
import { executeBlockSequential } from "../../plugin/engine/sequential";
import type { BlockStats, FallbackReason } from "../../plugin/engine/types";

/** Options that keep the parallel executor on its parallel path for any block. */
export const ORACLE_EXECUTOR_OPTIONS = { minTxsForParallel: 1, maxReexecutionRatio: 1000, assertCommits: true } as const satisfies ParallelOptions;

/** Default upper bound of the random delay injected before each execution when jitter is on. */
export const DEFAULT_JITTER_MAX_MICROS = 500;

export interface OracleOptions {
  /** Worker counts to run the parallel executor with, e.g. [1, 2, 4]. */
  workers: number[];
  /**
   * Jitter seeds for executors the helper creates itself: one parallel run
   * per (worker count, seed), each with `jitter: [seed, jitterMaxMicros]`.
   * Default: one run without jitter. Ignored for worker counts served from
   * `executors`, whose jitter was fixed when they were built.
   */
  jitterSeeds?: number[];
  /** Upper bound of the injected delays, microseconds. Default DEFAULT_JITTER_MAX_MICROS. */
  jitterMaxMicros?: number;
  /**
   * Long-lived executors by worker count (see makeExecutors), reused and not
   * closed. Worker counts missing from the map get a fresh executor that is
   * closed after its run. Reusing executors skips worker start-up (loading
   * ts-node and @ethereumjs in every thread), which dominates small blocks;
   * a fresh executor's threads are usually not loaded yet when a small block
   * finishes, so prefer executors warmed with warmUpExecutors.
   */
  executors?: Map<number, ParallelExecutor>;
  /** Text prefixed to every failure message (e.g. the seed of a random block). */
  label?: string;
  /**
   * For fault and fallback tests: the fallback every parallel run must report
   * (its result must still equal the sequential one). Default: none, and the
   * parallel path must have run.
   */
  expectFallback?: FallbackReason;
  /**
   * With expectFallback: also accept a run that took the parallel path
   * without any fallback (for faults that only happen if a given thread is
   * handed a given tx). Default false.
   */
  fallbackOptional?: boolean;
}

export interface ParallelRun {
  workers: number;
  /** The jitter seed of the run, when the helper created the executor with one. */
  jitterSeed?: number;
  result: BlockResult;
}

export interface OracleResult {
  sequential: BlockResult;
  parallel: ParallelRun[];
}

/**
 * Runs `input` sequentially and in parallel and asserts the results are
 * identical. Returns every result for further, test-specific checks.
 */
export async function assertParallelMatchesSequential(input: ParallelBlockInput, opts: OracleOptions): Promise<OracleResult> {
  // The sequential executor ignores `senders`; it is only a scheduling hint.
  const sequential = await executeBlockSequential(input);
  const parallel: ParallelRun[] = [];
  for (const workers of opts.workers) {
    const shared = opts.executors?.get(workers);
    if (shared !== undefined) {
      const run: ParallelRun = { workers, result: await shared.executeBlock(input) };
      checkRun(sequential, run, opts, input.preState);
      parallel.push(run);
      continue;
    }
    for (const jitterSeed of opts.jitterSeeds ?? [undefined]) {
      const executor = new ParallelExecutor({
        workers,
        ...ORACLE_EXECUTOR_OPTIONS,
        jitter: jitterSeed === undefined ? undefined : [jitterSeed, opts.jitterMaxMicros ?? DEFAULT_JITTER_MAX_MICROS],
      });
      try {
        const run: ParallelRun = { workers, jitterSeed, result: await executor.executeBlock(input) };
        checkRun(sequential, run, opts, input.preState);
        parallel.push(run);
      } finally {
        await executor.close();
      }
    }
  }
  return { sequential, parallel };
}

/** Long-lived oracle executors, one per worker count, for mocha before() hooks. */
export function makeExecutors(counts: number[], extra: Pick<ParallelOptions, "jitter" | "coordinatorOnly"> = {}): Map<number, ParallelExecutor> {
  const map = new Map<number, ParallelExecutor>();
  for (const workers of counts) map.set(workers, new ParallelExecutor({ workers, ...ORACLE_EXECUTOR_OPTIONS, ...extra }));
  return map;
}

/**
 * Waits until the executors' worker threads take part in execution. A new
 * pool's threads need a second or two to load (ts-node and @ethereumjs, on
 * every thread); until then the calling thread executes the whole block
 * alone, so a differential run proves nothing about concurrency. Runs
 * `input` (which should be contentious) through each executor with more than
 * one worker until a run reports an abort or an estimate hit, which only
 * concurrent execution produces, and every worker thread has executed an
 * incarnation (stats.executedBy), or until `timeoutMs` has passed. Returns
 * the worker counts that never showed both.
 */
export async function warmUpExecutors(map: Map<number, ParallelExecutor>, input: ParallelBlockInput, timeoutMs = 15_000): Promise<number[]> {
  const cold: number[] = [];
  const deadline = Date.now() + timeoutMs;
  for (const [workers, executor] of map) {
    if (workers < 2 && !executor.coordinatorOnly) continue;
    const threadsSeen = new Set<number>();
    for (;;) {
      const { stats } = await executor.executeBlock(input);
      const threads = stats.executedBy ?? [];
      threads.forEach((n, i) => i > 0 && n > 0 && threadsSeen.add(i));
      if ((stats.aborts + stats.blocked > 0 || workers < 2) && threadsSeen.size === threads.length - 1) break;
      if (Date.now() > deadline) {
        cold.push(workers);
        break;
      }
    }
  }
  return cold;
}

/** Closes what makeExecutors created (for mocha after() hooks); tolerates undefined. */
export async function closeExecutors(map: Map<number, ParallelExecutor> | undefined): Promise<void> {
  if (map === undefined) return;
  await Promise.all([...map.values()].map((e) => e.close()));
  map.clear();
}

// ---- comparison -------------------------------------------------------------

function checkRun(sequential: BlockResult, run: ParallelRun, opts: OracleOptions, preState: FlatState): void {
  const jitter = run.jitterSeed === undefined ? "" : `, jitter seed ${run.jitterSeed}`;
  const where = `${opts.label === undefined ? "" : opts.label + ": "}parallel (workers=${run.workers}${jitter})`;
  const p = run.result;
  const events = p.stats.events.join("; ");

  if (opts.expectFallback === undefined || (opts.fallbackOptional === true && p.stats.fallbackReason === undefined)) {
    // A fallback runs the sequential executor: the comparison below would prove nothing.
    expect(p.stats.mode, `${where}: stats.mode (fallbackReason ${p.stats.fallbackReason}, events: ${events})`).to.equal("parallel");
    expect(p.stats.fallbackReason, `${where}: unexpected fallback (events: ${events})`).to.equal(undefined);
  } else {
    expect(p.stats.fallbackReason, `${where}: fallbackReason (events: ${events})`).to.equal(opts.expectFallback);
    // Runaway re-execution keeps the committed prefix and finishes in order on the parallel engine.
    const mode = opts.expectFallback === "runaway-reexecution" ? "parallel" : "sequential";
    expect(p.stats.mode, `${where}: mode after fallback ${opts.expectFallback}`).to.equal(mode);
  }

  if (p.stats.mode === "parallel") checkExecutedBy(p.stats, where);

  // The one definition of identical (engine/compare.ts); the state root is compared last.
  const d = firstDifference(p, sequential, { preState });
  if (d !== undefined) expect.fail(`${where}: ${d.txIndex === undefined ? "" : `receipt of tx ${d.txIndex}: `}${d.description}`);
}

/** Which thread ran each incarnation (per tx) must add up to each thread's count and to the incarnations. */
function checkExecutedBy(stats: BlockStats, where: string): void {
  const perThread = stats.executedBy;
  expect(perThread, `${where}: stats.executedBy`).to.not.equal(undefined);
  const tally = new Array<number>(perThread!.length).fill(0);
  let incarnations = 0;
  stats.txs.forEach((t, tx) => {
    const by = t.executedBy ?? [];
    expect(by.length, `${where}: tx ${tx} executedBy (${by.join(",")}) against its ${t.incarnations} incarnations`).to.equal(t.incarnations);
    for (const thread of by) tally[thread]++;
    incarnations += t.incarnations;
  });
  expect(tally, `${where}: per-tx executedBy tallied by thread`).to.deep.equal(perThread);
  expect(incarnations).to.equal(stats.txs.length + stats.reexecutions);
}

/**
 * Replays recorded blocks sequentially and in parallel, times both, and
 * checks the results: the sequential result against the real header
 * (receipts root, gas used, bloom), and every parallel result against the
 * sequential one (engine/compare.ts: receipts, block fields, the state diff).
 *
 * A plain function over loaded blocks, so tests call it without Hardhat;
 * `tasks/replay.ts` only parses arguments and renders the rows.
 *
 * Timing follows docs/metrics.md ("speedup"): the project's own sequential
 * executor against the parallel one, same process, one warm-up run each, then
 * the median of `repeats` timed runs. The warm-up also leaves the workers
 * holding the block's pre-state, as they would when a node executes block
 * after block on one state; loading the replica is not timed.
 */
import os from "node:os";
import { performance } from "node:perf_hooks";

import { bytesToHex } from "@ethereumjs/util";

import type { BlockResult } from "../engine/block-result";
import { idealSpeedup } from "../analysis/ideal";
import type { IdealSpeedup } from "../analysis/ideal";
import { firstDifference } from "../engine/compare";
import { ParallelExecutor } from "../engine/parallel";
import { executeBlockSequential } from "../engine/sequential";
import { median } from "../bench/median";
import { headerMismatches } from "../fixtures/blockchain-tests";
import type { LoadedBlock } from "../fixtures/mainnet-blocks";

/** One block at one worker count. */
export interface ReplayRow {
  block: number;
  txs: number;
  /** Gas used by the block (header value). */
  gas: number;
  workers: number;
  /** Median wall time of the sequential executor, ms (same for every row of a block). */
  sequentialMs: number;
  sequentialMinMs: number;
  sequentialMaxMs: number;
  /** Median wall time of the parallel executor at `workers`, ms. */
  parallelMs: number;
  parallelMinMs: number;
  parallelMaxMs: number;
  /** sequentialMs / parallelMs (below 1 is a slowdown). */
  speedup: number;
  /** Incarnations beyond the first, summed over the block's txs (median over the timed runs). */
  reexecutions: number;
  /** reexecutions divided by txs. */
  reexecutionsPerTx: number;
  /**
   * Ideal speedup at `workers` (docs/metrics.md): the sequential run's total
   * transaction time over its heaviest dependency chain (from the read sets),
   * capped by `workers`. Absent when the sequential run failed.
   */
  idealSpeedup?: number;
  /** speedup / idealSpeedup: the share of the achievable gain the executor got. */
  efficiency?: number;
  /** Why the parallel executor ran the block sequentially, if it did in any run. */
  fallback?: string;
  /** The header matched and every parallel run equalled the sequential result. */
  verified: boolean;
  /** The first difference found, when not verified. */
  mismatch?: string;
}

export type ReplayProgress =
  | { kind: "block"; index: number; total: number; block: number; txs: number; gas: number }
  | { kind: "sequential"; block: number; medianMs: number; mismatch?: string }
  | { kind: "parallel"; block: number; workers: number; medianMs: number; speedup: number; verified: boolean; mismatch?: string };

export interface ReplayOptions {
  /** Worker counts to measure, one ParallelExecutor each (reused across blocks). */
  workers: number[];
  /** Timed runs per executor and block, after one warm-up run. Default 3. */
  repeats?: number;
  /** Called as each step finishes (for progress output). */
  onProgress?: (p: ReplayProgress) => void;
  /** Passed to the parallel executors (tests use it to shake the schedule). Default none. */
  jitter?: [number, number];
  /** Passed to the parallel executors; default: the executor's own default (what a user gets). */
  maxReexecutionRatio?: number;
}

export async function replayBlocks(blocks: LoadedBlock[], opts: ReplayOptions): Promise<ReplayRow[]> {
  const repeats = opts.repeats ?? 3;
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`replayBlocks: repeats must be a positive integer, got ${repeats}`);
  if (opts.workers.length === 0 || opts.workers.some((w) => !Number.isInteger(w) || w < 1)) {
    throw new Error(`replayBlocks: workers must be positive integers, got ${opts.workers.join(",")}`);
  }
  // One executor per worker count, reused across blocks. Each is created
  // when first used: its threads start (and, from TypeScript sources, compile
  // the engine) during that block's warm-up run instead of eating the cores
  // while an earlier measurement is being timed.
  const executors = new Map<number, ParallelExecutor>();
  const executorFor = (workers: number): ParallelExecutor => {
    let e = executors.get(workers);
    if (e === undefined) {
      e = new ParallelExecutor({
        workers,
        // Every recorded block runs in parallel, however small.
        minTxsForParallel: 1,
        maxReexecutionRatio: opts.maxReexecutionRatio,
        jitter: opts.jitter,
      });
      executors.set(workers, e);
    }
    return e;
  };
  const rows: ReplayRow[] = [];
  try {
    for (let i = 0; i < blocks.length; i++) {
      const b = blocks[i];
      const number = Number(b.number);
      const txs = b.block.transactions.length;
      const gas = Number(b.block.header.gasUsed);
      opts.onProgress?.({ kind: "block", index: i, total: blocks.length, block: number, txs, gas });

      const input = { block: b.block, preState: b.preState, blockHashes: b.blockHashes, computeStateRoot: false };
      // Runs interleave (sequential, then each worker count, per repeat) so
      // that GC and JIT drift over time hit every configuration alike.
      const timings = await timedInterleaved(repeats, [
        () => executeOrThrown(() => executeBlockSequential(input)),
        ...opts.workers.map((w) => () => executeOrThrown(() => executorFor(w).executeBlock({ ...input, senders: b.senders }))),
      ]);
      const seq = timings[0];
      const reference = seq.results[0];
      let seqMismatch: string | undefined;
      if (reference instanceof Error) seqMismatch = `sequential execution threw: ${reference.message}`;
      else {
        const header = headerMismatches(b.block, reference);
        if (header.length > 0) seqMismatch = `sequential result differs from the header: ${header.join("; ")}`;
        // The sequential executor is deterministic; a run that differs from the first is a bug too.
        for (const r of seq.results.slice(1)) seqMismatch ??= r instanceof Error ? `sequential execution threw: ${r.message}` : mismatchOf(b, reference, r, "sequential rerun");
      }
      opts.onProgress?.({ kind: "sequential", block: number, medianMs: seq.median, mismatch: seqMismatch });
      const ideal = idealOf(seq.results);

      for (const [j, w] of opts.workers.entries()) {
        const par = timings[j + 1];
        let mismatch = seqMismatch;
        const fallbacks = new Set<string>();
        const reexec: number[] = [];
        const reexecCounts: number[] = [];
        for (const r of par.results) {
          if (r instanceof Error) {
            mismatch ??= `parallel execution (${w} workers) threw: ${r.message}`;
            continue;
          }
          if (r.stats.fallbackReason !== undefined) fallbacks.add(r.stats.fallbackReason);
          reexec.push(txs === 0 ? 0 : r.stats.reexecutions / txs);
          reexecCounts.push(r.stats.reexecutions);
          if (mismatch !== undefined) continue;
          const header = headerMismatches(b.block, r);
          if (header.length > 0) mismatch = `parallel result (${w} workers) differs from the header: ${header.join("; ")}`;
          else if (!(reference instanceof Error)) mismatch = mismatchOf(b, reference, r, `parallel (${w} workers)`);
        }
        const speedup = seq.median / par.median;
        const row: ReplayRow = {
          block: number,
          txs,
          gas,
          workers: w,
          sequentialMs: round(seq.median),
          sequentialMinMs: round(seq.min),
          sequentialMaxMs: round(seq.max),
          parallelMs: round(par.median),
          parallelMinMs: round(par.min),
          parallelMaxMs: round(par.max),
          speedup: Math.round(speedup * 1000) / 1000,
          reexecutions: median(reexecCounts.length > 0 ? reexecCounts : [0]),
          reexecutionsPerTx: Math.round(median(reexec.length > 0 ? reexec : [0]) * 1000) / 1000,
          verified: mismatch === undefined,
        };
        if (ideal !== undefined) {
          const capped = ideal.capped(w);
          row.idealSpeedup = Math.round(capped * 1000) / 1000;
          row.efficiency = Math.round((speedup / capped) * 1000) / 1000;
        }
        if (fallbacks.size > 0) row.fallback = [...fallbacks].join(",");
        if (mismatch !== undefined) row.mismatch = mismatch;
        rows.push(row);
        opts.onProgress?.({ kind: "parallel", block: number, workers: w, medianMs: par.median, speedup, verified: row.verified, mismatch });
      }
    }
  } finally {
    await Promise.all([...executors.values()].map((e) => e.close()));
  }
  return rows;
}

/**
 * The block's ideal speedup from the sequential runs: dependencies from the
 * read sets (identical in every run), work per tx the median of its time
 * over the timed runs (the warm-up run, first, is left out when there are
 * others: it pays for compilation).
 */
function idealOf(results: (BlockResult | Error)[]): IdealSpeedup | undefined {
  const ok = results.filter((r): r is BlockResult => !(r instanceof Error));
  if (ok.length === 0 || ok.length !== results.length) return undefined;
  const timed = ok.length > 1 ? ok.slice(1) : ok;
  const work = ok[0].stats.txs.map((_, i) => median(timed.map((r) => r.stats.txs[i].micros)));
  return idealSpeedup(ok[0].reads, work);
}

// ---------------------------------------------------------------------------
// The oracle: parallel equals sequential (engine/compare.ts)

/** The first way `actual` differs from `expected` (a sequential result) as one line, or undefined when identical. */
function mismatchOf(loaded: Pick<LoadedBlock, "block" | "preState">, expected: BlockResult, actual: BlockResult, label: string): string | undefined {
  const d = firstDifference(actual, expected, { labels: { actual: label, expected: "sequential" }, preState: loaded.preState });
  if (d === undefined) return undefined;
  return d.txIndex === undefined ? d.description : `tx ${d.txIndex} (${bytesToHex(loaded.block.transactions[d.txIndex].hash())}): ${d.description}`;
}

// ---------------------------------------------------------------------------
// Timing

/** Errors are results here: one block that throws must not stop the replay of the others. */
async function executeOrThrown(run: () => Promise<BlockResult>): Promise<BlockResult | Error> {
  try {
    return await run();
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

interface Timing<T> {
  results: T[];
  median: number;
  min: number;
  max: number;
}

/** One warm-up run of each runner (kept for verification), then `repeats` rounds running each in turn. */
async function timedInterleaved<T>(repeats: number, runners: (() => Promise<T>)[]): Promise<Timing<T>[]> {
  const results: T[][] = [];
  for (const run of runners) results.push([await run()]);
  const times: number[][] = runners.map(() => []);
  for (let k = 0; k < repeats; k++) {
    for (const [i, run] of runners.entries()) {
      const t = performance.now();
      results[i].push(await run());
      times[i].push(performance.now() - t);
    }
  }
  return runners.map((_, i) => ({ results: results[i], median: median(times[i]), min: Math.min(...times[i]), max: Math.max(...times[i]) }));
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

// ---------------------------------------------------------------------------
// Renderers: the JSON report (versioned) and the terminal table.

/** 2: rows gained reexecutions, idealSpeedup and efficiency; the report gained failures. */
export const REPLAY_SCHEMA_VERSION = 2;

/** A block that was not replayed because it could not be loaded. */
export interface ReplayFailure {
  source: string;
  reason: string;
}

export interface ReplayReport {
  schemaVersion: typeof REPLAY_SCHEMA_VERSION;
  machine: { cores: number; node: string; platform: string; arch: string; cpu: string };
  method: { speedup: string; ideal: string; repeats: number; warmup: number };
  rows: ReplayRow[];
  /** Blocks that could not be loaded (not in rows). */
  failures: ReplayFailure[];
}

export function replayReport(rows: ReplayRow[], repeats: number, failures: ReplayFailure[] = []): ReplayReport {
  return {
    schemaVersion: REPLAY_SCHEMA_VERSION,
    machine: { cores: os.availableParallelism(), node: process.version, platform: process.platform, arch: process.arch, cpu: os.cpus()[0]?.model ?? "unknown" },
    method: {
      speedup: "median wall time of the project's sequential executor divided by median wall time of the parallel executor, same process, one warm-up run each, no state root (partial pre-state)",
      ideal: "sum of the per-tx sequential execution times (median over the timed runs) divided by the heaviest chain of read-after-write dependencies between the block's txs, capped by the worker count",
      repeats,
      warmup: 1,
    },
    rows,
    failures,
  };
}

/** What each column of formatReplayTable means (printed under it; the task's --help and the README say the same). */
export const REPLAY_COLUMNS: [string, string][] = [
  ["block, txs, Mgas", "block number, transactions, gas used in millions (header value)"],
  ["seq ms / par ms", "median [min-max] wall time of the sequential / parallel executor over the timed runs"],
  ["w", "worker threads of the parallel executor (the calling thread is one of them)"],
  ["speedup", "seq median / par median; below 1.00x is a slowdown"],
  ["ideal", "total tx time / heaviest dependency chain (read sets of the sequential run), capped by w"],
  ["eff", "speedup / ideal: the share of the achievable gain the executor reached"],
  ["re-exec", "re-executions per tx: incarnations beyond the first / txs (median run)"],
  ["fallback", "why a run fell back to sequential: small-block, nonce-chain, runaway-reexecution, worker-failure"],
  ["ok", "the sequential result matches the header and every parallel run equals it"],
];

/**
 * One line per block and worker count (the block's own columns on its first
 * line only), then a total per worker count: medians summed over the
 * blocks, so big blocks weigh more. Fits in 120 columns (times from 10 s
 * on are printed in whole seconds).
 */
export function formatReplayTable(rows: ReplayRow[]): string {
  const blocks = [...new Set(rows.map((r) => r.block))];
  const workers = [...new Set(rows.map((r) => r.workers))];
  const ms = (median: number, min: number, max: number) => `${fmt(median)} [${fmt(min)}-${fmt(max)}]`;
  const header = ["block", "txs", "Mgas", "seq ms", "w", "par ms", "speedup", "ideal", "eff", "re-exec", "fallback", "ok"];
  const left = new Set([0, 10]);
  const lines: string[][] = [];
  for (const block of blocks) {
    const own = rows.filter((r) => r.block === block);
    own.forEach((r, i) => {
      const first = i === 0;
      lines.push([
        first ? String(block) : "",
        first ? String(r.txs) : "",
        first ? (r.gas / 1e6).toFixed(2) : "",
        first ? ms(r.sequentialMs, r.sequentialMinMs, r.sequentialMaxMs) : "",
        String(r.workers),
        ms(r.parallelMs, r.parallelMinMs, r.parallelMaxMs),
        `${r.speedup.toFixed(2)}x`,
        r.idealSpeedup === undefined ? "-" : `${r.idealSpeedup.toFixed(2)}x`,
        r.efficiency === undefined ? "-" : `${Math.round(r.efficiency * 100)}%`,
        r.reexecutionsPerTx.toFixed(2),
        r.fallback ?? "-",
        r.verified ? "yes" : "NO",
      ]);
    });
  }
  const totals: string[][] = [];
  if (blocks.length > 1) {
    const firstOf = (b: number) => rows.find((r) => r.block === b)!;
    const seqTotal = blocks.reduce((s, b) => s + firstOf(b).sequentialMs, 0);
    workers.forEach((w, i) => {
      const of = rows.filter((r) => r.workers === w);
      const parTotal = of.reduce((s, r) => s + r.parallelMs, 0);
      totals.push([
        i === 0 ? "total" : "",
        i === 0 ? String(blocks.reduce((s, b) => s + firstOf(b).txs, 0)) : "",
        i === 0 ? (blocks.reduce((s, b) => s + firstOf(b).gas, 0) / 1e6).toFixed(2) : "",
        // Whole milliseconds: totals are where seconds would hide the difference.
        i === 0 ? seqTotal.toFixed(0) : "",
        String(w),
        parTotal.toFixed(0),
        `${(seqTotal / parTotal).toFixed(2)}x`,
        "",
        "",
        "",
        `${of.filter((r) => r.fallback !== undefined).length} of ${of.length} fell back`,
        of.every((r) => r.verified) ? "yes" : "NO",
      ]);
    });
  }
  const all = [header, ...lines, ...totals];
  const widths = header.map((_, c) => Math.max(...all.map((l) => l[c].length)));
  const render = (cells: string[]) => cells.map((v, c) => (left.has(c) ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join("  ").trimEnd();
  const rule = "-".repeat(widths.reduce((s, w) => s + w, 0) + 2 * (widths.length - 1));
  const out = [render(header), rule, ...lines.map(render)];
  if (totals.length > 0) out.push(rule, ...totals.map(render));
  return out.join("\n");
}

/** The column definitions, one per line, for the footer. */
export function formatReplayColumns(): string {
  const width = Math.max(...REPLAY_COLUMNS.map(([c]) => c.length));
  return REPLAY_COLUMNS.map(([c, d]) => `  ${c.padEnd(width)}  ${d}`).join("\n");
}

function fmt(ms: number): string {
  // Whole seconds from 10 s on: keeps the time columns within 4 characters a value.
  if (ms >= 10_000) return `${Math.round(ms / 1000)}s`;
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}

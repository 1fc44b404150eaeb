/**
 * Fuzzes the parallel executor against the sequential one (not in npm test or
 * CI: it runs for as long as it is given). Random blocks from the
 * differential test's generator (test/helpers/random-block.ts: a tiny key
 * space, so transactions conflict constantly) run sequentially and in
 * parallel at 1 to 8 workers, with random delays on every executing thread
 * and assert mode on (a tx that commits without re-validation must still be
 * valid); every other batch runs with a calling thread that only coordinates.
 * Any difference (plugin/engine/compare.ts), fallback or thrown error is a
 * mismatch, reported with the seed that rebuilds the block.
 *
 *   TS_NODE_TRANSPILE_ONLY=1 npx ts-node scripts/fuzz-engine.ts \
 *     [--blocks 10000] [--minutes 30] [--workers 1-8] [--from 100000] \
 *     [--batch 100] [--jitter 1000] [--json FILE]
 *
 * --blocks: how many blocks at most; --minutes: time budget (the run stops
 * at whichever comes first, after the block under way); --workers: a range
 * (1-8) or a list (1,2,4); --from: the first seed (block i uses seed from + i);
 * --batch: blocks per pool before moving to the next worker count (a pool
 * takes seconds to start); --jitter: the largest random delay before an
 * execution, microseconds. Exit code 0: no mismatch, 1: some, 2: bad arguments.
 */
import { writeFileSync } from "node:fs";
import os from "node:os";

import { firstDifference } from "../plugin/engine/compare";
import { ParallelExecutor } from "../plugin/engine/parallel";
import type { ParallelBlockInput } from "../plugin/engine/parallel";
import { executeBlockSequential } from "../plugin/engine/sequential";
import { randomBlock } from "../test/helpers/random-block";

interface Args {
  blocks: number;
  minutes: number;
  workers: number[];
  from: number;
  batch: number;
  jitter: number;
  json?: string;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Args {
  const args: Args = { blocks: 10_000, minutes: 30, workers: [1, 2, 3, 4, 5, 6, 7, 8], from: 100_000, batch: 100, jitter: 1000 };
  const count = (name: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < min) throw new UsageError(`--${name} needs an integer of at least ${min} (got ${v ?? "nothing"})`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, v] = [argv[i], argv[i + 1]];
    i++;
    switch (flag) {
      case "--blocks":
        args.blocks = count("blocks", v, 1);
        break;
      case "--minutes": {
        const m = Number(v);
        if (v === undefined || !(m > 0)) throw new UsageError(`--minutes needs a positive number (got ${v ?? "nothing"})`);
        args.minutes = m;
        break;
      }
      case "--workers": {
        const range = /^(\d+)-(\d+)$/.exec(v ?? "");
        const list = range !== null ? Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, k) => Number(range[1]) + k) : (v ?? "").split(",").map(Number);
        if (list.length === 0 || list.some((w) => !Number.isInteger(w) || w < 1 || w > 64)) throw new UsageError(`--workers needs a range such as 1-8 or a list such as 1,2,4 of counts from 1 to 64 (got ${v ?? "nothing"})`);
        args.workers = list;
        break;
      }
      case "--from":
        args.from = count("from", v, 0);
        break;
      case "--batch":
        args.batch = count("batch", v, 1);
        break;
      case "--jitter":
        args.jitter = count("jitter", v, 0);
        break;
      case "--json":
        if (v === undefined) throw new UsageError("--json needs a file name");
        args.json = v;
        break;
      default:
        throw new UsageError(`unknown argument ${flag} (see the comment at the top of scripts/fuzz-engine.ts)`);
    }
  }
  return args;
}

interface Mismatch {
  seed: number;
  workers: number;
  coordinatorOnly: boolean;
  hints: boolean;
  detail: string;
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`fuzz-engine: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const started = Date.now();
  const deadline = started + args.minutes * 60_000;
  const totals = { blocks: 0, txs: 0, incarnations: 0, reexecutions: 0, aborts: 0, blocked: 0, workerThreadIncarnations: 0, coordinatorOnlyBlocks: 0 };
  const perWorkers = new Map<number, number>();
  const mismatches: Mismatch[] = [];
  const sequentialErrors: Mismatch[] = [];
  console.log(
    `fuzz-engine: up to ${args.blocks} blocks or ${args.minutes} min, workers ${args.workers.join(",")}, seeds from ${args.from}, jitter up to ${args.jitter} us, ` +
      `${os.availableParallelism()} cores, Node ${process.version}`,
  );

  let batchIndex = 0;
  while (totals.blocks < args.blocks && Date.now() < deadline) {
    const workers = args.workers[batchIndex % args.workers.length];
    // Every other round through the worker counts: the calling thread only coordinates.
    const coordinatorOnly = Math.floor(batchIndex / args.workers.length) % 2 === 1;
    const executor = new ParallelExecutor({
      workers,
      coordinatorOnly,
      minTxsForParallel: 1,
      maxReexecutionRatio: 1000,
      assertCommits: true,
      jitter: [args.from + batchIndex * 7919, args.jitter],
    });
    try {
      for (let k = 0; k < args.batch && totals.blocks < args.blocks && Date.now() < deadline; k++) {
        const seed = args.from + totals.blocks;
        const hints = seed % 2 === 0;
        const { input, summary } = randomBlock(seed);
        const blockInput: ParallelBlockInput = hints ? input : { block: input.block, preState: input.preState };
        const report = (detail: string) => mismatches.push({ seed, workers, coordinatorOnly, hints, detail });
        try {
          let sequential;
          try {
            sequential = await executeBlockSequential(blockInput);
          } catch (e) {
            // Not a parallel mismatch: the block itself does not run (reported apart).
            sequentialErrors.push({ seed, workers, coordinatorOnly, hints, detail: (e as Error).message });
            console.log(`SEQUENTIAL FAILED seed ${seed}: ${(e as Error).message}`);
            totals.blocks++;
            continue;
          }
          const parallel = await executor.executeBlock(blockInput);
          const s = parallel.stats;
          if (s.mode !== "parallel" || s.fallbackReason !== undefined) report(`fell back: ${s.fallbackReason} (${s.events.join("; ")})`);
          const d = firstDifference(parallel, sequential, { preState: input.preState });
          if (d !== undefined) report(`${d.txIndex === undefined ? "" : `receipt of tx ${d.txIndex}: `}${d.description}`);
          totals.incarnations += summary.txs + s.reexecutions;
          totals.reexecutions += s.reexecutions;
          totals.aborts += s.aborts;
          totals.blocked += s.blocked;
          totals.workerThreadIncarnations += (s.executedBy ?? []).slice(1).reduce((a, b) => a + b, 0);
        } catch (e) {
          report(`threw ${(e as Error).stack ?? String(e)}`);
        }
        totals.blocks++;
        totals.txs += summary.txs;
        if (coordinatorOnly) totals.coordinatorOnlyBlocks++;
        perWorkers.set(workers, (perWorkers.get(workers) ?? 0) + 1);
        const last = mismatches[mismatches.length - 1];
        if (last?.seed === seed) console.log(`MISMATCH seed ${seed} @${workers}w${coordinatorOnly ? " coordinator only" : ""}${hints ? " hints" : ""}: ${last.detail}`);
      }
    } finally {
      await executor.close();
    }
    batchIndex++;
    const minutes = (Date.now() - started) / 60_000;
    console.log(`  ${totals.blocks} blocks, ${mismatches.length} mismatches, ${minutes.toFixed(1)} min (${(totals.blocks / minutes).toFixed(0)} blocks/min)`);
  }

  const minutes = (Date.now() - started) / 60_000;
  const summary = {
    blocks: totals.blocks,
    goal: args.blocks,
    minutes: Number(minutes.toFixed(1)),
    blocksPerMinute: Number((totals.blocks / minutes).toFixed(1)),
    seeds: [args.from, args.from + totals.blocks - 1],
    txs: totals.txs,
    incarnations: totals.incarnations,
    reexecutions: totals.reexecutions,
    aborts: totals.aborts,
    blocked: totals.blocked,
    workerThreadIncarnations: totals.workerThreadIncarnations,
    coordinatorOnlyBlocks: totals.coordinatorOnlyBlocks,
    blocksPerWorkerCount: Object.fromEntries([...perWorkers].sort((a, b) => a[0] - b[0])),
    jitterMaxMicros: args.jitter,
    mismatches,
    sequentialErrors,
  };
  console.log(
    `fuzz-engine: ${summary.blocks} of ${summary.goal} blocks (${summary.txs} txs, ${summary.incarnations} incarnations, ${summary.workerThreadIncarnations} on worker threads; ` +
      `${summary.reexecutions} re-executions, ${summary.aborts} aborts, ${summary.blocked} blocked) in ${summary.minutes} min, ` +
      `${summary.blocksPerMinute} blocks/min; per worker count ${JSON.stringify(summary.blocksPerWorkerCount)}, ${summary.coordinatorOnlyBlocks} with a calling thread that only coordinates: ` +
      `${mismatches.length} mismatches; ${sequentialErrors.length} blocks the sequential executor refused`,
  );
  if (args.json !== undefined) writeFileSync(args.json, JSON.stringify(summary, null, 2) + "\n");
  return mismatches.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(2);
  },
);

/**
 * The benchmark behind `npx hardhat parallel-bench`: for each workload, the
 * stock baseline (runBlock + MerkleStateManager), the project's sequential
 * executor and the parallel executor per worker count, all on the same block
 * in the same process, each run verified against the sequential result.
 * Ratios follow metrics.md: speedup is end to end (execution, system phases,
 * receipts and state root), executionSpeedup is transaction execution alone.
 */
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import os from "node:os";

import { dependencyOf } from "../analysis/dependencies";
import { idealSpeedup } from "../analysis/ideal";
import { simulateBlockStm } from "../analysis/simulate";
import type { SimulatedRun } from "../analysis/simulate";
import type { BlockResult } from "../engine/block-result";
import { firstDifference } from "../engine/compare";
import { ParallelExecutor } from "../engine/parallel";
import type { ParallelOptions } from "../engine/parallel";
import { executeBlockSequential } from "../engine/sequential";
import type { ParallelBlockInput } from "../engine/parallel";
import { erc20TransferBlock } from "../workloads/erc20";
import { PRESET_NAMES, generateWorkload, prepareWorkloadOnEngine } from "../workloads";
import type { ArtifactReader } from "../workloads";
import { runStockBaseline } from "./stock-baseline";

/**
 * Untimed runs before measuring. Worker threads start cold (module loading,
 * then JIT): in a long-running node they are warm, and that is what the
 * ratios should describe.
 */
const WARMUP_RUNS = 3;

/** Flat-state ERC-20 blocks (no setup blocks): the engine's reference workloads. */
export const ERC20_WORKLOADS = ["erc20-independent", "erc20-one-recipient"] as const;
export const BENCH_WORKLOADS = [...ERC20_WORKLOADS, ...PRESET_NAMES] as const;
export type BenchWorkload = (typeof BENCH_WORKLOADS)[number];
/** What `--workload` runs when not given: the two ERC-20 extremes and the mainnet-like DeFi mix. */
export const DEFAULT_BENCH_WORKLOADS: BenchWorkload[] = ["erc20-independent", "erc20-one-recipient", "mixed"];

/**
 * Block size when --txs is not given. A DeFi transaction runs 10 to 30 times
 * longer than an ERC-20 transfer in @ethereumjs's interpreter (a router swap
 * executes thousands of opcodes), so DeFi blocks default to fewer of them.
 */
export const DEFAULT_TXS = { erc20: 2000, preset: 500 } as const;

export function defaultTxs(workload: BenchWorkload): number {
  return (ERC20_WORKLOADS as readonly string[]).includes(workload) ? DEFAULT_TXS.erc20 : DEFAULT_TXS.preset;
}

export interface BenchOptions {
  /** Transactions per block; per workload kind when absent (DEFAULT_TXS). */
  txs?: number;
  accounts: number;
  workers: number[];
  repeats: number;
  workloads: BenchWorkload[];
  /** Compiled bundled contracts (Hardhat's artifacts.readArtifactSync). */
  artifacts: ArtifactReader;
  /** Skip the (slow) stock baseline. */
  skipStock?: boolean;
  /** Executor options from the user's `parallel` config (worker count and minTxsForParallel are set here). */
  executorOptions?: Pick<ParallelOptions, "maxReexecutionRatio" | "onWorkerFailure">;
  onProgress?: (message: string) => void;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface BenchRow {
  workload: string;
  txs: number;
  gas: string;
  workers: number;
  sequentialMs: Spread;
  parallelMs: Spread;
  sequentialExecutionMs: number;
  parallelExecutionMs: number;
  sequentialStateRootMs: number;
  parallelStateRootMs: number;
  /** Sequential wall / parallel wall (medians). */
  speedup: number;
  /** Sequential execution / parallel execution (medians). */
  executionSpeedup: number;
  /** Ideal speedup at this worker count from the dependency graph, work = measured tx time. */
  ideal: number;
  reexecutionsPerTx: number;
  mode: string;
  fallbackReason?: string;
  verified: boolean;
}

export interface BaselineRow {
  workload: string;
  txs: number;
  stockMs: number;
  sequentialMs: number;
  /** Stock wall / sequential wall, end to end. */
  speedupVsStock: number;
  verified: boolean;
}

/** Worker counts the scheduler model is run at, beyond what this machine has. */
export const SIMULATED_WORKERS = [1, 2, 4, 8, 16, 32, 64] as const;

export interface ScalingRow {
  workload: string;
  txs: number;
  /** Model inputs taken from this run: calling-thread time per finished incarnation, and time outside execution. */
  coordinatorMicrosPerIncarnation: number;
  serialMs: number;
  /** Measured speedups at the worker counts run here, to compare with the model's. */
  measured: { workers: number; speedup: number; executionSpeedup: number }[];
  simulated: SimulatedRun[];
  /** The same model with a calling thread that only coordinates (workers - 1 threads execute): the alternative for many cores. */
  simulatedCoordinatorOnly: SimulatedRun[];
}

export interface BenchReport {
  schemaVersion: 1;
  machine: { cores: number; node: string; platform: string };
  method: string;
  rows: BenchRow[];
  baselines: BaselineRow[];
  /** Simulated speedup at 1 to 64 workers (analysis/simulate.ts), per workload. */
  scaling: ScalingRow[];
}

interface RunSummary {
  stats: BlockResult["stats"];
  verified: boolean;
}

function spread(values: number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
}

function median(values: number[]): number {
  return spread(values).median;
}

/** The block to measure and its pre-state; DeFi presets run their setup blocks first (not timed). */
async function generate(name: BenchWorkload, txs: number, opts: BenchOptions): Promise<ParallelBlockInput> {
  if (name === "erc20-independent" || name === "erc20-one-recipient") {
    const deployed = opts.artifacts("TestToken").deployedBytecode;
    if (deployed === undefined) throw new Error("the TestToken artifact has no deployedBytecode");
    const w = erc20TransferBlock({ txs, accounts: opts.accounts, oneRecipient: name === "erc20-one-recipient", tokenRuntimeCode: hexToBytes(deployed as `0x${string}`) });
    return { block: w.block, preState: w.preState, senders: w.senders };
  }
  const w = generateWorkload(name, { txs, accounts: opts.accounts }, opts.artifacts);
  const engine = await prepareWorkloadOnEngine(w);
  return { block: engine.block, preState: engine.preState, blockHashes: engine.blockHashes, senders: engine.senders };
}

export async function runBench(opts: BenchOptions): Promise<BenchReport> {
  const progress = opts.onProgress ?? (() => {});
  const executors = new Map<number, ParallelExecutor>();
  for (const w of opts.workers) {
    // minTxsForParallel 1: measure the parallel path even on small --txs; other options are the defaults.
    executors.set(w, new ParallelExecutor({ ...opts.executorOptions, workers: w, minTxsForParallel: 1 }));
  }
  const rows: BenchRow[] = [];
  const baselines: BaselineRow[] = [];
  const scaling: ScalingRow[] = [];
  try {
    for (const name of opts.workloads) {
      const txs = opts.txs ?? defaultTxs(name);
      progress(`${name}: generating ${txs} signed txs over ${opts.accounts} accounts${(ERC20_WORKLOADS as readonly string[]).includes(name) ? "" : " and running its setup blocks"}`);
      const input = await generate(name, txs, opts);

      progress(`${name}: warm-up (${WARMUP_RUNS} runs each; the first ships the pre-state to the workers)`);
      let reference = await executeBlockSequential(input);
      for (let i = 1; i < WARMUP_RUNS; i++) reference = await executeBlockSequential(input);
      for (const [count, ex] of executors) {
        for (let i = 0; i < WARMUP_RUNS; i++) {
          const r = await ex.executeBlock(input);
          const d = firstDifference(r, reference, { preState: input.preState });
          if (d !== undefined) throw new Error(`bug: ${name} with ${count} workers differs from sequential execution: ${d.txIndex === undefined ? "" : `tx ${d.txIndex}: `}${d.description}`);
        }
      }

      // Keep only what the report needs: holding whole results (read sets,
      // receipts) across runs grows the heap and slows later runs' GC.
      const seq: RunSummary[] = [];
      const par = new Map<number, RunSummary[]>(opts.workers.map((c) => [c, []]));
      const summarize = (r: BlockResult): RunSummary => ({ stats: r.stats, verified: firstDifference(r, reference) === undefined });
      for (let rep = 0; rep < opts.repeats; rep++) {
        progress(`${name}: run ${rep + 1}/${opts.repeats}`);
        seq.push(summarize(await executeBlockSequential(input)));
        for (const [count, ex] of executors) par.get(count)!.push(summarize(await ex.executeBlock(input)));
      }
      const seqWall = seq.map((r) => r.stats.wallMs);
      const seqExec = median(seq.map((r) => r.stats.executionMs));
      const work = reference.stats.txs.map((t) => t.micros);
      const ideal = idealSpeedup(reference.reads, work);
      const workloadRows: BenchRow[] = [];
      for (const [count, runs] of par) {
        const parWall = runs.map((r) => r.stats.wallMs);
        const parExec = median(runs.map((r) => r.stats.executionMs));
        const last = runs[runs.length - 1];
        workloadRows.push({
          workload: name,
          txs,
          gas: reference.gasUsed.toString(),
          workers: count,
          sequentialMs: spread(seqWall),
          parallelMs: spread(parWall),
          sequentialExecutionMs: seqExec,
          parallelExecutionMs: parExec,
          sequentialStateRootMs: median(seq.map((r) => r.stats.stateRootMs)),
          parallelStateRootMs: median(runs.map((r) => r.stats.stateRootMs)),
          speedup: median(seqWall) / median(parWall),
          executionSpeedup: seqExec / parExec,
          ideal: ideal.capped(count),
          reexecutionsPerTx: median(runs.map((r) => r.stats.reexecutions)) / txs,
          mode: last.stats.mode,
          fallbackReason: last.stats.fallbackReason,
          verified: runs.every((r) => r.verified) && seq.every((r) => r.verified),
        });
      }
      rows.push(...workloadRows);
      scaling.push(scalingRow(name, txs, reference, work, seq, par, workloadRows));
      if (!opts.skipStock) {
        progress(`${name}: stock baseline (runBlock + MerkleStateManager, one run)`);
        const stock = await runStockBaseline(input.block, input.preState);
        baselines.push({
          workload: name,
          txs,
          stockMs: stock.ms,
          sequentialMs: median(seqWall),
          speedupVsStock: stock.ms / median(seqWall),
          verified:
            bytesToHex(stock.stateRoot) === bytesToHex(reference.stateRoot!) &&
            bytesToHex(stock.receiptsRoot) === bytesToHex(reference.receiptsRoot) &&
            stock.gasUsed === reference.gasUsed,
        });
      }
    }
  } finally {
    for (const ex of executors.values()) await ex.close();
  }
  return {
    schemaVersion: 1,
    machine: { cores: os.availableParallelism(), node: process.version, platform: `${os.platform()} ${os.arch()}` },
    method: `same process, ${WARMUP_RUNS} warm-up runs each, then repeats alternating sequential and parallel; medians (min-max); wall time includes system phases, receipts and the state root`,
    rows,
    baselines,
    scaling,
  };
}

/**
 * The scheduler model fed with this run's measurements: per-tx time and
 * dependencies from the sequential reference, the calling thread's cost per
 * finished incarnation from the runs with the most workers, and the time
 * outside execution from the sequential runs.
 */
function scalingRow(workload: string, txs: number, reference: BlockResult, work: number[], seq: RunSummary[], par: Map<number, RunSummary[]>, rows: BenchRow[]): ScalingRow {
  const dependsOn = reference.reads.map((reads, j) => {
    const deps = new Set<number>();
    for (const r of reads) {
      const writer = dependencyOf(r, j);
      if (writer !== undefined) deps.add(writer);
    }
    return [...deps];
  });
  const most = Math.max(...par.keys());
  const coordinatorMicros = median(par.get(most)!.map((r) => (1000 * r.stats.coordinatorMs) / Math.max(1, r.stats.txs.reduce((a, t) => a + t.incarnations, 0))));
  const serialMs = Math.max(0, median(seq.map((r) => r.stats.wallMs - r.stats.executionMs)));
  const input = { work, dependsOn, coordinatorMicros, serialMicros: 1000 * serialMs };
  return {
    workload,
    txs,
    coordinatorMicrosPerIncarnation: coordinatorMicros,
    serialMs,
    measured: rows.map((r) => ({ workers: r.workers, speedup: r.speedup, executionSpeedup: r.executionSpeedup })),
    simulated: SIMULATED_WORKERS.map((w) => simulateBlockStm(input, w)),
    simulatedCoordinatorOnly: SIMULATED_WORKERS.map((w) => simulateBlockStm({ ...input, callerExecutes: false }, w)),
  };
}

/**
 * The benchmark behind `npx hardhat parallel-bench`: for each workload, the
 * stock baseline (runBlock + MerkleStateManager), the project's sequential
 * executor and the parallel executor per worker count, all on the same block
 * in the same process, each run verified against the sequential result.
 * Ratios follow metrics.md: speedup is end to end (execution, system phases,
 * receipts and state root), executionSpeedup is transaction execution alone.
 */
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { performance } from "node:perf_hooks";

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
import { benchEnvironment } from "./environment";
import type { BenchMachine } from "./environment";
import { BenchProgress } from "./progress";
import type { PlannedStep } from "./progress";
import { runStockBaseline } from "./stock-baseline";
import { upperMedian } from "./median";
import { benchWarnings } from "./warnings";

/**
 * The two runs the task offers. Untimed warm-up runs come first because
 * worker threads start cold (module loading, then JIT): in a long-running
 * node they are warm, and that is what the ratios should describe. The
 * default run is sized to finish in about a minute and a half on 2 cores
 * (3 timed runs, no stock baseline); `--full` is the longer, steadier one.
 */
export const RUN_SIZES = {
  default: { repeats: 3, warmupRuns: 2, stock: false },
  full: { repeats: 5, warmupRuns: 3, stock: true },
} as const;

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
  /** Timed runs per workload and configuration. */
  repeats: number;
  /** Untimed runs per workload and configuration before the timed ones. */
  warmupRuns: number;
  workloads: BenchWorkload[];
  /** Compiled bundled contracts (Hardhat's artifacts.readArtifactSync). */
  artifacts: ArtifactReader;
  /** Run the (slow) stock baseline. */
  stock: boolean;
  /** Recorded in the report: the run was asked for with --full. */
  full?: boolean;
  /** Executor options from the user's `parallel` config (worker count and minTxsForParallel are set here). */
  executorOptions?: Pick<ParallelOptions, "maxReexecutionRatio" | "onWorkerFailure">;
  /** One line per step with the estimated time left (progress.ts). */
  onProgress?: (line: string) => void;
}

/** The options as run, in the JSON report: enough to run the same benchmark again. */
export interface BenchRunOptions {
  workloads: BenchWorkload[];
  /** Transactions per block, per workload. */
  txs: Partial<Record<BenchWorkload, number>>;
  accounts: number;
  workers: number[];
  repeats: number;
  warmupRuns: number;
  stock: boolean;
  full: boolean;
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
  /**
   * Ideal speedup at this worker count from the dependency graph (work = measured tx time):
   * the critical-path bound capped by the workers and by this machine's cores.
   */
  ideal: number;
  /** Total tx time / heaviest dependency chain, uncapped: the same for every worker count of a workload. */
  idealBound: number;
  /** What caps `ideal`: the dependencies (the bound itself), the worker count, or the machine's cores. */
  idealCappedBy: "dependencies" | "workers" | "cores";
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
  /** 2: ideal capped by cores, idealBound and idealCappedBy; plugin, node, options, warnings; machine with CPU, OS, memory. */
  schemaVersion: 2;
  plugin: { name: string; version: string };
  node: string;
  machine: BenchMachine;
  options: BenchRunOptions;
  method: string;
  rows: BenchRow[];
  baselines: BaselineRow[];
  /** Simulated speedup at 1 to 64 workers (analysis/simulate.ts), per workload. */
  scaling: ScalingRow[];
  /** What makes the figures less trustworthy (workers beyond the cores, too few repeats for the noise seen), with a fix. */
  warnings: string[];
}

interface RunSummary {
  stats: BlockResult["stats"];
  verified: boolean;
}

function spread(values: number[]): Spread {
  return { median: upperMedian(values), min: Math.min(...values), max: Math.max(...values) };
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
  // The first warm-up run is also the sequential reference every other run is verified against.
  if (!Number.isInteger(opts.warmupRuns) || opts.warmupRuns < 1) throw new RangeError(`warmupRuns must be an integer of at least 1, got ${opts.warmupRuns}`);
  if (!Number.isInteger(opts.repeats) || opts.repeats < 1) throw new RangeError(`repeats must be an integer of at least 1, got ${opts.repeats}`);
  const environment = benchEnvironment();
  const cores = environment.machine.cores;
  const progress = new BenchProgress(planSteps(opts), opts.onProgress ?? (() => {}));
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
      progress.next();
      const input = await generate(name, txs, opts);

      progress.next();
      let reference = await executeBlockSequential(input);
      for (let i = 1; i < opts.warmupRuns; i++) {
        progress.next();
        reference = await executeBlockSequential(input);
      }
      for (const [count, ex] of executors) {
        for (let i = 0; i < opts.warmupRuns; i++) {
          progress.next();
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
        progress.next();
        seq.push(summarize(await executeBlockSequential(input)));
        for (const [count, ex] of executors) {
          progress.next();
          par.get(count)!.push(summarize(await ex.executeBlock(input)));
        }
      }
      progress.next();
      const seqWall = seq.map((r) => r.stats.wallMs);
      const seqExec = upperMedian(seq.map((r) => r.stats.executionMs));
      const work = reference.stats.txs.map((t) => t.micros);
      const ideal = idealSpeedup(reference.reads, work);
      const workloadRows: BenchRow[] = [];
      for (const [count, runs] of par) {
        const parWall = runs.map((r) => r.stats.wallMs);
        const parExec = upperMedian(runs.map((r) => r.stats.executionMs));
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
          sequentialStateRootMs: upperMedian(seq.map((r) => r.stats.stateRootMs)),
          parallelStateRootMs: upperMedian(runs.map((r) => r.stats.stateRootMs)),
          speedup: upperMedian(seqWall) / upperMedian(parWall),
          executionSpeedup: seqExec / parExec,
          ...cappedIdeal(ideal.unbounded, count, cores),
          reexecutionsPerTx: upperMedian(runs.map((r) => r.stats.reexecutions)) / txs,
          mode: last.stats.mode,
          fallbackReason: last.stats.fallbackReason,
          verified: runs.every((r) => r.verified) && seq.every((r) => r.verified),
        });
      }
      rows.push(...workloadRows);
      // The model of a long dependency chain takes seconds: say how far it got now and then.
      scaling.push(scalingRow(name, txs, reference, work, seq, par, workloadRows, throttledNotes(progress)));
      if (opts.stock) {
        progress.next();
        // runBlock is one long call: say how far it got every few seconds.
        const note = throttledNotes(progress);
        const stock = await runStockBaseline(input.block, input.preState, (done) => note(`${done}/${txs} txs`, done / txs));
        baselines.push({
          workload: name,
          txs,
          stockMs: stock.ms,
          sequentialMs: upperMedian(seqWall),
          speedupVsStock: stock.ms / upperMedian(seqWall),
          verified:
            bytesToHex(stock.stateRoot) === bytesToHex(reference.stateRoot!) &&
            bytesToHex(stock.receiptsRoot) === bytesToHex(reference.receiptsRoot) &&
            stock.gasUsed === reference.gasUsed,
        });
      }
    }
    progress.done();
  } finally {
    for (const ex of executors.values()) await ex.close();
  }
  return {
    schemaVersion: 2,
    ...environment,
    options: {
      workloads: opts.workloads,
      txs: Object.fromEntries(opts.workloads.map((w) => [w, opts.txs ?? defaultTxs(w)])),
      accounts: opts.accounts,
      workers: opts.workers,
      repeats: opts.repeats,
      warmupRuns: opts.warmupRuns,
      stock: opts.stock,
      full: opts.full ?? false,
    },
    method: `same process, ${opts.warmupRuns} warm-up runs each, then ${opts.repeats} timed runs alternating sequential and parallel; medians (min-max); wall time includes system phases, receipts and the state root`,
    rows,
    baselines,
    scaling,
    warnings: benchWarnings({ workers: opts.workers, cores, repeats: opts.repeats, rows }),
  };
}

/** Time between the progress notes inside a long step (the stock baseline, the model), ms. */
const NOTE_EVERY_MS = 4000;

/** progress.note, at most once per NOTE_EVERY_MS: callers may call it after every transaction. */
function throttledNotes(progress: BenchProgress): (detail: string, fractionDone?: number) => void {
  let last = performance.now();
  return (detail, fractionDone) => {
    if (performance.now() - last < NOTE_EVERY_MS) return;
    last = performance.now();
    progress.note(detail, fractionDone);
  };
}

/**
 * The ideal at a worker count: the critical-path bound, capped by the
 * workers, and by the cores, since workers beyond the cores share them.
 */
export function cappedIdeal(bound: number, workers: number, cores: number): Pick<BenchRow, "ideal" | "idealBound" | "idealCappedBy"> {
  const cap = Math.min(workers, cores);
  if (bound <= cap) return { ideal: bound, idealBound: bound, idealCappedBy: "dependencies" };
  return { ideal: cap, idealBound: bound, idealCappedBy: workers <= cores ? "workers" : "cores" };
}

/**
 * Rough costs for the first time-left estimates, before anything is measured
 * (progress.ts scales them by how far off they turn out): a fixed part and a
 * part per transaction, for one run, for generating the block (signing, and a
 * preset's setup blocks) and for the stock baseline. From runs on 2 cores;
 * only their ratios matter much.
 */
const PRIOR_MS = {
  erc20: { run: [20, 0.8], generate: [300, 1], model: [50, 0.5], stock: [500, 12] },
  preset: { run: [20, 2], generate: [500, 8], model: [50, 0.5], stock: [500, 20] },
} as const;

/** The steps runBench takes, in order, each with a label and a prior for the time-left estimate. */
function planSteps(opts: BenchOptions): PlannedStep[] {
  const steps: PlannedStep[] = [];
  for (const name of opts.workloads) {
    const txs = opts.txs ?? defaultTxs(name);
    const erc20 = (ERC20_WORKLOADS as readonly string[]).includes(name);
    const prior = erc20 ? PRIOR_MS.erc20 : PRIOR_MS.preset;
    const priorMs = ([fixed, perTx]: readonly [number, number]) => fixed + txs * perTx;
    steps.push({
      label: `${name}: generating ${txs} signed txs over ${opts.accounts} accounts${erc20 ? "" : ", setup blocks"}`,
      key: `${name} generate`,
      kind: "generate",
      priorMs: priorMs(prior.generate),
    });
    const run = (config: string, what: string, cold = false): PlannedStep => ({ label: `${name} ${config} ${what}`, key: `${name} ${config}`, kind: "run", priorMs: priorMs(prior.run), cold });
    for (let i = 0; i < opts.warmupRuns; i++) steps.push(run("seq", `warm-up ${i + 1}/${opts.warmupRuns}`, i === 0));
    for (const w of opts.workers) {
      for (let i = 0; i < opts.warmupRuns; i++) steps.push(run(`@${w}w`, `warm-up ${i + 1}/${opts.warmupRuns}${i === 0 ? " (ships the pre-state to the workers)" : ""}`, i === 0));
    }
    for (let rep = 0; rep < opts.repeats; rep++) {
      steps.push(run("seq", `run ${rep + 1}/${opts.repeats}`));
      for (const w of opts.workers) steps.push(run(`@${w}w`, `run ${rep + 1}/${opts.repeats}`));
    }
    steps.push({ label: `${name}: ideal and scheduler model, 1 to ${SIMULATED_WORKERS[SIMULATED_WORKERS.length - 1]} workers`, key: `${name} model`, kind: "model", priorMs: priorMs(prior.model) });
    if (opts.stock) steps.push({ label: `${name} stock baseline (runBlock, one run)`, key: `${name} stock`, kind: "stock", priorMs: priorMs(prior.stock) });
  }
  return steps;
}

/**
 * The scheduler model fed with this run's measurements: per-tx time and
 * dependencies from the sequential reference, the calling thread's cost per
 * finished incarnation from the runs with the most workers, and the time
 * outside execution from the sequential runs.
 */
function scalingRow(
  workload: string,
  txs: number,
  reference: BlockResult,
  work: number[],
  seq: RunSummary[],
  par: Map<number, RunSummary[]>,
  rows: BenchRow[],
  modelled: (detail: string) => void,
): ScalingRow {
  const dependsOn = reference.reads.map((reads, j) => {
    const deps = new Set<number>();
    for (const r of reads) {
      const writer = dependencyOf(r, j);
      if (writer !== undefined) deps.add(writer);
    }
    return [...deps];
  });
  const most = Math.max(...par.keys());
  const coordinatorMicros = upperMedian(par.get(most)!.map((r) => (1000 * r.stats.coordinatorMs) / Math.max(1, r.stats.txs.reduce((a, t) => a + t.incarnations, 0))));
  const serialMs = Math.max(0, upperMedian(seq.map((r) => r.stats.wallMs - r.stats.executionMs)));
  const input = { work, dependsOn, coordinatorMicros, serialMicros: 1000 * serialMs };
  return {
    workload,
    txs,
    coordinatorMicrosPerIncarnation: coordinatorMicros,
    serialMs,
    measured: rows.map((r) => ({ workers: r.workers, speedup: r.speedup, executionSpeedup: r.executionSpeedup })),
    simulated: SIMULATED_WORKERS.map((w) => {
      const run = simulateBlockStm(input, w);
      modelled(`${w} workers done`);
      return run;
    }),
    simulatedCoordinatorOnly: SIMULATED_WORKERS.map((w) => {
      const run = simulateBlockStm({ ...input, callerExecutes: false }, w);
      modelled(`${w} workers done (coordinator only)`);
      return run;
    }),
  };
}

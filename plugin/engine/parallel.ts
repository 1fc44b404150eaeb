/**
 * The parallel executor: Block-STM with a coordinator on the calling thread
 * and a piscina pool of workers.
 *
 * Roles (the only place they meet):
 * - scheduler.ts decides which incarnation runs next and when a tx commits;
 * - mv-memory.ts holds the writes of every executed incarnation; the
 *   coordinator's copy is authoritative and validation reads it;
 * - executing threads: the coordinator itself, which runs incarnations
 *   directly against the authoritative memory between handling results, and
 *   `workers - 1` piscina threads (worker.ts) that run them against a mirror
 *   of the memory, fed with the updates they have not seen yet. On a 2-core
 *   machine, 2 workers are the calling thread and one worker thread: no core
 *   is left to a coordinator that only waits.
 * - who runs what: worker threads take first executions themselves, lowest
 *   first, off a shared claim board (scheduler.ts), so they never wait for
 *   the calling thread, which pauses for its own executions and for GC.
 *   Re-executions and nonce-chain links are assigned by the coordinator.
 *
 * Correctness does not depend on how stale a worker's mirror is: a tx
 * commits only when every value it read equals what the final writes of the
 * txs below it give (commit-time validation, in order). Earlier, targeted
 * validation (readers of a location whose value changed) only finds stale
 * executions sooner so they are redone in parallel.
 *
 * Any worker failure abandons the attempt and the block runs sequentially:
 * a crashed worker never yields a wrong block.
 */
import type { Block } from "@ethereumjs/block";
import { bytesToHex } from "@ethereumjs/util";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { MessageChannel, receiveMessageOnPort } from "node:worker_threads";
import Piscina from "piscina";

import { BlockOverlay } from "./block-overlay";
import { runPrePhase } from "./block-phases";
import { InvalidBlockError, blockGasLimitError, committedFailure, emptyStats } from "./block-result";
import type { BlockResult } from "./block-result";
import { finishBlock } from "./finish";
import type { FlatState } from "./flat-state";
import { describeLocation, kindOf } from "./location";
import { MVMemory, PENDING_WINDOW, sameValue } from "./mv-memory";
import type { MVUpdate, Resolved } from "./mv-memory";
import { PARALLEL_DEFAULTS } from "./defaults";
import { prepareBlock } from "./prepare";
import type { BlockInput } from "./prepare";
import { ClaimBoard, Scheduler, SchedulerInvariantError } from "./scheduler";
import type { Task, TxStatus } from "./scheduler";
import { executeBlockSequential } from "./sequential";
import { TxExecutor } from "./tx-executor";
import type { ReadSource } from "./tx-state";
import type { BlockStats, ExecutionOutcome, FallbackReason, LocationKey, LocationValue, Read, TxIndex, TxReceiptData, TxWriteSet } from "./types";
import type { FromWorker, SessionConfig, ToWorker } from "./worker-protocol";
import { armedEstimate, jitter } from "./test-hooks";
import type { ForcedEstimate } from "./test-hooks";

export interface ParallelOptions {
  /** Executing threads, the calling thread included (so 1 means no worker threads). Default: available cores, at most 8. */
  workers?: number;
  /** Blocks with fewer transactions run sequentially. Default 8. */
  minTxsForParallel?: number;
  /**
   * When the execution time of thrown-away incarnations (aborted, or stopped
   * to wait) exceeds this many times the execution time of the txs committed
   * since speculation started (once that is worth 16 average incarnations),
   * the following txs run in order on the calling thread: optimistic
   * execution is only burning CPU. Default 1.
   */
  maxReexecutionRatio?: number;
  /** On a worker failure: run the block sequentially (default) or throw. */
  onWorkerFailure?: "sequential" | "error";
  /** For tests: random delays before executions, on every executing thread (the calling thread too), [seed, max microseconds]. */
  jitter?: [number, number];
  /**
   * The calling thread only coordinates: `workers` worker threads execute
   * and the calling thread runs no transaction, except in in-order mode
   * (runaway re-execution), where it runs them in order as usual. For tests
   * and measurements (the many-core layout); default false.
   */
  coordinatorOnly?: boolean;
  /**
   * Assert mode (tests, fuzzing): at commit, re-validate every tx whose read
   * set targeted validation kept as valid, and throw a ValidationSkippedError
   * if one of its reads is stale (the skip was wrong: a bug). Default false.
   */
  assertCommits?: boolean;
  /** For tests: one read of one tx's first incarnation hits an ESTIMATE (test-hooks.ts). */
  forceEstimate?: ForcedEstimate;
  /** For tests: make worker thread 0 fail when it runs this tx (handed to it or claimed by it). */
  crashAt?: TxIndex;
  /** For tests: how it fails: "throw" (the task rejects) or "exit" (the thread dies). Default "throw". */
  crashMode?: "throw" | "exit";
}

export interface ParallelBlockInput extends BlockInput {
  /** Known senders (lowercase 0x hex) per tx, to schedule nonce chains; a wrong hint only costs time. */
  senders?: (string | undefined)[];
}

class WorkerFailure extends Error {}

/** Options that only tests set: no default. */
type TestOption = "jitter" | "crashAt" | "crashMode" | "forceEstimate";

/** Re-validate every tx at commit even when targeted validation kept it valid (debugging aid). */
const PARANOID = process.env.HARDHAT_PARALLEL_PARANOID === "1";

/** Tasks queued per worker thread: the calling thread tops queues up only between its own executions, so a queue must outlast one of them (with 2 queued, the worker idled about a fifth of the block). */
const PIPELINE = 4;

/** What the executor sent worker threads to bring their state replicas up to date. */
export interface StateShipping {
  /** Full copies of the state. */
  snapshots: number;
  /** Diffs (a block's, an edit's, a revert's) sent instead. */
  diffs: number;
}

export class ParallelExecutor {
  private readonly pool: Piscina | undefined;
  readonly stateShipping: StateShipping = { snapshots: 0, diffs: 0 };
  readonly workers: number;
  private readonly opts: Required<Omit<ParallelOptions, TestOption>> & Pick<ParallelOptions, TestOption>;

  constructor(opts: ParallelOptions = {}) {
    this.workers = opts.workers ?? Math.max(1, Math.min(8, os.availableParallelism()));
    this.opts = {
      workers: this.workers,
      minTxsForParallel: opts.minTxsForParallel ?? PARALLEL_DEFAULTS.minTxsForParallel,
      maxReexecutionRatio: opts.maxReexecutionRatio ?? PARALLEL_DEFAULTS.maxReexecutionRatio,
      onWorkerFailure: opts.onWorkerFailure ?? PARALLEL_DEFAULTS.onWorkerFailure,
      jitter: opts.jitter,
      crashAt: opts.crashAt,
      crashMode: opts.crashMode,
      coordinatorOnly: opts.coordinatorOnly ?? false,
      assertCommits: opts.assertCommits ?? false,
      forceEstimate: opts.forceEstimate,
    };
    const threads = this.workerThreads;
    this.pool =
      threads === 0
        ? undefined
        : new Piscina({
            filename: path.join(__dirname, "worker-entry.js"),
            minThreads: threads,
            maxThreads: threads,
            concurrentTasksPerWorker: 1,
            idleTimeout: 60_000,
          });
  }

  /** Whether the calling thread only coordinates (ParallelOptions.coordinatorOnly). */
  get coordinatorOnly(): boolean {
    return this.opts.coordinatorOnly;
  }

  /** Piscina threads: every executing thread but the calling one, or all of them when it only coordinates. */
  private get workerThreads(): number {
    return this.opts.coordinatorOnly ? this.workers : this.workers - 1;
  }

  /** Whether every worker thread has loaded the engine (finished a session); see executeBlock. */
  private threadsLoaded = false;

  async close(): Promise<void> {
    await this.pool?.destroy();
  }

  async executeBlock(input: ParallelBlockInput): Promise<BlockResult> {
    const n = input.block.transactions.length;
    const fallback = async (reason: FallbackReason, event?: string): Promise<BlockResult> => {
      const result = await executeBlockSequential(input);
      result.stats.fallbackReason = reason;
      result.stats.workers = this.workers;
      if (event !== undefined) result.stats.events.push(event);
      return result;
    };
    if (n < this.opts.minTxsForParallel) return fallback("small-block");
    const chain = longestNonceChain(input.senders);
    if (chain !== undefined && n / chain.length < MIN_CHAIN_PARALLELISM) {
      // The chain is the critical path: at most n / chain.length speedup, and
      // passing each link between threads costs more than it could gain.
      return fallback("nonce-chain", `${chain.length} of ${n} txs are sender ${chain.sender}'s nonce chain`);
    }
    try {
      return await this.run(input);
    } catch (e) {
      if (e instanceof WorkerFailure) {
        // piscina replaces the thread: the next block waits for it to load (see threadsLoaded).
        this.threadsLoaded = false;
        if (this.opts.onWorkerFailure === "error") throw e;
        return fallback("worker-failure", e.message);
      }
      throw e;
    }
  }

  private async run(input: ParallelBlockInput): Promise<BlockResult> {
    const started = performance.now();
    const { block, common, txs } = prepareBlock(input);
    const n = block.transactions.length;
    const executor = await TxExecutor.create(common, input.blockHashes ?? new Map(), input.rules);
    const overlay = new BlockOverlay(input.preState);
    await runPrePhase(executor, block, overlay);
    const prePhase: TxWriteSet = { writes: [...overlay.toDiff().entries].map(([key, value]) => ({ key, value })), code: [] };

    const stats = emptyStats("parallel", this.workers);
    const threads = this.workerThreads;
    stats.executedBy = new Array<number>(threads + 1).fill(0);
    stats.busyMsBy = new Array<number>(threads + 1).fill(0);
    const execStart = performance.now();
    // Worker threads take first executions off a shared board themselves.
    const board = this.workerThreads > 0 ? ClaimBoard.create(n) : undefined;
    const run = new BlockRun(block, overlay, predecessorsOf(input.senders, n), stats, this.opts.maxReexecutionRatio, board, this.workers);
    run.assertCommits = this.opts.assertCommits;
    run.coordinatorOnly = this.opts.coordinatorOnly;
    const sessionBase = {
      headerRlp: block.header.serialize(),
      withdrawals: block.withdrawals !== undefined,
      txs: txs.bytes,
      knownSenders: input.knownSenders === undefined ? undefined : [...input.knownSenders],
      rules: input.rules,
      chain: (common as unknown as { _chainParams: unknown })._chainParams,
      hardfork: common.hardfork(),
      eips: common.eips(),
      needsKzg: block.transactions.some((tx) => tx.type === 3),
      blockHashes: [...(input.blockHashes ?? new Map())],
      prePhase,
      jitter: this.opts.jitter,
      forceEstimate: this.opts.forceEstimate,
    };
    const pool = this.pool;
    const sessions: Promise<unknown>[] = [];
    const outcomes = await run.execute(
      (port, index) => {
        const session = pool!.run({ ...sessionBase, port, claims: board?.buffer, claimId: index + 2, crashAt: index === 0 ? this.opts.crashAt : undefined, crashMode: this.opts.crashMode } satisfies SessionConfig, { transferList: [port as never] });
        sessions.push(session);
        return session;
      },
      threads,
      input.preState,
      async (tx, incarnation, source) => {
        if (this.opts.jitter !== undefined) await jitter(this.opts.jitter, ClaimBoard.COORDINATOR, tx, incarnation);
        if (this.opts.forceEstimate !== undefined) source.forcedEstimate = armedEstimate(this.opts.forceEstimate, tx, incarnation);
        return executor.run(block, txs.get(tx), tx, incarnation, source);
      },
      (tx, key) => txs.setSenderPublicKey(tx, key),
      this.stateShipping,
    );
    // Node aborts the whole process (a V8 fatal error) when it exits while a
    // worker thread is still loading the engine (@ethereumjs loads ES modules
    // through require). A small block can finish before the threads are up,
    // and a test run may end right after it; so until every thread has
    // finished a session once, a block returns only when its sessions ended.
    if (!this.threadsLoaded && sessions.length > 0) {
      await Promise.allSettled(sessions);
      this.threadsLoaded = true;
    }
    stats.executionMs = performance.now() - execStart;
    stats.reexecutions = stats.txs.reduce((sum, t) => sum + t.incarnations, 0) - n;

    // Fold the committed writes into the block overlay for the post phase.
    overlay.applyDiff(n - 1, run.mv.toDiff(n));
    const receipts: TxReceiptData[] = [];
    const reads: Read[][] = [];
    const writeSets: TxWriteSet[] = [];
    for (const o of outcomes) {
      receipts.push(o.receipt);
      reads.push(o.reads);
      writeSets.push(o.writeSet);
    }
    return finishBlock({ input, block, executor, overlay, receipts, reads, writeSets, stats, started });
  }
}

/** Below this n / (longest nonce chain), a block runs sequentially (ideal speedup under 1.25x). */
const MIN_CHAIN_PARALLELISM = 1.25;

function longestNonceChain(senders: (string | undefined)[] | undefined): { sender: string; length: number } | undefined {
  if (senders === undefined) return undefined;
  const counts = new Map<string, number>();
  let best: { sender: string; length: number } | undefined;
  for (const s of senders) {
    if (s === undefined) continue;
    const sender = s.toLowerCase();
    const length = (counts.get(sender) ?? 0) + 1;
    counts.set(sender, length);
    if (best === undefined || length > best.length) best = { sender, length };
  }
  return best;
}

function predecessorsOf(senders: (string | undefined)[] | undefined, n: number): Int32Array | undefined {
  if (senders === undefined) return undefined;
  const pred = new Int32Array(n).fill(-1);
  const last = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const s = senders[i]?.toLowerCase();
    if (s === undefined) continue;
    const p = last.get(s);
    if (p !== undefined) pred[i] = p;
    last.set(s, i);
  }
  return pred;
}

type Executed = Extract<ExecutionOutcome, { kind: "executed" }>;
type Finished = Extract<ExecutionOutcome, { kind: "executed" | "invalid" }>;
type StartSession = (port: import("node:worker_threads").MessagePort, index: number) => Promise<unknown>;
type RunLocally = (tx: TxIndex, incarnation: number, source: ReadSource) => Promise<ExecutionOutcome>;
type AcceptSenderKey = (tx: TxIndex, key: Uint8Array) => void;

/** Txs per sender-recovery request sent to a worker thread in in-order mode, and how far ahead of the commit index they go. */
const RECOVERY_CHUNK = 32;
const RECOVERY_AHEAD = 4 * RECOVERY_CHUNK;

/**
 * In-order mode looks at the txs it commits in windows of this many, and
 * speculation resumes after a window in which at most this share of txs
 * depended on a tx close below (see measureInOrder). Strict on purpose:
 * speculating on contended DeFi blocks (the lending preset, two thirds of txs
 * in every window) measured no faster than running them in order; the amm
 * preset resumes only in its quieter windows.
 */
const RESUME_WINDOW = 32;
/** The runaway check waits until committed work is worth this many average incarnations. */
const MIN_RUNAWAY_COMMITS = 16;

const RESUME_MAX_CLOSE = 1 / 8;

function ms(micros: number): string {
  return (micros / 1000).toFixed(1);
}

/** Whether what a read saw is no longer what the memory gives it. */
function isStale(read: Read, now: Resolved): boolean {
  return now.estimate !== undefined || !sameValue(now.value, read.value);
}

/**
 * One block's coordination: memory, scheduler, read sets, worker sessions.
 * Exported for hand-stepped tests (see "Hand-stepping" below).
 */
export class BlockRun {
  readonly mv: MVMemory;
  /** Assert mode (ParallelOptions.assertCommits): every commit re-checks what targeted validation vouched for. */
  assertCommits = false;
  /** The calling thread executes nothing outside in-order mode (ParallelOptions.coordinatorOnly). */
  coordinatorOnly = false;
  private readonly scheduler: Scheduler;
  private readonly latest: (Finished | undefined)[];
  /** Which txs' current read sets include each location (for targeted validation). */
  private readonly readers = new Map<LocationKey, Set<TxIndex>>();
  /** Readers that only observed "non-zero" (the beneficiary's fee phase): kept apart, see positiveDeltaAt. */
  private readonly nonzeroReaders = new Map<LocationKey, Set<TxIndex>>();
  /**
   * Set when a tx's current read set passed validation. Every later change to
   * a location it read re-validates it (targeted validation below), so a tx
   * still marked here when its turn to commit comes is valid: commit needs no
   * third pass over its reads. HARDHAT_PARALLEL_PARANOID=1 re-validates anyway.
   */
  private readonly validated: Uint8Array;
  /** Per tx, the location that stopped or invalidated its latest incarnation (see dependencyHint). */
  private readonly stopKey: (LocationKey | undefined)[];
  /** Whether a tx's latest read set is in `readers` (a tx that ran on final values never is: nothing can invalidate it). */
  private readonly indexed: Uint8Array;
  private readonly updates: MVUpdate[] = [];
  /** Per update, the worker thread whose outcome it records (a worker's own writes are already in its mirror), or -1. */
  private readonly updateOrigin: number[] = [];
  private blockGas = 0n;
  /** Set while re-execution has run away: txs run in order on the calling thread (see checkRunaway). */
  private inOrder = false;
  /**
   * Work since speculation last started (the runaway check counts from
   * there), in microseconds of execution: what committed txs' final
   * incarnations took, and what incarnations that were thrown away took
   * (aborted, or stopped on an ESTIMATE or a predicted writer).
   */
  private work = { commits: 0, committed: 0, wasted: 0, incarnations: 0, executed: 0 };
  /** In-order mode: where the current window of committed txs starts, and how many of them depend on a tx just below. */
  private windowStart = 0;
  private windowClose = 0;
  /** Per tx, the index of its sender's next tx in the block, or -1 (from sender hints). */
  private readonly successors: Int32Array | undefined;
  private onInOrder: (() => void) | undefined;
  private onSpeculate: (() => void) | undefined;

  constructor(
    private readonly block: Block,
    private readonly base: BlockOverlay,
    predecessors: Int32Array | undefined,
    private readonly stats: BlockStats,
    private readonly maxReexecutionRatio: number,
    private readonly board: ClaimBoard | undefined,
    /** Executing threads: a tx that depends on one this close below would conflict with it. */
    private readonly closeDistance: number,
  ) {
    const n = block.transactions.length;
    this.mv = new MVMemory((key) => base.read(key));
    this.scheduler = new Scheduler(n, predecessors, board);
    if (predecessors !== undefined) {
      this.successors = new Int32Array(n).fill(-1);
      for (let tx = 0; tx < n; tx++) if (predecessors[tx] >= 0) this.successors[predecessors[tx]] = tx;
    }
    this.latest = new Array(n);
    this.validated = new Uint8Array(n);
    this.indexed = new Uint8Array(n);
    this.stopKey = new Array(n);
    this.scheduler.hint = (tx) => this.dependencyHint(tx);
    for (let i = 0; i < n; i++) stats.txs.push({ incarnations: 0, micros: 0, totalMicros: 0 });
  }

  execute(
    startSession: StartSession,
    threads: number,
    preState: FlatState,
    runLocally: RunLocally,
    acceptSenderKey: AcceptSenderKey,
    stateShipping: StateShipping,
  ): Promise<Executed[]> {
    return new Promise<Executed[]>((resolve, reject) => {
      // In-order mode leaves the worker threads idle: they recover the senders
      // of the txs the calling thread will run next, in order, so that work is
      // off the critical path. Only a stretch ahead is requested, so a worker
      // is not busy with stale requests when speculation resumes.
      let recoveryFrontier = 0;
      let recoveryChunk = 0;
      const requestRecovery = () => {
        const n = this.scheduler.txCount;
        recoveryFrontier = Math.max(recoveryFrontier, this.scheduler.commitIndex + 2);
        const until = Math.min(n, this.scheduler.commitIndex + RECOVERY_AHEAD);
        if (recoveryFrontier >= until) return;
        // Only threads past their state handshake take requests (the others see none).
        const ready = ports.flatMap((_, w) => (sessionReady[w] === true ? [w] : []));
        if (ready.length === 0) return;
        for (; recoveryFrontier < until; recoveryFrontier += RECOVERY_CHUNK, recoveryChunk++) {
          const to = Math.min(n, recoveryFrontier + RECOVERY_CHUNK);
          ports[ready[recoveryChunk % ready.length]].postMessage({ type: "recover", from: recoveryFrontier, to } satisfies ToWorker);
        }
      };
      this.onInOrder = () => {
        this.board?.stop();
        requestRecovery();
      };
      this.onSpeculate = () => this.board?.resume();
      let wake: (() => void) | undefined;
      const ports: import("node:worker_threads").MessagePort[] = [];
      const handlers: ((m: FromWorker) => void)[] = [];
      const cursor: number[] = [];
      // Workers not yet ready count as full.
      const inflight: number[] = [];
      const sessionReady: boolean[] = [];
      let readySessions = 0;
      const lastQueued: number[] = [];
      let settled = false;
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        this.stats.waits = this.scheduler.hintedWaits;
        this.board?.stop();
        // Busy workers read "end" after their current task; ports close when sessions do.
        for (const p of ports) p.postMessage({ type: "end" } satisfies ToWorker);
        if (error !== undefined) reject(error);
        else resolve(this.latest as Executed[]);
        wake?.();
      };
      // The memory updates worker w has not seen, less the writes it reported itself.
      const updatesFor = (w: number): MVUpdate[] => {
        const out: MVUpdate[] = [];
        for (let i = cursor[w]; i < this.updates.length; i++) if (this.updateOrigin[i] !== w) out.push(this.updates[i]);
        cursor[w] = this.updates.length;
        return out;
      };
      // Workers claim first executions without asking, so their mirrors are
      // kept fresh independently of tasks.
      const flush = () => {
        // In-order mode: the workers execute nothing more.
        if (this.inOrder) return;
        for (let w = 0; w < ports.length; w++) {
          if (sessionReady[w] !== true || cursor[w] === this.updates.length) continue;
          const updates = updatesFor(w);
          if (updates.length > 0) ports[w].postMessage({ type: "updates", updates } satisfies ToWorker);
        }
      };
      // Tasks only the coordinator assigns (re-executions, nonce-chain links):
      // up to PIPELINE queued per worker, least loaded first, so a worker has
      // its next task at hand when it finishes one.
      const dispatch = () => {
        // In-order mode: no more speculation on worker threads.
        if (this.inOrder) return;
        for (;;) {
          let w = -1;
          for (let i = 0; i < inflight.length; i++) if (inflight[i] < PIPELINE && (w < 0 || inflight[i] < inflight[w])) w = i;
          if (w < 0) return;
          // A nonce-chain link goes right behind its predecessor on the same
          // thread, which applies its own writes to its view: no round trip.
          const last = lastQueued[w];
          const link = last >= 0 && this.successors !== undefined && this.successors[last] >= 0 ? this.scheduler.takeWaiting(this.successors[last], last) : undefined;
          const task = link ?? this.scheduler.nextAssignedTask();
          if (task === undefined) return;
          lastQueued[w] = task.tx;
          inflight[w]++;
          this.stats.txs[task.tx].incarnations++;
          ports[w].postMessage({ type: "exec", tx: task.tx, incarnation: task.incarnation, updates: updatesFor(w) } satisfies ToWorker);
        }
      };
      for (let w = 0; w < threads; w++) {
        const channel = new MessageChannel();
        ports.push(channel.port1);
        cursor.push(0);
        inflight.push(PIPELINE);
        lastQueued.push(-1);
        const handle = (m: FromWorker) => {
          if (settled) return;
          try {
            if (m.type === "hello") {
              // A replica of this state some versions behind gets the diffs in between (blocks, edits, reverts); any other, a full copy.
              const diffs = m.stateId === preState.id ? preState.diffsSince(m.stateVersion) : undefined;
              const reply: ToWorker =
                diffs === undefined ? { type: "state", snapshot: preState.snapshot() } : diffs.length === 0 ? { type: "state" } : { type: "state", diffs };
              if (diffs === undefined) stateShipping.snapshots++;
              else stateShipping.diffs += diffs.length;
              channel.port1.postMessage(reply);
              return;
            }
            if (m.type === "recovered") {
              m.keys.forEach((key, i) => acceptSenderKey(m.from + i, key));
              return;
            }
            if (m.type === "ready") {
              inflight[w] = 0;
              sessionReady[w] = true;
              readySessions++;
            } else {
              if (m.claimed) {
                this.stats.txs[m.outcome.tx].incarnations++;
                this.scheduler.startedElsewhere(m.outcome.tx);
              } else inflight[w]--;
              this.stats.executedBy![w + 1]++;
              const t = performance.now();
              this.onOutcome(m.outcome, w);
              this.commitReady();
              this.stats.coordinatorMs += performance.now() - t;
              if (this.scheduler.done()) return finish();
            }
            const t = performance.now();
            dispatch();
            // The calling thread is asleep: nothing else would send the updates.
            if (wake !== undefined) flush();
            this.stats.coordinatorMs += performance.now() - t;
            if (wake !== undefined) {
              const w = wake;
              wake = undefined;
              w();
            }
          } catch (e) {
            finish(e as Error);
          }
        };
        handlers.push(handle);
        channel.port1.on("message", handle);
        startSession(channel.port2, w)
          .catch((e: Error) => finish(new WorkerFailure(`worker ${w} failed: ${e.message}`)))
          .finally(() => channel.port1.close());
      }

      // The calling thread executes too. Between incarnations it handles the
      // worker results that arrived and tops their queues up; with nothing to
      // run it sleeps until a worker reports.
      //
      // Once every session is running, results are taken off the ports
      // synchronously: a trip through the event loop per incarnation cost
      // about 0.2 ms here (a fifth of the calling thread's time on an ERC-20
      // block), while the ports' own listeners still deliver whatever
      // arrives while this thread sleeps. Until then the loop yields, because
      // piscina hands sessions to its threads from the event loop.
      const drain = () => {
        for (let w = 0; w < ports.length && !settled; w++) {
          for (let m = receiveMessageOnPort(ports[w]); m !== undefined && !settled; m = receiveMessageOnPort(ports[w])) handlers[w](m.message as FromWorker);
        }
      };
      let lastLocal = -1;
      const local = async () => {
        while (!settled) {
          // Nothing to handle without worker threads.
          if (threads > 0) {
            if (readySessions === threads) drain();
            else await new Promise<void>((r) => setImmediate(r));
            flush();
          }
          if (settled) return;
          // The next link of a chain this thread just advanced stays here.
          const link = !this.inOrder && !this.coordinatorOnly && lastLocal >= 0 && this.successors !== undefined && this.successors[lastLocal] >= 0 ? this.scheduler.takeIfReady(this.successors[lastLocal]) : undefined;
          dispatch();
          if (this.inOrder) requestRecovery();
          const task = link ?? (this.inOrder ? this.scheduler.takeIfReady(this.scheduler.commitIndex) : this.coordinatorOnly ? undefined : this.scheduler.nextTask());
          if (task === undefined) {
            if (threads === 0) throw new SchedulerInvariantError(`no runnable transaction at commit index ${this.scheduler.commitIndex} with no worker threads`);
            await new Promise<void>((r) => (wake = r));
            continue;
          }
          this.stats.txs[task.tx].incarnations++;
          this.stats.executedBy![0]++;
          const tx = task.tx;
          lastLocal = tx;
          // Every tx below has committed: what this incarnation reads is final.
          const final = tx === this.scheduler.commitIndex;
          const outcome = await runLocally(tx, task.incarnation, {
            resolve: (key) => this.mv.resolveForExecution(tx, key),
            resolveNonzero: (key) => this.mv.resolveNonzero(tx, key),
            code: (hash) => this.mv.code.get(hash) ?? this.base.code.get(hash) ?? this.base.base.code.get(hash),
          });
          if (settled) return;
          const t = performance.now();
          this.onOutcome(outcome, -1, final);
          this.commitReady();
          this.stats.coordinatorMs += performance.now() - t;
          if (this.scheduler.done()) finish();
        }
      };
      local().catch((e: Error) => finish(e));
    });
  }

  /**
   * `origin`: the worker thread that ran it, or -1 for the calling thread.
   * `final`: it started when every tx below had committed (in-order
   * execution, or the calling thread at the commit index), so it read final
   * values: it is valid as it stands and nothing can invalidate it, so its
   * reads are neither validated nor indexed for targeted validation.
   */
  private onOutcome(o: ExecutionOutcome, origin: number, final = false): void {
    const txStats = this.stats.txs[o.tx];
    txStats.totalMicros += o.micros;
    (txStats.executedBy ??= []).push(origin + 1);
    this.stats.busyMsBy![origin + 1] += o.micros / 1000;
    this.work.incarnations++;
    this.work.executed += o.micros;
    if (o.kind === "blocked") {
      this.stats.blocked++;
      this.work.wasted += o.micros;
      this.stopKey[o.tx] = o.key;
      if (o.key !== undefined) this.stats.wasted.push({ tx: o.tx, key: o.key, micros: o.micros, cause: "estimate" });
      this.scheduler.blockOn(o.tx, o.dependency);
      this.checkRunaway();
      return;
    }
    txStats.micros = o.micros;
    this.stopKey[o.tx] = undefined;
    const writeSet = o.kind === "executed" ? o.writeSet : { writes: [], code: [] };
    const changed = this.mv.record(o.tx, o.incarnation, writeSet);
    if (changed.size > 0 || this.latest[o.tx] === undefined) {
      this.updates.push({ kind: "write", tx: o.tx, incarnation: o.incarnation, writeSet });
      this.updateOrigin.push(origin);
    }
    this.setReads(o.tx, this.indexed[o.tx] === 1 ? this.latest[o.tx]?.reads : undefined, final ? undefined : o.reads);
    this.indexed[o.tx] = final ? 0 : 1;
    this.latest[o.tx] = o;
    this.scheduler.finishExecution(o.tx);
    if (final && !PARANOID) this.validated[o.tx] = 1;
    // The worker's mirror may have lagged: check what it read right away.
    else if (!this.validate(o.tx)) this.abort(o.tx);
    for (const key of changed) {
      // A storage wipe (selfdestruct, re-creation) changes what every read of
      // that account's storage resolves to. Wipes are rare, so readers are
      // indexed by the slot alone and a changed wipe re-validates every
      // executed tx above the writer.
      if (kindOf(key) === "wipe") this.revalidateAbove(o.tx);
      else this.revalidateReaders(this.readers.get(key), o.tx);
      if (!this.mv.positiveDeltaAt(o.tx, key)) this.revalidateReaders(this.nonzeroReaders.get(key), o.tx);
    }
  }

  private revalidateAbove(writer: TxIndex): void {
    for (let r = writer + 1; r < this.scheduler.txCount; r++) {
      if (this.scheduler.status[r] === 2 /* Executed */ && !this.validate(r)) this.abort(r);
    }
  }

  private revalidateReaders(readers: Set<TxIndex> | undefined, writer: TxIndex): void {
    if (readers === undefined) return;
    for (const r of readers) {
      if (r > writer && this.scheduler.status[r] === 2 /* Executed */ && !this.validate(r)) this.abort(r);
    }
  }

  private commitReady(): void {
    for (;;) {
      const tx = this.scheduler.commitCandidate();
      if (tx === undefined) return;
      if ((this.validated[tx] === 0 || PARANOID) && !this.validate(tx)) {
        this.abort(tx);
        return;
      }
      if (this.assertCommits) this.assertStillValid(tx);
      const o = this.latest[tx]!;
      const limit = blockGasLimitError(this.block, tx, this.blockGas);
      if (limit !== undefined) throw limit;
      if (o.kind === "invalid") throw committedFailure(this.block, tx, o);
      this.blockGas += o.receipt.blockGasUsed;
      this.scheduler.commit(tx);
      this.work.commits++;
      this.work.committed += o.micros;
      if (this.inOrder) this.measureInOrder(tx, o.reads);
      else if ((tx & 15) === 15) this.checkRunaway();
      if (this.indexed[tx] === 1) this.setReads(tx, o.reads, undefined);
      this.indexed[tx] = 0;
    }
  }

  /**
   * Assert mode: tx is about to commit, so every value it read must be what
   * the final writes below it give. Without side effects: a stale read here
   * means targeted validation let a stale read set through, which no later
   * step would catch, so it throws instead of aborting.
   */
  private assertStillValid(tx: TxIndex): void {
    for (const read of this.latest[tx]!.reads) {
      const now = this.mv.resolveRead(tx, read);
      if (!isStale(read, now)) continue;
      throw new ValidationSkippedError(tx, read, now);
    }
  }

  // ---- Hand-stepping (test/engine/coordinator.test.ts): outcomes in, tasks out, no threads.

  /** The task the calling thread would run next (in-order mode: the commit index, if ready), counted as an incarnation. */
  stepTask(): Task | undefined {
    const task = this.inOrder ? this.scheduler.takeIfReady(this.scheduler.commitIndex) : this.scheduler.nextTask();
    if (task !== undefined) this.stats.txs[task.tx].incarnations++;
    return task;
  }

  /** An outcome as thread `origin` (-1: the calling thread) reports it, then every commit it allows. */
  stepOutcome(o: ExecutionOutcome, origin = -1): void {
    this.onOutcome(o, origin);
    this.commitReady();
  }

  get commitIndex(): TxIndex {
    return this.scheduler.commitIndex;
  }

  get inOrderMode(): boolean {
    return this.inOrder;
  }

  statusOf(tx: TxIndex): TxStatus {
    return this.scheduler.status[tx] as TxStatus;
  }

  /** Whether every value tx read is still what the memory gives it now. */
  private validate(tx: TxIndex): boolean {
    this.stats.validations++;
    this.validated[tx] = 0;
    const latest = this.latest[tx]!;
    for (const read of latest.reads) {
      const now = this.mv.resolveRead(tx, read);
      if (isStale(read, now)) {
        this.stopKey[tx] = read.key;
        this.stats.wasted.push({ tx, key: read.key, micros: latest.micros, cause: "abort" });
        return false;
      }
    }
    this.validated[tx] = 1;
    return true;
  }

  /**
   * What a re-execution of `tx` learned from its earlier incarnations
   * (Scheduler.hint): it waits for a lower tx instead of running when the
   * location that stopped or invalidated its last incarnation is an ESTIMATE
   * or likely to be written by a lower tx that has not executed yet
   * (MVMemory.likelyPendingWriter), or when anything its last executed
   * incarnation read is now an ESTIMATE (its writer was aborted and runs
   * again): running now would read values about to change.
   */
  private dependencyHint(tx: TxIndex): TxIndex | undefined {
    const key = this.stopKey[tx];
    if (key !== undefined) {
      const now = this.mv.resolve(tx, key);
      if (now.estimate !== undefined) return now.estimate;
      const pending = this.mv.likelyPendingWriter(tx, key, PENDING_WINDOW);
      if (pending !== undefined) return pending;
    }
    for (const read of this.latest[tx]?.reads ?? []) {
      const now = this.mv.resolveRead(tx, read);
      if (now.estimate !== undefined) return now.estimate;
    }
    return undefined;
  }

  private abort(tx: TxIndex): void {
    this.stats.aborts++;
    this.work.wasted += this.latest[tx]!.micros;
    this.validated[tx] = 0;
    this.scheduler.abort(tx);
    this.mv.markEstimate(tx);
    this.updates.push({ kind: "estimate", tx });
    this.updateOrigin.push(-1);
    this.checkRunaway();
  }

  /**
   * Runaway re-execution (a dependency chain, such as every transfer paying
   * one recipient): switch to in-order execution on the calling thread. The
   * committed prefix is kept; each tx then reads only committed values and
   * commits at once, so a chain costs about what sequential execution costs
   * instead of executing most txs twice.
   *
   * What counts is wasted work, not re-executions: execution time of
   * incarnations thrown away (aborted, or stopped to wait) against execution
   * time of committed txs. A tx that stops early to wait for its dependency
   * wastes little and does not push the block into order; a heavy tx aborted
   * twice does. The comparison starts once the committed work is worth
   * MIN_RUNAWAY_COMMITS average incarnations, so one heavy abort at the
   * start of a block does not decide it. Counts start over whenever
   * speculation resumes (measureInOrder), so a dense stretch at the start of
   * a block does not keep the rest of it sequential.
   */
  private checkRunaway(): void {
    if (this.inOrder) return;
    const { commits, committed, wasted, incarnations, executed } = this.work;
    const average = incarnations === 0 ? 0 : executed / incarnations;
    if (wasted > this.maxReexecutionRatio * Math.max(committed, MIN_RUNAWAY_COMMITS * average)) {
      this.inOrder = true;
      this.windowStart = this.scheduler.commitIndex;
      this.windowClose = 0;
      this.onInOrder?.();
      this.stats.fallbackReason = "runaway-reexecution";
      this.stats.events.push(
        `${ms(wasted)} ms of wasted execution for ${ms(committed)} ms of ${commits} committed txs exceed parallel.maxReexecutionRatio (${this.maxReexecutionRatio}): from tx ${this.scheduler.commitIndex}, txs ran in order on the calling thread`,
      );
    }
  }

  /**
   * In-order mode, after committing `tx`: counts the txs of the current
   * window that read a value written less than `closeDistance` txs below
   * them (the beneficiary's "non-zero" reads aside). Such a tx would conflict
   * with one running beside it. When almost none of a window's txs do,
   * speculation resumes: a block whose first txs form a chain (a burst of
   * swaps on one pool) runs the rest in parallel again.
   */
  private measureInOrder(tx: TxIndex, reads: Read[]): void {
    for (const r of reads) {
      if (r.origin.kind === "tx" && tx - r.origin.tx <= this.closeDistance && r.predicate === undefined) {
        this.windowClose++;
        break;
      }
    }
    const size = tx + 1 - this.windowStart;
    if (size < RESUME_WINDOW) return;
    const close = this.windowClose;
    this.windowStart = tx + 1;
    this.windowClose = 0;
    if (close > size * RESUME_MAX_CLOSE || this.scheduler.commitIndex >= this.scheduler.txCount) return;
    this.inOrder = false;
    this.work = { commits: 0, committed: 0, wasted: 0, incarnations: 0, executed: 0 };
    this.stats.events.push(`speculation resumed at tx ${tx + 1}: only ${close} of the ${size} txs before it read a value written at most ${this.closeDistance} txs below`);
    this.onSpeculate?.();
  }

  private setReads(tx: TxIndex, before: Read[] | undefined, after: Read[] | undefined): void {
    for (const r of before ?? []) this.readerSet(r).get(r.key)?.delete(tx);
    for (const r of after ?? []) {
      const map = this.readerSet(r);
      let set = map.get(r.key);
      if (set === undefined) map.set(r.key, (set = new Set()));
      set.add(tx);
    }
  }

  private readerSet(r: Read): Map<LocationKey, Set<TxIndex>> {
    return r.predicate === "nonzero" && r.value === 1n ? this.nonzeroReaders : this.readers;
  }
}

/**
 * Assert mode found a tx about to commit with a stale read that targeted
 * validation had kept as valid: a bug in hardhat-parallel, never a user error.
 */
export class ValidationSkippedError extends Error {
  constructor(
    readonly tx: TxIndex,
    readonly read: Read,
    readonly now: Resolved,
  ) {
    const origin = (o: Read["origin"]) => (o.kind === "base" ? "the pre-block state" : `tx ${o.tx} incarnation ${o.incarnation}`);
    const value = (v: LocationValue) =>
      v === null ? "no account" : typeof v === "bigint" ? String(v) : `{ nonce ${v.nonce}, codeHash ${v.codeHash}, hasStorage ${v.hasStorage} }`;
    const seen = `${value(read.value)} from ${origin(read.origin)}`;
    const final = now.estimate !== undefined ? `an ESTIMATE of tx ${now.estimate}` : `${value(now.value)} from ${origin(now.origin)}`;
    super(
      `hardhat-parallel validation invariant broken (a bug, please report it): tx ${tx} was about to commit without re-validation, ` +
        `but its read of ${describeLocation(read.key)}${read.predicate === undefined ? "" : ` (${read.predicate})`} saw ${seen} and the final writes below it give ${final}`,
    );
  }
}

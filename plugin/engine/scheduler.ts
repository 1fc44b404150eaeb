/**
 * The Block-STM scheduler, as a synchronous state machine that knows nothing
 * of the EVM. The coordinator drives it from worker results; tests step it by
 * hand on one thread.
 *
 * Per transaction:
 *
 *            nextTask()               finishExecution()
 *   READY ─────────────▶ EXECUTING ───────────────────▶ EXECUTED ──commit()──▶ COMMITTED
 *     ▲                     │                              │
 *     │   dependency done   │ blockOn(dep): read ESTIMATE  │ abort(): a read is stale
 *     └──── BLOCKED ◀───────┘                              │ (incarnation + 1)
 *     ▲                                                    │
 *     └────────────────────────────────────────────────────┘
 *
 * - Transactions start READY, except those whose nonce-chain predecessor
 *   (previous tx of the same sender, when known) has not executed yet: they
 *   start BLOCKED on it, so chains are scheduled rather than found by aborts.
 * - nextTask() hands out the lowest READY transaction: lower transactions
 *   decide what higher ones read, so they go first.
 * - Optionally (`DependencyHint`), a re-execution is held back while what it
 *   learned from its earlier incarnations says it would read a value a lower,
 *   unfinished tx is about to change: instead of being handed out it goes
 *   back to BLOCKED on that tx (same incarnation, nothing ran), and the hint
 *   is asked again when that tx has executed. First executions are never
 *   held: nothing is known about them yet.
 * - Commits happen strictly in order: tx i commits once i-1 has committed and
 *   its read set validated against the final writes below it. The commit
 *   index is therefore the prefix of the block that is final.
 * - Optionally (`ClaimBoard`), worker threads take first executions
 *   themselves: a tx's first incarnation belongs to whichever thread claims
 *   it first on a shared board, so a worker never waits for the coordinator
 *   to hand it work. The scheduler claims on the same board before handing a
 *   fresh tx out, and learns of a worker's claim from its outcome
 *   (startedElsewhere) or from a failed claim. Re-executions, and txs that
 *   wait on a nonce-chain predecessor, are always the scheduler's to assign.
 */
import { Heap } from "./heap";
import type { Incarnation, TxIndex } from "./types";

export const TxStatus = {
  Ready: 0,
  Executing: 1,
  Executed: 2,
  Blocked: 3,
  Committed: 4,
} as const;
export type TxStatus = (typeof TxStatus)[keyof typeof TxStatus];

export interface Task {
  tx: TxIndex;
  incarnation: Incarnation;
}

/**
 * Asked before a re-execution of `tx` is handed out: a lower tx it should
 * wait for (one whose pending writes it would likely read stale), or
 * undefined to run it now. A hint that names a tx already executed, or not
 * below `tx`, is ignored.
 */
export type DependencyHint = (tx: TxIndex) => TxIndex | undefined;

/**
 * Who runs each tx's first incarnation, shared between threads
 * (SharedArrayBuffer). Slot 0 is the stop flag (set: workers claim no more);
 * slot 1 + tx holds 0 (unclaimed), COORDINATOR, or a worker's id (2 and up).
 */
export class ClaimBoard {
  static readonly COORDINATOR = 1;
  readonly cells: Int32Array;

  constructor(buffer: SharedArrayBuffer) {
    this.cells = new Int32Array(buffer);
  }

  static create(txCount: number): ClaimBoard {
    return new ClaimBoard(new SharedArrayBuffer(4 * (txCount + 1)));
  }

  get buffer(): SharedArrayBuffer {
    return this.cells.buffer as SharedArrayBuffer;
  }

  /** Claims `tx` for `owner`; true if it is now (or already was) owner's. */
  claim(tx: TxIndex, owner: number): boolean {
    const before = Atomics.compareExchange(this.cells, tx + 1, 0, owner);
    return before === 0 || before === owner;
  }

  /** Marks `tx` as the coordinator's without racing (before any worker looks). */
  reserve(tx: TxIndex): void {
    Atomics.store(this.cells, tx + 1, ClaimBoard.COORDINATOR);
  }

  ownerOf(tx: TxIndex): number {
    return Atomics.load(this.cells, tx + 1);
  }

  stop(): void {
    Atomics.store(this.cells, 0, 1);
  }

  resume(): void {
    Atomics.store(this.cells, 0, 0);
  }

  get stopped(): boolean {
    return Atomics.load(this.cells, 0) !== 0;
  }
}

export class Scheduler {
  readonly status: Uint8Array;
  readonly incarnation: Uint32Array;
  /** Whether a tx has executed at least once (its writes are in memory). */
  private readonly everExecuted: Uint8Array;
  private readonly waiting = new Map<TxIndex, TxIndex[]>();
  /** READY txs, lowest first; entries that moved on are skipped when they surface. */
  private readonly ready = new Heap<TxIndex>((a, b) => a < b);
  private commitIdx = 0;
  private executions = 0;
  private heldBack = 0;
  /** See DependencyHint; set by the coordinator. */
  hint: DependencyHint | undefined;

  constructor(
    readonly txCount: number,
    /** Per tx, the index of its sender's previous tx in the block, or -1. */
    predecessors?: Int32Array,
    /** Shared with worker threads that claim first executions themselves. */
    private readonly board?: ClaimBoard,
  ) {
    this.status = new Uint8Array(txCount);
    this.incarnation = new Uint32Array(txCount);
    this.everExecuted = new Uint8Array(txCount);
    for (let tx = 0; tx < txCount; tx++) {
      const pred = predecessors?.[tx] ?? -1;
      if (pred >= 0 && pred < tx) {
        this.wait(tx, pred);
        // A chain link runs after its predecessor, where the scheduler puts it.
        board?.reserve(tx);
      } else this.ready.push(tx);
    }
  }

  get commitIndex(): number {
    return this.commitIdx;
  }

  /** Re-executions the dependency hint held back so far (each one an incarnation that did not run to be aborted). */
  get hintedWaits(): number {
    return this.heldBack;
  }

  /** Incarnations started so far (first executions included). */
  get executionCount(): number {
    return this.executions;
  }

  done(): boolean {
    return this.commitIdx === this.txCount;
  }

  /** The lowest READY tx. */
  nextTask(): Task | undefined {
    for (;;) {
      const tx = this.ready.pop();
      if (tx === undefined) return undefined;
      // Lazy deletion: a tx may sit in the heap twice or have moved on.
      if (this.status[tx] !== TxStatus.Ready || this.holdBack(tx)) continue;
      const task = this.handOut(tx);
      if (task !== undefined) return task;
    }
  }

  /**
   * The lowest READY tx unless it is a first execution that workers claim
   * themselves (then nothing: a worker thread's queue holds only what no
   * worker would otherwise take). Without a claim board, nextTask().
   */
  nextAssignedTask(): Task | undefined {
    const board = this.board;
    if (board === undefined) return this.nextTask();
    for (;;) {
      const tx = this.ready.peek();
      if (tx === undefined) return undefined;
      if (this.status[tx] !== TxStatus.Ready || this.holdBack(tx)) {
        this.ready.pop();
        continue;
      }
      if (this.isFirstExecution(tx)) {
        const owner = board.ownerOf(tx);
        if (owner === 0) return undefined; // a worker takes it when it is free
        if (owner !== ClaimBoard.COORDINATOR) {
          // A worker took it already; its outcome will say so.
          this.ready.pop();
          this.status[tx] = TxStatus.Executing;
          continue;
        }
      }
      this.ready.pop();
      return this.handOut(tx);
    }
  }

  /** Hands out `tx` itself if it is READY (in-order execution), else nothing. */
  takeIfReady(tx: TxIndex): Task | undefined {
    if (tx >= this.txCount || this.status[tx] !== TxStatus.Ready || this.holdBack(tx)) return undefined;
    return this.handOut(tx);
  }

  /**
   * A worker thread claimed `tx`'s first execution on the board and reports
   * its outcome: the tx is EXECUTING from here (if the scheduler has not
   * already seen the claim), ready for finishExecution or blockOn.
   */
  startedElsewhere(tx: TxIndex): void {
    if (this.status[tx] === TxStatus.Ready && this.isFirstExecution(tx)) {
      this.status[tx] = TxStatus.Executing;
    } else {
      this.expect(tx, TxStatus.Executing, "startedElsewhere");
    }
    this.executions++;
  }

  /** READY → BLOCKED when the hint names an unfinished tx below to wait for (see DependencyHint). */
  private holdBack(tx: TxIndex): boolean {
    if (this.hint === undefined || this.isFirstExecution(tx)) return false;
    const dependency = this.hint(tx);
    if (dependency === undefined || dependency < 0 || dependency >= tx) return false;
    const s = this.status[dependency];
    if (s === TxStatus.Executed || s === TxStatus.Committed) return false;
    this.wait(tx, dependency);
    this.heldBack++;
    return true;
  }

  private isFirstExecution(tx: TxIndex): boolean {
    return this.incarnation[tx] === 0 && this.everExecuted[tx] === 0;
  }

  /** READY → EXECUTING for the caller, unless a worker claimed the tx first (then it is EXECUTING there). */
  private handOut(tx: TxIndex): Task | undefined {
    const lost = this.board !== undefined && this.isFirstExecution(tx) && !this.board.claim(tx, ClaimBoard.COORDINATOR);
    this.status[tx] = TxStatus.Executing;
    if (lost) return undefined;
    this.executions++;
    return { tx, incarnation: this.incarnation[tx] };
  }

  /**
   * Hands out `tx` while it still waits for `dependency`: the caller queues
   * it on the same thread right behind its dependency (a nonce-chain link),
   * which runs first and leaves its writes in that thread's view.
   */
  takeWaiting(tx: TxIndex, dependency: TxIndex): Task | undefined {
    if (tx >= this.txCount || this.status[tx] !== TxStatus.Blocked) return undefined;
    const list = this.waiting.get(dependency);
    const at = list?.indexOf(tx) ?? -1;
    if (at < 0) return undefined;
    list!.splice(at, 1);
    this.status[tx] = TxStatus.Executing;
    this.executions++;
    return { tx, incarnation: this.incarnation[tx] };
  }

  finishExecution(tx: TxIndex): void {
    this.expect(tx, TxStatus.Executing, "finishExecution");
    this.status[tx] = TxStatus.Executed;
    this.everExecuted[tx] = 1;
    const waiters = this.waiting.get(tx);
    if (waiters !== undefined) {
      this.waiting.delete(tx);
      for (const w of waiters) this.makeReady(w);
    }
  }

  /** The execution read an ESTIMATE written by `dependency`: retry once it has executed. */
  blockOn(tx: TxIndex, dependency: TxIndex): void {
    this.expect(tx, TxStatus.Executing, "blockOn");
    this.incarnation[tx]++;
    if (this.status[dependency] === TxStatus.Executed || this.status[dependency] === TxStatus.Committed) {
      // The worker's view was older than ours: the dependency is already done.
      this.makeReady(tx);
    } else {
      this.wait(tx, dependency);
    }
  }

  /** Validation failed: execute again (the caller marks its writes as ESTIMATE). */
  abort(tx: TxIndex): void {
    this.expect(tx, TxStatus.Executed, "abort");
    this.incarnation[tx]++;
    this.makeReady(tx);
  }

  /** Whether the next transaction in order has executed and may be validated for commit. */
  commitCandidate(): TxIndex | undefined {
    return this.commitIdx < this.txCount && this.status[this.commitIdx] === TxStatus.Executed ? this.commitIdx : undefined;
  }

  commit(tx: TxIndex): void {
    if (tx !== this.commitIdx) throw new SchedulerInvariantError(`commit(${tx}) out of order: next is ${this.commitIdx}`);
    this.expect(tx, TxStatus.Executed, "commit");
    this.status[tx] = TxStatus.Committed;
    this.commitIdx++;
  }

  private makeReady(tx: TxIndex): void {
    this.status[tx] = TxStatus.Ready;
    this.ready.push(tx);
  }

  private wait(tx: TxIndex, dependency: TxIndex): void {
    this.status[tx] = TxStatus.Blocked;
    let list = this.waiting.get(dependency);
    if (list === undefined) this.waiting.set(dependency, (list = []));
    list.push(tx);
  }

  private expect(tx: TxIndex, status: TxStatus, op: string): void {
    if (this.status[tx] !== status) {
      throw new SchedulerInvariantError(`${op}(${tx}): status is ${this.status[tx]}, expected ${status}`);
    }
  }
}

/** A broken scheduler invariant: a bug in hardhat-parallel, never a user error. */
export class SchedulerInvariantError extends Error {
  constructor(detail: string) {
    super(`hardhat-parallel scheduler invariant broken (a bug, please report it): ${detail}`);
  }
}

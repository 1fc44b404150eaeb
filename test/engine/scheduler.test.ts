/**
 * Hand-stepped unit tests of the two pure data structures of Block-STM: the
 * Scheduler state machine and the multi-version memory. Everything runs on
 * one thread, in an order the test chooses, so each transition is checked in
 * isolation (the random differential test covers the interleavings).
 */
import { expect } from "chai";

import { balanceKey, infoKey, storageKey, wipeKey } from "../../plugin/engine/location";
import { MVMemory } from "../../plugin/engine/mv-memory";
import type { Resolved } from "../../plugin/engine/mv-memory";
import { ClaimBoard, Scheduler, SchedulerInvariantError, TxStatus } from "../../plugin/engine/scheduler";
import type { Task } from "../../plugin/engine/scheduler";
import type { AccountInfo, LocationKey, LocationValue, TxWriteSet, Write } from "../../plugin/engine/types";

/** Drains nextTask() and returns the tx indices handed out, in order. */
function drain(s: Scheduler): number[] {
  const out: number[] = [];
  for (let t = s.nextTask(); t !== undefined; t = s.nextTask()) out.push(t.tx);
  return out;
}

function take(s: Scheduler): Task {
  const t = s.nextTask();
  expect(t, "a ready task").to.not.equal(undefined);
  return t!;
}

/** Executes and commits every tx in order (for txs already handed out or ready). */
function finishAndCommitAll(s: Scheduler): void {
  for (;;) {
    for (let t = s.nextTask(); t !== undefined; t = s.nextTask()) s.finishExecution(t.tx);
    const c = s.commitCandidate();
    if (c === undefined) break;
    s.commit(c);
  }
}

describe("Scheduler (hand-stepped)", function () {
  it("hands out the lowest ready transaction first, each once, with incarnation 0", function () {
    const s = new Scheduler(5);
    const tasks: Task[] = [];
    for (let t = s.nextTask(); t !== undefined; t = s.nextTask()) tasks.push(t);
    expect(tasks).to.deep.equal([0, 1, 2, 3, 4].map((tx) => ({ tx, incarnation: 0 })));
    expect(s.executionCount).to.equal(5);
    expect([...s.status]).to.deep.equal(new Array(5).fill(TxStatus.Executing));
  });

  it("finishExecution moves a tx to Executed and makes it the commit candidate when it is next", function () {
    const s = new Scheduler(3);
    const [a, b] = [take(s), take(s)];
    s.finishExecution(b.tx);
    expect(s.status[1]).to.equal(TxStatus.Executed);
    expect(s.commitCandidate(), "tx 1 executed but tx 0 has not").to.equal(undefined);
    s.finishExecution(a.tx);
    expect(s.commitCandidate()).to.equal(0);
  });

  it("blockOn a dependency still executing: the tx waits, then is ready again with incarnation + 1", function () {
    const s = new Scheduler(3);
    const t0 = take(s);
    const t1 = take(s);
    s.blockOn(t1.tx, t0.tx);
    expect(s.status[1]).to.equal(TxStatus.Blocked);
    expect(s.incarnation[1]).to.equal(1);
    // Only tx 2 is ready while tx 1 waits on tx 0.
    expect(drain(s)).to.deep.equal([2]);
    s.finishExecution(t0.tx);
    expect(s.status[1]).to.equal(TxStatus.Ready);
    expect(s.nextTask()).to.deep.equal({ tx: 1, incarnation: 1 });
    expect(s.nextTask()).to.equal(undefined);
  });

  it("blockOn a dependency already executed (or committed): the tx is ready at once", function () {
    const s = new Scheduler(4);
    const [t0, t1, t2, t3] = [take(s), take(s), take(s), take(s)];
    s.finishExecution(t0.tx);
    // The worker's mirror lagged: it still saw tx 0's estimate.
    s.blockOn(t1.tx, t0.tx);
    expect(s.status[1]).to.equal(TxStatus.Ready);
    expect(s.nextTask()).to.deep.equal({ tx: 1, incarnation: 1 });
    s.commit(s.commitCandidate()!);
    s.blockOn(t3.tx, 0);
    expect(s.nextTask()).to.deep.equal({ tx: 3, incarnation: 1 });
    expect(t2.incarnation).to.equal(0);
  });

  it("abort: incarnation + 1, back to ready, and handed out before higher ready txs", function () {
    const s = new Scheduler(6);
    const first = [take(s), take(s), take(s)];
    for (const t of first) s.finishExecution(t.tx);
    expect(s.commitCandidate()).to.equal(0);
    s.commit(0);
    s.abort(2);
    expect(s.status[2]).to.equal(TxStatus.Ready);
    expect(s.incarnation[2]).to.equal(1);
    // Txs 3..5 were ready before the abort; the aborted tx 2 still goes first.
    expect(s.nextTask()).to.deep.equal({ tx: 2, incarnation: 1 });
    expect(drain(s)).to.deep.equal([3, 4, 5]);
    expect(s.executionCount).to.equal(7);
  });

  it("an aborted tx is not a commit candidate until it has executed again", function () {
    const s = new Scheduler(2);
    s.finishExecution(take(s).tx);
    s.abort(0);
    expect(s.commitCandidate()).to.equal(undefined);
    const again = take(s);
    expect(again).to.deep.equal({ tx: 0, incarnation: 1 });
    s.finishExecution(0);
    expect(s.commitCandidate()).to.equal(0);
  });

  it("commits strictly in order: the candidate is only ever the next executed tx", function () {
    const s = new Scheduler(4);
    const tasks = [take(s), take(s), take(s), take(s)];
    for (const t of [...tasks].reverse()) s.finishExecution(t.tx);
    const order: number[] = [];
    for (let c = s.commitCandidate(); c !== undefined; c = s.commitCandidate()) {
      expect(c).to.equal(s.commitIndex);
      s.commit(c);
      order.push(c);
    }
    expect(order).to.deep.equal([0, 1, 2, 3]);
    expect(s.done()).to.equal(true);
    expect(s.commitCandidate()).to.equal(undefined);
  });

  it("committing out of order throws SchedulerInvariantError", function () {
    const s = new Scheduler(3);
    for (const t of [take(s), take(s), take(s)]) s.finishExecution(t.tx);
    expect(() => s.commit(1)).to.throw(SchedulerInvariantError, /commit\(1\) out of order: next is 0/);
    s.commit(0);
    expect(() => s.commit(0), "committing twice").to.throw(SchedulerInvariantError);
    expect(() => s.commit(2)).to.throw(SchedulerInvariantError, /out of order/);
  });

  it("nonce-chain successors start blocked and are released by their predecessor's finishExecution", function () {
    // Senders: A A B A B  →  predecessors -1 0 -1 1 2
    const s = new Scheduler(5, Int32Array.from([-1, 0, -1, 1, 2]));
    expect([...s.status]).to.deep.equal([TxStatus.Ready, TxStatus.Blocked, TxStatus.Ready, TxStatus.Blocked, TxStatus.Blocked]);
    expect(drain(s)).to.deep.equal([0, 2]);
    s.finishExecution(2);
    expect(s.status[4]).to.equal(TxStatus.Ready);
    expect(s.status[1]).to.equal(TxStatus.Blocked);
    s.finishExecution(0);
    // Released chain members start at incarnation 0: waiting is not an abort.
    expect(s.nextTask()).to.deep.equal({ tx: 1, incarnation: 0 });
    expect(s.nextTask()).to.deep.equal({ tx: 4, incarnation: 0 });
    expect(s.nextTask()).to.equal(undefined);
    s.finishExecution(1);
    expect(s.nextTask()).to.deep.equal({ tx: 3, incarnation: 0 });
    s.finishExecution(3);
    s.finishExecution(4);
    finishAndCommitAll(s);
    expect(s.done()).to.equal(true);
  });

  it("takeWaiting hands out a chain link still waiting on its predecessor, which then no longer releases it", function () {
    // Senders: A A A  →  predecessors -1 0 1
    const s = new Scheduler(3, Int32Array.from([-1, 0, 1]));
    expect(s.nextTask()).to.deep.equal({ tx: 0, incarnation: 0 });
    // Only a tx waiting on exactly that dependency can be taken.
    expect(s.takeWaiting(2, 0)).to.equal(undefined);
    expect(s.takeWaiting(1, 0)).to.deep.equal({ tx: 1, incarnation: 0 });
    expect(s.status[1]).to.equal(TxStatus.Executing);
    // The predecessor finishing must not turn the executing link back into READY.
    s.finishExecution(0);
    expect(s.status[1]).to.equal(TxStatus.Executing);
    expect(s.nextTask()).to.equal(undefined);
    s.finishExecution(1);
    expect(s.nextTask()).to.deep.equal({ tx: 2, incarnation: 0 });
    s.finishExecution(2);
    finishAndCommitAll(s);
    expect(s.done()).to.equal(true);
    expect(s.takeWaiting(1, 0)).to.equal(undefined);
  });

  it("ignores predecessor hints that do not point below the tx", function () {
    const s = new Scheduler(3, Int32Array.from([-1, 1, 2]));
    expect(drain(s)).to.deep.equal([0, 1, 2]);
  });

  it("throws SchedulerInvariantError on illegal transitions", function () {
    const s = new Scheduler(4, Int32Array.from([-1, -1, -1, 2]));
    expect(() => s.finishExecution(0), "finishExecution on a ready tx").to.throw(SchedulerInvariantError, /finishExecution\(0\)/);
    expect(() => s.blockOn(0, 1), "blockOn on a ready tx").to.throw(SchedulerInvariantError, /blockOn\(0\)/);
    expect(() => s.abort(0), "abort on a ready tx").to.throw(SchedulerInvariantError, /abort\(0\)/);
    expect(() => s.commit(0), "commit of a tx never executed").to.throw(SchedulerInvariantError);
    expect(() => s.finishExecution(3), "finishExecution on a blocked tx").to.throw(SchedulerInvariantError);
    const t0 = take(s);
    expect(() => s.abort(t0.tx), "abort while executing").to.throw(SchedulerInvariantError);
    expect(() => s.commit(t0.tx), "commit while executing").to.throw(SchedulerInvariantError);
    s.finishExecution(t0.tx);
    expect(() => s.finishExecution(t0.tx), "finishExecution twice").to.throw(SchedulerInvariantError);
    expect(() => s.blockOn(t0.tx, 1), "blockOn an executed tx").to.throw(SchedulerInvariantError);
    s.commit(t0.tx);
    expect(() => s.abort(t0.tx), "abort a committed tx").to.throw(SchedulerInvariantError);
    // The message says it is a bug and names the operation.
    expect(() => s.abort(0)).to.throw(SchedulerInvariantError, /bug, please report it\): abort\(0\)/);
  });

  it("runs a whole block to done() with a mix of blocks and aborts", function () {
    const s = new Scheduler(4);
    const [t0, t1, t2, t3] = [take(s), take(s), take(s), take(s)];
    s.blockOn(t2.tx, t1.tx);
    s.finishExecution(t3.tx);
    s.finishExecution(t1.tx); // releases tx 2
    s.finishExecution(t0.tx);
    s.commit(s.commitCandidate()!);
    s.abort(1); // validation of tx 1 failed at commit time
    expect(s.nextTask()).to.deep.equal({ tx: 1, incarnation: 1 });
    expect(s.nextTask()).to.deep.equal({ tx: 2, incarnation: 1 });
    s.finishExecution(1);
    s.finishExecution(2);
    finishAndCommitAll(s);
    expect(s.done()).to.equal(true);
    expect(s.commitIndex).to.equal(4);
    expect(s.executionCount).to.equal(6);
  });
});

// ---- MVMemory ---------------------------------------------------------------

const A = "aa".repeat(20);
const B = "bb".repeat(20);
const SLOT0 = "00".repeat(32);
const SLOT1 = "00".repeat(31) + "01";
const SLOT2 = "00".repeat(31) + "02";

function ws(...writes: Write[]): TxWriteSet {
  return { writes, code: [] };
}

function value(r: Resolved): LocationValue {
  if (r.estimate !== undefined) expect.fail(`expected a value, got an estimate of tx ${r.estimate}`);
  return r.value;
}

describe("Scheduler with a claim board (worker threads take first executions themselves)", function () {
  const WORKER = 2;

  it("nextTask skips first executions a worker claimed and claims the ones it hands out", function () {
    const board = ClaimBoard.create(4);
    const s = new Scheduler(4, undefined, board);
    expect(board.claim(0, WORKER)).to.equal(true);
    expect(board.claim(2, WORKER)).to.equal(true);
    expect(drain(s)).to.deep.equal([1, 3]);
    expect([0, 1, 2, 3].map((tx) => board.ownerOf(tx))).to.deep.equal([WORKER, ClaimBoard.COORDINATOR, WORKER, ClaimBoard.COORDINATOR]);
    // The worker's claims are EXECUTING there: their outcomes finish them.
    expect(s.status[0]).to.equal(TxStatus.Executing);
    expect(board.claim(1, WORKER), "a tx the scheduler handed out cannot be claimed").to.equal(false);
  });

  it("startedElsewhere: a worker's outcome arriving before the scheduler saw the claim", function () {
    const board = ClaimBoard.create(3);
    const s = new Scheduler(3, undefined, board);
    board.claim(1, WORKER);
    s.startedElsewhere(1);
    s.finishExecution(1);
    expect(s.status[1]).to.equal(TxStatus.Executed);
    // The stale heap entry of tx 1 is skipped.
    expect(drain(s)).to.deep.equal([0, 2]);
    expect(s.executionCount).to.equal(3);
    // Not for a tx that is neither ready for its first execution nor executing.
    expect(() => s.startedElsewhere(1)).to.throw(SchedulerInvariantError);
  });

  it("nextAssignedTask leaves unclaimed first executions to the workers and hands out re-executions", function () {
    const board = ClaimBoard.create(4);
    const s = new Scheduler(4, undefined, board);
    expect(s.nextAssignedTask(), "tx 0 is a first execution nobody claimed").to.equal(undefined);
    board.claim(0, WORKER);
    board.claim(1, WORKER);
    s.startedElsewhere(0);
    s.finishExecution(0);
    s.abort(0);
    expect(s.nextAssignedTask()).to.deep.equal({ tx: 0, incarnation: 1 });
    // tx 1 is claimed by a worker, tx 2 unclaimed: nothing more to assign.
    expect(s.nextAssignedTask()).to.equal(undefined);
    expect(s.status[1]).to.equal(TxStatus.Executing);
  });

  it("nonce-chain links are reserved for the scheduler: workers cannot claim them, and they are assigned", function () {
    const board = ClaimBoard.create(3);
    const s = new Scheduler(3, Int32Array.from([-1, 0, -1]), board);
    expect(board.claim(1, WORKER)).to.equal(false);
    expect(board.claim(0, WORKER)).to.equal(true);
    s.startedElsewhere(0);
    s.finishExecution(0);
    board.claim(2, WORKER);
    expect(s.nextAssignedTask()).to.deep.equal({ tx: 1, incarnation: 0 });
  });

  it("dependency hint: a re-execution waits, without running, for the unfinished lower tx the hint names", function () {
    const s = new Scheduler(4);
    const asked: number[] = [];
    // Tx 2 learned that it reads what tx 1 writes; nothing is known of the others.
    s.hint = (tx) => (asked.push(tx), tx === 2 ? 1 : undefined);
    expect(drain(s), "first executions are never held back").to.deep.equal([0, 1, 2, 3]);
    expect(asked, "nor is the hint asked for them").to.deep.equal([]);
    s.finishExecution(2);
    s.abort(2);
    expect(s.incarnation[2]).to.equal(1);
    // Tx 1 is still executing: tx 2 goes back to BLOCKED on it, same incarnation, nothing handed out.
    expect(s.nextTask()).to.equal(undefined);
    expect(s.status[2]).to.equal(TxStatus.Blocked);
    expect(s.incarnation[2]).to.equal(1);
    expect(s.hintedWaits).to.equal(1);
    expect(s.executionCount).to.equal(4);
    // Tx 1 executed: tx 2 is ready, the hint is asked again and now ignored (tx 1 is done).
    s.finishExecution(1);
    expect(s.nextTask()).to.deep.equal({ tx: 2, incarnation: 1 });
    expect(asked).to.deep.equal([2, 2]);
    expect(s.hintedWaits).to.equal(1);
  });

  it("dependency hint: names that are not an unfinished lower tx are ignored", function () {
    for (const named of [-1, 2, 3, 0 /* executed */]) {
      const s = new Scheduler(4);
      s.hint = () => named;
      drain(s);
      s.finishExecution(0);
      s.finishExecution(2);
      s.abort(2);
      expect(s.nextTask(), `hint ${named}`).to.deep.equal({ tx: 2, incarnation: 1 });
      expect(s.hintedWaits).to.equal(0);
    }
  });

  it("dependency hint: held back also on the assigned path (claim board) and for in-order takes", function () {
    const board = ClaimBoard.create(3);
    const s = new Scheduler(3, undefined, board);
    s.hint = (tx) => (tx === 2 ? 1 : undefined);
    for (const tx of [0, 1, 2]) {
      board.claim(tx, WORKER);
      s.startedElsewhere(tx);
    }
    s.finishExecution(2);
    s.abort(2);
    expect(s.nextAssignedTask()).to.equal(undefined);
    expect(s.takeIfReady(2)).to.equal(undefined);
    expect(s.status[2]).to.equal(TxStatus.Blocked);
    s.finishExecution(1);
    expect(s.takeIfReady(2)).to.deep.equal({ tx: 2, incarnation: 1 });
  });

  it("the stop flag is shared through the buffer", function () {
    const board = ClaimBoard.create(2);
    const seenByWorker = new ClaimBoard(board.buffer);
    board.stop();
    expect(seenByWorker.stopped).to.equal(true);
    board.resume();
    expect(seenByWorker.stopped).to.equal(false);
  });
});

describe("MVMemory (hand-stepped)", function () {
  const baseValues = new Map<LocationKey, LocationValue>([
    [balanceKey(A), 100n],
    [storageKey(A, SLOT0), 7n],
    [storageKey(A, SLOT1), 8n],
    [storageKey(A, SLOT2), 9n],
    [infoKey(A), { nonce: 1n, codeHash: "0x" + "11".repeat(32), hasStorage: true }],
  ]);
  const base = (key: LocationKey): LocationValue => {
    if (baseValues.has(key)) return baseValues.get(key)!;
    if (key.startsWith("i")) return null;
    return 0n;
  };

  it("resolve sees the highest writer below the reader, the base otherwise", function () {
    const mv = new MVMemory(base);
    const k = storageKey(A, SLOT0);
    mv.record(2, 0, ws({ key: k, value: 20n }));
    mv.record(5, 0, ws({ key: k, value: 50n }));
    expect(mv.resolve(0, k)).to.deep.equal({ value: 7n, origin: { kind: "base" } });
    expect(mv.resolve(2, k), "a tx does not see its own write").to.deep.equal({ value: 7n, origin: { kind: "base" } });
    expect(mv.resolve(3, k)).to.deep.equal({ value: 20n, origin: { kind: "tx", tx: 2, incarnation: 0 } });
    expect(mv.resolve(5, k)).to.deep.equal({ value: 20n, origin: { kind: "tx", tx: 2, incarnation: 0 } });
    expect(mv.resolve(9, k)).to.deep.equal({ value: 50n, origin: { kind: "tx", tx: 5, incarnation: 0 } });
    // Untouched locations and other kinds read the base.
    expect(value(mv.resolve(9, storageKey(A, SLOT1)))).to.equal(8n);
    expect(value(mv.resolve(9, infoKey(B)))).to.equal(null);
    // Account info is versioned like any other location.
    const info: AccountInfo = { nonce: 2n, codeHash: "0x" + "11".repeat(32), hasStorage: true };
    mv.record(1, 0, ws({ key: infoKey(A), value: info }));
    expect(mv.resolve(4, infoKey(A))).to.deep.equal({ value: info, origin: { kind: "tx", tx: 1, incarnation: 0 } });
  });

  it("reports an estimate for entries of an aborted writer, until its next incarnation writes", function () {
    const mv = new MVMemory(base);
    const k = balanceKey(B);
    mv.record(1, 0, ws({ key: k, value: 11n }));
    mv.record(3, 0, ws({ key: k, value: 33n }));
    mv.markEstimate(3);
    expect(mv.resolve(5, k)).to.deep.equal({ estimate: 3 });
    expect(mv.resolve(3, k), "readers at or below the writer are unaffected").to.deep.equal({ value: 11n, origin: { kind: "tx", tx: 1, incarnation: 0 } });
    // "Is it non-zero" reads the aborted incarnation's value through the estimate (see the next test).
    expect(mv.resolveNonzero(5, k)).to.deep.equal({ value: 1n, origin: { kind: "tx", tx: 3, incarnation: 0 } });
    // The next incarnation writes the same value: the estimate is cleared and the key reported as changed.
    const changed = mv.record(3, 1, ws({ key: k, value: 33n }));
    expect([...changed]).to.deep.equal([k]);
    expect(mv.resolve(5, k)).to.deep.equal({ value: 33n, origin: { kind: "tx", tx: 3, incarnation: 1 } });
    // apply() is the same thing through the update log.
    mv.apply({ kind: "estimate", tx: 1 });
    expect(mv.resolve(2, k)).to.deep.equal({ estimate: 1 });
  });

  it("balance deltas sum on top of the nearest absolute write (or the base)", function () {
    const mv = new MVMemory(base);
    const k = balanceKey(A); // base 100
    mv.record(0, 0, ws({ key: k, value: 1n, delta: true }));
    mv.record(1, 0, ws({ key: k, value: 2n, delta: true }));
    expect(mv.resolve(2, k)).to.deep.equal({ value: 103n, origin: { kind: "tx", tx: 1, incarnation: 0 } });
    mv.record(2, 0, ws({ key: k, value: 500n }));
    mv.record(3, 0, ws({ key: k, value: 4n, delta: true }));
    mv.record(5, 0, ws({ key: k, value: 6n, delta: true }));
    // Deltas below the absolute write no longer matter.
    expect(value(mv.resolve(3, k))).to.equal(500n);
    expect(value(mv.resolve(4, k))).to.equal(504n);
    expect(mv.resolve(9, k)).to.deep.equal({ value: 510n, origin: { kind: "tx", tx: 5, incarnation: 0 } });
    expect(value(mv.resolve(1, k))).to.equal(101n);
    // An estimate anywhere down to the absolute write blocks the value...
    mv.markEstimate(3);
    expect(mv.resolve(9, k)).to.deep.equal({ estimate: 3 });
    // ...but not below it.
    mv.markEstimate(0);
    expect(value(mv.resolve(3, k))).to.equal(500n);
  });

  it("resolveNonzero answers from the first positive delta without looking further down", function () {
    const mv = new MVMemory(base);
    const k = balanceKey(B); // base 0
    expect(mv.resolveNonzero(0, k)).to.deep.equal({ value: 0n, origin: { kind: "base" } });
    mv.record(1, 0, ws({ key: k, value: 0n }));
    mv.record(2, 0, ws({ key: k, value: 9n, delta: true }));
    expect(mv.resolveNonzero(2, k)).to.deep.equal({ value: 0n, origin: { kind: "tx", tx: 1, incarnation: 0 } });
    expect(mv.resolveNonzero(3, k)).to.deep.equal({ value: 1n, origin: { kind: "tx", tx: 2, incarnation: 0 } });
    // An estimate below a positive delta does not matter for "is it non-zero".
    mv.markEstimate(1);
    expect(mv.resolveNonzero(3, k)).to.deep.equal({ value: 1n, origin: { kind: "tx", tx: 2, incarnation: 0 } });
    expect(mv.resolve(3, k), "the value itself does depend on it").to.deep.equal({ estimate: 1 });
    // Nor does an estimate on the way down: it counts with its aborted incarnation's value.
    expect(mv.resolveNonzero(2, k)).to.deep.equal({ value: 0n, origin: { kind: "tx", tx: 1, incarnation: 0 } });
    // Non-zero base with no entries.
    expect(value(mv.resolveNonzero(0, balanceKey(A)))).to.equal(1n);
  });

  it("storage wipes: a wipe above the slot's writer resolves to 0; a write in the wiping tx wins", function () {
    const mv = new MVMemory(base);
    const s0 = storageKey(A, SLOT0); // base 7
    const s1 = storageKey(A, SLOT1); // base 8
    mv.record(1, 0, ws({ key: s0, value: 10n }));
    // Tx 3 wipes A's storage (self-destruct) and, in the same tx, writes slot 1 afterwards.
    mv.record(3, 0, ws({ key: wipeKey(A), value: 4n }, { key: s1, value: 31n }));
    expect(value(mv.resolve(2, s0))).to.equal(10n);
    expect(mv.resolve(4, s0)).to.deep.equal({ value: 0n, origin: { kind: "tx", tx: 3, incarnation: 0 } });
    expect(value(mv.resolve(3, s1)), "below the wipe: the base").to.equal(8n);
    expect(mv.resolve(4, s1)).to.deep.equal({ value: 31n, origin: { kind: "tx", tx: 3, incarnation: 0 } });
    // A slot never written in the block reads 0 above a wipe, the base below it.
    const other = storageKey(A, SLOT2); // base 9
    expect(value(mv.resolve(3, other))).to.equal(9n);
    expect(value(mv.resolve(4, other))).to.equal(0n);
    // A write above the wipe wins again.
    mv.record(5, 0, ws({ key: s0, value: 55n }));
    expect(value(mv.resolve(6, s0))).to.equal(55n);
    expect(value(mv.resolve(5, s0))).to.equal(0n);
    // Another account is unaffected.
    expect(value(mv.resolve(6, storageKey(B, SLOT0)))).to.equal(0n);
    // An estimated wipe blocks readers of every slot of the account above it.
    mv.markEstimate(3);
    expect(mv.resolve(4, s0)).to.deep.equal({ estimate: 3 });
    expect(mv.resolve(4, other)).to.deep.equal({ estimate: 3 });
    expect(value(mv.resolve(6, s0))).to.equal(55n);
  });

  it("toDiff gives the final values, the wiped accounts and the code", function () {
    const mv = new MVMemory(base);
    const code = Uint8Array.from([0x60, 0x00]);
    mv.record(0, 0, { writes: [{ key: storageKey(A, SLOT0), value: 1n }, { key: balanceKey(A), value: 5n, delta: true }], code: [["0xc0de", code]] });
    mv.record(1, 0, ws({ key: wipeKey(A), value: 2n }));
    const diff = mv.toDiff(2);
    expect(diff.entries.get(storageKey(A, SLOT0))).to.equal(0n);
    expect(diff.entries.get(balanceKey(A))).to.equal(105n);
    expect([...diff.wiped]).to.deep.equal([A]);
    expect(diff.code.get("0xc0de")).to.deep.equal(code);
  });

  it("record() returns the changed keys, including keys the new incarnation no longer writes", function () {
    const mv = new MVMemory(base);
    const k0 = storageKey(A, SLOT0);
    const k1 = storageKey(A, SLOT1);
    const kb = balanceKey(B);
    expect([...mv.record(2, 0, ws({ key: k0, value: 1n }, { key: k1, value: 2n }))].sort()).to.deep.equal([k0, k1].sort());
    // Same values again: nothing changed.
    expect([...mv.record(2, 1, ws({ key: k0, value: 1n }, { key: k1, value: 2n }))]).to.deep.equal([]);
    // k0 unchanged, k1 no longer written (removed), kb new.
    const changed = mv.record(2, 2, ws({ key: k0, value: 1n }, { key: kb, value: 3n }));
    expect([...changed].sort()).to.deep.equal([k1, kb].sort());
    expect(value(mv.resolve(3, k1)), "the removed entry falls back to the base").to.equal(8n);
    expect([...mv.writtenKeys(2)].sort()).to.deep.equal([k0, kb].sort());
    // Same value but now a delta: changed.
    expect([...mv.record(2, 3, ws({ key: k0, value: 1n }, { key: kb, value: 3n, delta: true }))]).to.deep.equal([kb]);
    // An estimate rewritten with the same value counts as changed (readers waited on it).
    mv.markEstimate(2);
    expect([...mv.record(2, 4, ws({ key: k0, value: 1n }, { key: kb, value: 3n, delta: true }))].sort()).to.deep.equal([k0, kb].sort());
    // Account infos compare by content, not identity.
    const info = (): AccountInfo => ({ nonce: 1n, codeHash: "0xab", hasStorage: false });
    mv.record(4, 0, ws({ key: infoKey(B), value: info() }));
    expect([...mv.record(4, 1, ws({ key: infoKey(B), value: info() }))]).to.deep.equal([]);
    expect([...mv.record(4, 2, ws({ key: infoKey(B), value: { ...info(), nonce: 2n } }))]).to.deep.equal([infoKey(B)]);
    expect([...mv.record(4, 3, ws({ key: infoKey(B), value: null }))]).to.deep.equal([infoKey(B)]);
  });

  it("a non-zero read through an estimate is re-validated by the writer's next incarnation, which may turn it", function () {
    const mv = new MVMemory(base);
    const k = balanceKey(B); // base 0
    mv.record(1, 0, ws({ key: k, value: 5n }));
    mv.markEstimate(1);
    expect(value(mv.resolveNonzero(4, k)), "the aborted incarnation's value, not a wait").to.equal(1n);
    // The next incarnation empties the balance: the key is reported changed, so readers above re-validate and see 0.
    expect([...mv.record(1, 1, ws({ key: k, value: 0n }))]).to.deep.equal([k]);
    expect(value(mv.resolveNonzero(4, k))).to.equal(0n);
    // The exact value still waits for the writer.
    mv.markEstimate(1);
    expect(mv.resolve(4, k)).to.deep.equal({ estimate: 1 });
  });

  it("predicts a wait: a hot location read above a tx that has not executed yet", function () {
    const mv = new MVMemory(base);
    const hot = storageKey(A, SLOT0);
    const cold = storageKey(A, SLOT1);
    // Txs 0, 1 and 3 executed and all wrote `hot`; tx 2 has not executed yet.
    for (const tx of [0, 1, 3]) mv.record(tx, 0, ws({ key: hot, value: BigInt(tx + 10) }, ...(tx === 0 ? [{ key: cold, value: 1n }] : [])));
    expect(mv.likelyPendingWriter(5, hot, 16), "tx 4 has not executed and lies above the nearest writer").to.equal(4);
    expect(mv.resolveForExecution(5, hot)).to.deep.equal({ estimate: 4 });
    // Tx 4 reads above tx 3 (its nearest writer): nothing pending in between, so it reads on.
    expect(mv.likelyPendingWriter(4, hot, 16)).to.equal(undefined);
    expect(mv.resolveForExecution(4, hot)).to.deep.equal({ value: 13n, origin: { kind: "tx", tx: 3, incarnation: 0 } });
    // Tx 3 reads above tx 1: tx 2 is pending.
    expect(mv.likelyPendingWriter(3, hot, 16)).to.equal(2);
    // A location one tx wrote is not hot: no prediction, however much is pending.
    expect(mv.likelyPendingWriter(9, cold, 16)).to.equal(undefined);
    // The nearest pending tx is the one to wait for.
    expect(mv.likelyPendingWriter(9, hot, 16)).to.equal(8);
    // Far from its writers (beyond the window), the location is not hot.
    expect(mv.likelyPendingWriter(30, hot, 16)).to.equal(undefined);
    // An aborted tx counts as pending until its next incarnation has run.
    mv.record(4, 0, ws());
    mv.markEstimate(4);
    expect(mv.likelyPendingWriter(5, hot, 16)).to.equal(4);
    mv.record(4, 1, ws());
    expect(mv.likelyPendingWriter(5, hot, 16), "tx 4 ran again (wrote nothing)").to.equal(undefined);
    // Validation never predicts: resolve() gives the value.
    expect(value(mv.resolve(9, hot))).to.equal(13n);
  });

  it("waits only when a pending tx more likely writes the location than not (the writers' share nearby)", function () {
    const mv = new MVMemory(base);
    const k = storageKey(A, SLOT2);
    const other = (tx: number) => ({ key: storageKey(B, "00".repeat(31) + tx.toString(16).padStart(2, "0")), value: 1n });
    // Txs 0 to 11 executed; txs 2 and 9 wrote k; txs 12 to 15 have not executed yet.
    for (let tx = 0; tx <= 11; tx++) mv.record(tx, 0, ws(tx === 2 || tx === 9 ? { key: k, value: BigInt(tx) } : other(tx)));
    // Reader 13: 2 writers among the 12 executed txs nearby, and 1 pending tx (12): 1 chance in 6, read on.
    expect(mv.likelyPendingWriter(13, k, 16)).to.equal(undefined);
    // Reader 16: 4 pending txs (12 to 15): 1 - (5/6)^4 > 1/2, wait for the nearest.
    expect(mv.likelyPendingWriter(16, k, 16)).to.equal(15);
  });
});

/**
 * Hand-stepped tests of the coordinator (BlockRun in plugin/engine/parallel.ts):
 * the test hands it outcomes as threads would report them and takes the tasks
 * it hands out, on one thread, in an order the test chooses. What is checked
 * is the coordinator's own logic: validation of each result, targeted
 * re-validation of readers, ESTIMATE markers, in-order commits, failures at
 * commit, the runaway switch, and the assert mode's check at commit.
 */
import { createBlock } from "@ethereumjs/block";
import { createLegacyTx } from "@ethereumjs/tx";
import { expect } from "chai";

import { BlockOverlay } from "../../plugin/engine/block-overlay";
import { ExecutionBugError, InvalidBlockError, emptyStats } from "../../plugin/engine/block-result";
import { FlatState } from "../../plugin/engine/flat-state";
import { balanceKey, infoKey, storageKey, wipeKey } from "../../plugin/engine/location";
import { BlockRun, ValidationSkippedError } from "../../plugin/engine/parallel";
import { TxStatus } from "../../plugin/engine/scheduler";
import type { BlockStats, ExecutionOutcome, LocationKey, LocationValue, Read, ReadOrigin, TxIndex, Write } from "../../plugin/engine/types";
import { common, privateKey } from "../helpers/random-block";

const A = "aa".repeat(20);
const B = "bb".repeat(20);
const CREATED = "cc".repeat(20);
const SLOT = "00".repeat(31) + "01";
const X = storageKey(A, SLOT);
const Y = storageKey(B, SLOT);
const BASE: ReadOrigin = { kind: "base" };
const KEY = privateKey(1, 0);

/** A block of n signed transfers: the coordinator only needs their count, gas limits and hashes. */
function blockOf(n: number) {
  const txs = Array.from({ length: n }, (_, i) => createLegacyTx({ nonce: BigInt(i), gasLimit: 21_000n, gasPrice: 10n, to: `0x${B}` }, { common }).sign(KEY));
  return createBlock({ header: { gasLimit: 30_000_000n, baseFeePerGas: 1n }, transactions: txs }, { common });
}

interface Stepper {
  run: BlockRun;
  stats: BlockStats;
}

function coordinator(n: number, pre: FlatState = new FlatState(), maxReexecutionRatio = 1000): Stepper {
  const stats = emptyStats("parallel", 1);
  // The calling thread and two worker threads.
  stats.executedBy = [0, 0, 0];
  stats.busyMsBy = [0, 0, 0];
  const run = new BlockRun(blockOf(n), new BlockOverlay(pre), undefined, stats, maxReexecutionRatio, undefined, 1);
  return { run, stats };
}

function read(key: LocationKey, value: LocationValue, origin: ReadOrigin = BASE): Read {
  return { key, value, origin };
}

function executed(tx: TxIndex, incarnation: number, reads: Read[], writes: Write[]): ExecutionOutcome {
  return {
    kind: "executed",
    tx,
    incarnation,
    reads,
    writeSet: { writes, code: [] },
    receipt: { status: 1, gasUsed: 21_000n, blockGasUsed: 21_000n, logs: [], bloom: new Uint8Array(256), returnValue: new Uint8Array(0), sender: "0x" + A, minerValue: 0n },
    micros: 1,
  };
}

/** Takes the next task and checks it is `tx` at `incarnation`. */
function expectTask(s: Stepper, tx: TxIndex, incarnation = 0): void {
  expect(s.run.stepTask()).to.deep.equal({ tx, incarnation });
}

describe("coordinator (hand-stepped, no threads)", function () {
  it("hands out the lowest ready tx, and commits each result in order once the txs below it have committed", function () {
    const s = coordinator(3);
    for (const tx of [0, 1, 2]) expectTask(s, tx);
    expect(s.run.stepTask()).to.equal(undefined);
    s.run.stepOutcome(executed(1, 0, [read(X, 0n)], [{ key: Y, value: 1n }]));
    expect(s.run.commitIndex, "tx 1 waits for tx 0").to.equal(0);
    expect(s.run.statusOf(1)).to.equal(TxStatus.Executed);
    s.run.stepOutcome(executed(0, 0, [], [{ key: balanceKey(B), value: 5n }]));
    expect(s.run.commitIndex).to.equal(2);
    s.run.stepOutcome(executed(2, 0, [read(Y, 1n, { kind: "tx", tx: 1, incarnation: 0 })], []));
    expect(s.run.commitIndex).to.equal(3);
    expect(s.stats.aborts).to.equal(0);
    // Each result was validated once when it arrived; commit trusted that.
    expect(s.stats.validations).to.equal(3);
  });

  it("a result that changes what a higher executed tx read aborts it at once: its writes become ESTIMATEs and its re-execution comes next", function () {
    const s = coordinator(3);
    for (const tx of [0, 1, 2]) expectTask(s, tx);
    s.run.stepOutcome(executed(1, 0, [read(X, 0n)], [{ key: Y, value: 1n }]));
    s.run.stepOutcome(executed(0, 0, [], [{ key: X, value: 7n }]));
    expect(s.stats.aborts).to.equal(1);
    expect(s.stats.wasted).to.deep.equal([{ tx: 1, key: X, micros: 1, cause: "abort" }]);
    expect(s.run.statusOf(1)).to.equal(TxStatus.Ready);
    expect(s.run.commitIndex, "tx 0 commits; tx 1 must run again").to.equal(1);
    expect(s.run.mv.resolve(2, Y)).to.deep.equal({ estimate: 1 });
    expectTask(s, 1, 1);
    s.run.stepOutcome(executed(1, 1, [read(X, 7n, { kind: "tx", tx: 0, incarnation: 0 })], [{ key: Y, value: 8n }]));
    expect(s.run.commitIndex).to.equal(2);
    expect(s.stats.txs[1].incarnations).to.equal(2);
  });

  it("a result whose own reads are already stale (a lagging mirror) is aborted on arrival", function () {
    const s = coordinator(2);
    expectTask(s, 0);
    expectTask(s, 1);
    s.run.stepOutcome(executed(0, 0, [], [{ key: X, value: 7n }]), 0);
    // Worker thread 1 ran tx 1 before it saw tx 0's write.
    s.run.stepOutcome(executed(1, 0, [read(X, 0n)], []), 1);
    expect(s.stats.aborts).to.equal(1);
    expect(s.run.statusOf(1)).to.equal(TxStatus.Ready);
    expect(s.stats.txs.map((t) => t.executedBy)).to.deep.equal([[1], [2]]);
  });

  it("a blocked outcome waits for its dependency's result, then is handed out again", function () {
    const s = coordinator(3);
    for (const tx of [0, 1, 2]) expectTask(s, tx);
    s.run.stepOutcome({ kind: "blocked", tx: 2, incarnation: 0, dependency: 1, key: Y, micros: 1 });
    expect(s.stats.blocked).to.equal(1);
    expect(s.run.statusOf(2)).to.equal(TxStatus.Blocked);
    expect(s.run.stepTask()).to.equal(undefined);
    s.run.stepOutcome(executed(1, 0, [], [{ key: Y, value: 1n }]));
    expectTask(s, 2, 1);
  });

  it("a re-execution that writes the same value aborts nobody above it (validation compares values, not versions)", function () {
    const s = coordinator(3);
    for (const tx of [0, 1, 2]) expectTask(s, tx);
    s.run.stepOutcome(executed(1, 0, [read(Y, 0n)], [{ key: X, value: 3n }]));
    s.run.stepOutcome(executed(2, 0, [read(X, 3n, { kind: "tx", tx: 1, incarnation: 0 })], []));
    // tx 0 writes what tx 1 read: tx 1 is aborted; tx 2 read tx 1's write.
    s.run.stepOutcome(executed(0, 0, [], [{ key: Y, value: 1n }]));
    expect(s.stats.aborts).to.equal(1);
    expect(s.run.statusOf(2), "tx 2 is not aborted with tx 1").to.equal(TxStatus.Executed);
    expectTask(s, 1, 1);
    s.run.stepOutcome(executed(1, 1, [read(Y, 1n, { kind: "tx", tx: 0, incarnation: 0 })], [{ key: X, value: 3n }]));
    expect(s.stats.aborts, "tx 2 read the same value from tx 1's new incarnation").to.equal(1);
    expect(s.run.commitIndex).to.equal(3);
    expect(s.stats.txs[2].incarnations).to.equal(1);
  });

  it("an ordinary creation (no wipe) re-validates no executed tx above it; a storage wipe re-validates every one", function () {
    const creation: Write[] = [
      { key: infoKey(CREATED), value: { nonce: 1n, codeHash: "0x" + "12".repeat(32), hasStorage: false } },
      { key: storageKey(CREATED, SLOT), value: 1n },
    ];
    const validationsFor = (writes: Write[]): number => {
      const s = coordinator(6);
      for (let tx = 0; tx < 6; tx++) expectTask(s, tx);
      for (let tx = 1; tx < 6; tx++) s.run.stepOutcome(executed(tx, 0, [read(storageKey(A, tx.toString(16).padStart(64, "0")), 0n)], []));
      const before = s.stats.validations;
      s.run.stepOutcome(executed(0, 0, [], writes));
      expect(s.run.commitIndex).to.equal(6);
      return s.stats.validations - before;
    };
    expect(validationsFor(creation), "the creator's own validation").to.equal(1);
    expect(validationsFor([...creation, { key: wipeKey(CREATED), value: 1n }]), "the creator's and the 5 executed txs above it").to.equal(6);
  });

  it("an invalid tx fails the block only when it commits: InvalidBlockError, or ExecutionBugError when execution itself broke", function () {
    for (const internal of [false, true]) {
      const s = coordinator(2);
      expectTask(s, 0);
      expectTask(s, 1);
      s.run.stepOutcome({ kind: "invalid", tx: 1, incarnation: 0, reads: [read(X, 0n)], error: "nonce too high", micros: 1, ...(internal ? { internal } : {}) });
      // tx 0's write makes tx 1's failure stale: it runs again instead of failing the block.
      s.run.stepOutcome(executed(0, 0, [], [{ key: X, value: 1n }]));
      expect(s.run.commitIndex).to.equal(1);
      expectTask(s, 1, 1);
      const failing: ExecutionOutcome = { kind: "invalid", tx: 1, incarnation: 1, reads: [read(X, 1n, { kind: "tx", tx: 0, incarnation: 0 })], error: "nonce too high", micros: 1, ...(internal ? { internal } : {}) };
      expect(() => s.run.stepOutcome(failing)).to.throw(internal ? ExecutionBugError : InvalidBlockError, /nonce too high/);
    }
  });

  it("runaway re-execution switches to in order: only the tx at the commit index is handed out, and it commits at once", function () {
    const n = 20;
    const s = coordinator(n, new FlatState(), 0.5);
    for (let tx = 0; tx < n; tx++) expectTask(s, tx);
    // Every tx above 0 read X before tx 0 wrote it: 19 aborts, far above 0.5 per commit.
    for (let tx = 1; tx < n; tx++) s.run.stepOutcome(executed(tx, 0, [read(X, 0n)], [{ key: X, value: BigInt(tx) }]));
    s.run.stepOutcome(executed(0, 0, [], [{ key: X, value: 100n }]));
    expect(s.run.inOrderMode).to.equal(true);
    expect(s.stats.fallbackReason).to.equal("runaway-reexecution");
    for (let tx = s.run.commitIndex; tx < n; tx++) {
      const task = s.run.stepTask();
      expect(task?.tx, "in order: the commit index").to.equal(tx);
      expect(s.run.stepTask(), "nothing else while it runs").to.equal(undefined);
      s.run.stepOutcome(executed(tx, task!.incarnation, [read(X, BigInt(tx === 1 ? 100 : tx - 1), { kind: "tx", tx: tx - 1, incarnation: 1 })], [{ key: X, value: BigInt(tx) }]));
      expect(s.run.commitIndex).to.equal(tx + 1);
    }
  });
});

describe("coordinator assert mode (assertCommits)", function () {
  /**
   * tx 1 read X = 0 and passed validation. tx 0's result then writes X = 7,
   * but an entry for tx 0 with X = 7 is already in the memory, recorded
   * behind the coordinator's back: record() sees no change, so targeted
   * validation does not re-check tx 1 (the kind of bug assert mode exists to
   * catch), and commit would trust tx 1's stale read.
   */
  function missedRevalidation(assertCommits: boolean): Stepper {
    const s = coordinator(2);
    s.run.assertCommits = assertCommits;
    expectTask(s, 0);
    expectTask(s, 1);
    s.run.stepOutcome(executed(1, 0, [read(X, 0n)], []));
    s.run.mv.record(0, 0, { writes: [{ key: X, value: 7n }], code: [] });
    return s;
  }

  it("without it, a tx that skipped validation wrongly commits on a stale read (what the mode guards against)", function () {
    const s = missedRevalidation(false);
    s.run.stepOutcome(executed(0, 0, [], [{ key: X, value: 7n }]));
    expect(s.run.commitIndex).to.equal(2);
  });

  it("with it, the same commit throws ValidationSkippedError naming the tx, the location and both values", function () {
    const s = missedRevalidation(true);
    expect(() => s.run.stepOutcome(executed(0, 0, [], [{ key: X, value: 7n }])))
      .to.throw(ValidationSkippedError)
      .with.property("message")
      .that.matches(/tx 1 was about to commit without re-validation, but its read of storage 0x(aa){20} slot 0x0{63}1 saw 0 from the pre-block state and the final writes below it give 7 from tx 0 incarnation 0/);
    expect(s.run.commitIndex, "tx 0 committed, tx 1 did not").to.equal(1);
  });

  it("with it, correct runs commit as before (valid skipped txs pass the check)", function () {
    const s = coordinator(3);
    s.run.assertCommits = true;
    for (const tx of [0, 1, 2]) expectTask(s, tx);
    s.run.stepOutcome(executed(2, 0, [read(X, 0n), read(Y, 0n)], []));
    s.run.stepOutcome(executed(1, 0, [read(X, 0n)], [{ key: Y, value: 1n }]));
    expectTask(s, 2, 1);
    s.run.stepOutcome(executed(0, 0, [], []));
    s.run.stepOutcome(executed(2, 1, [read(X, 0n), read(Y, 1n, { kind: "tx", tx: 1, incarnation: 0 })], []));
    expect(s.run.commitIndex).to.equal(3);
  });
});

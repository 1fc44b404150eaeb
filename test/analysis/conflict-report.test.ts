/**
 * The conflict analysis on blocks built by hand: the dependency graph and its
 * critical path, blame, the pattern classifier and the what-if bounds.
 */
import { expect } from "chai";

import { conflictGraph, distanceHistogram } from "../../plugin/analysis/conflict-graph";
import { conflictReport } from "../../plugin/analysis/conflict-report";
import { locationFacts } from "../../plugin/analysis/location-facts";
import { classify } from "../../plugin/analysis/patterns";
import type { BlockTrace, TxTrace } from "../../plugin/analysis/trace";
import { balanceKey, infoKey, storageKey } from "../../plugin/engine/location";
import type { Read, Write } from "../../plugin/engine/types";

const TOKEN = "aa".repeat(20);
const BENEFICIARY = "cc".repeat(20);
const slot = (n: number): string => n.toString(16).padStart(64, "0");
const sender = (i: number): string => i.toString(16).padStart(40, "0");

/** A read of `key` that saw `value`, written by tx `writer` (or the pre-state). */
function read(key: string, value: bigint, writer?: number): Read {
  return { key, value, origin: writer === undefined ? { kind: "base" } : { kind: "tx", tx: writer, incarnation: 0 } };
}

function tx(from: string, reads: Read[], writes: Write[], micros = 100): TxTrace {
  return { hash: "0x" + from, from, to: TOKEN, reads, writes, micros, gasUsed: 50_000n };
}

function trace(txs: TxTrace[], timestamp = 1_700_000_000n): BlockTrace {
  return { number: 1, beneficiary: BENEFICIARY, timestamp, txs, serialMicros: 0 };
}

/** n txs that each add `amount` to one counter slot: a chain through it. */
function counterChain(n: number, amount: bigint): TxTrace[] {
  const key = storageKey(TOKEN, slot(3));
  return Array.from({ length: n }, (_, i) => tx(sender(i + 1), [read(key, BigInt(i) * amount, i === 0 ? undefined : i - 1)], [{ key, value: BigInt(i + 1) * amount }]));
}

describe("conflict analysis", function () {
  it("builds the dependency graph with its locations, distances and critical path", function () {
    const a = storageKey(TOKEN, slot(1));
    const b = storageKey(TOKEN, slot(2));
    const txs = [
      tx(sender(1), [], [{ key: a, value: 1n }], 100),
      tx(sender(2), [], [{ key: b, value: 1n }], 50),
      tx(sender(3), [read(a, 1n, 0)], [], 100),
      tx(sender(4), [read(b, 1n, 1), read(a, 1n, 0)], [], 10),
    ];
    const g = conflictGraph(txs);
    expect(g.edges.map((e) => `${e.from}>${e.to}:${e.keys.length}`)).to.deep.equal(["0>2:1", "1>3:1", "0>3:1"]);
    expect(g.dependsOn).to.deep.equal([[], [], [0], [1, 0]]);
    // Heaviest chain: tx 0 (100) then tx 2 (100).
    expect(g.criticalMicros).to.equal(200);
    expect(g.criticalPath).to.deep.equal([
      { tx: 0, via: [] },
      { tx: 2, via: [a] },
    ]);
    expect([...distanceHistogram(g.edges)]).to.deep.equal([
      [2, 2],
      [3, 1],
    ]);
  });

  it("ranks a counter every tx bumps first, blames its re-executions on it, and bounds removing it", function () {
    const txs = counterChain(8, 1n);
    // Each tx also writes its own balance entry: per-user state, no conflict.
    const withOwn = txs.map((t, i) => ({ ...t, writes: [...t.writes, { key: storageKey(TOKEN, slot(1000 + i)), value: 5n }] }));
    const report = conflictReport(trace(withOwn), { modelWorkers: 4, coordinatorMicros: 0 });
    expect(report.dependentTxs).to.equal(7);
    expect(report.hotspots).to.have.length(1);
    const h = report.hotspots[0];
    expect(h.slot).to.equal("0x" + slot(3));
    expect(h.pattern).to.equal("counter");
    expect(h.commutative).to.equal(true);
    expect(h.dependentTxs).to.equal(7);
    expect(h.updateDependencies).to.equal(7);
    expect(h.blamedDependencies).to.equal(7);
    expect(h.criticalPathShare).to.be.closeTo(7 / 8, 1e-9);
    // A chain: ideal 1x as it is, 8x without the counter (8 equal independent txs).
    expect(report.bound.idealSpeedup).to.be.closeTo(1, 1e-9);
    expect(h.whatIf.idealSpeedup).to.be.closeTo(8, 1e-9);
    // Updates by an amount commute: as a delta, no tx waits.
    expect(h.whatIf.commutative!.idealSpeedup).to.be.closeTo(8, 1e-9);
    // Sharded by sender: between the two.
    expect(h.whatIf.sharded.idealSpeedup).to.be.greaterThan(1).and.at.most(8);
    // The model with 4 workers speculates and wastes incarnations on the chain; all are blamed on the counter.
    expect(h.reexecutionsSource).to.equal("model");
    expect(h.reexecutions).to.be.greaterThan(0);
    expect(h.whatIf.simulated["8"]).to.be.greaterThan(report.bound.simulated["8"]);
  });

  it("blames measured wasted incarnations on the location the engine reported", function () {
    const key = storageKey(TOKEN, slot(3));
    const t = trace(counterChain(3, 1n));
    t.measured = { workers: 2, mode: "parallel", reexecutions: 2, wasted: [{ tx: 1, key, micros: 80, cause: "abort" }, { tx: 2, key, micros: 90, cause: "estimate" }] };
    const h = conflictReport(t).hotspots[0];
    expect(h.reexecutionsSource).to.equal("measured");
    expect(h.reexecutions).to.equal(2);
    expect(h.wastedMicros).to.equal(170);
    expect(h.wastedGas).to.equal("100000");
  });

  it("reports a block without dependencies as such", function () {
    const txs = [1, 2, 3].map((i) => tx(sender(i), [read(storageKey(TOKEN, slot(i)), 0n)], [{ key: storageKey(TOKEN, slot(i)), value: 1n }]));
    const report = conflictReport(trace(txs));
    expect(report.hotspots).to.deep.equal([]);
    expect(report.dependencies).to.equal(0);
    expect(report.bound.idealSpeedup).to.be.closeTo(3, 1e-9);
  });

  describe("patterns", function () {
    const facts = (txs: TxTrace[], key: string, timestamp?: bigint) => locationFacts(trace(txs, timestamp)).get(key)!;
    const base = { beneficiary: BENEFICIARY, sameSenderChain: false, isContract: false };

    it("tells counters, accumulators, locks and timestamps apart by how writers changed the value", function () {
      const key = storageKey(TOKEN, slot(3));
      expect(classify({ ...base, facts: facts(counterChain(3, 1n), key) }).pattern).to.equal("counter");
      expect(classify({ ...base, facts: facts(counterChain(3, 7n), key) })).to.include({ pattern: "accumulator", commutative: true, origin: "application" });
      const lock = [0, 1, 2].map((i) => tx(sender(i + 1), [read(key, 1n, i === 0 ? undefined : i - 1)], [{ key, value: 1n }]));
      expect(classify({ ...base, facts: facts(lock, key) }).pattern).to.equal("reentrancy-lock");
      const now = 1_700_000_123n;
      const stamped = [0, 1].map((i) => tx(sender(i + 1), [read(key, 5n, i === 0 ? undefined : 0)], [{ key, value: (now << 64n) | 9n }]));
      expect(classify({ ...base, facts: facts(stamped, key, now) }).pattern).to.equal("timestamp");
      const blind = [0, 1].map((i) => tx(sender(i + 1), [], [{ key, value: BigInt(i) }]));
      expect(classify({ ...base, facts: facts(blind, key) })).to.include({ pattern: "shared-state", commutative: false });
    });

    it("uses the variable's name and packing when the layout gives them", function () {
      const key = storageKey(TOKEN, slot(8));
      const swaps = counterChain(2, 5n).map((t) => ({ ...t, reads: t.reads.map((r) => ({ ...r, key })), writes: t.writes.map((w) => ({ ...w, key })) }));
      const f = facts(swaps, key);
      expect(classify({ ...base, facts: f, hint: { variable: "reserve0", type: "uint112", packed: ["reserve0", "reserve1", "blockTimestampLast"], arrayLength: false } }).pattern).to.equal("amm-reserves");
      expect(classify({ ...base, facts: f, hint: { variable: "balanceOf[0x01]", type: "uint256", packed: ["balanceOf[0x01]"], arrayLength: false } }).pattern).to.equal("hot-balance");
      expect(classify({ ...base, facts: f, changedFields: [["fees"], ["lastId"]] }).pattern).to.equal("packed-slot");
      const pushes = counterChain(3, 1n);
      expect(classify({ ...base, facts: facts(pushes, storageKey(TOKEN, slot(3))), hint: { variable: "orders.length", type: "uint256", packed: ["orders.length"], arrayLength: true } }).pattern).to.equal("array-length");
    });

    it("keeps protocol conflicts apart: nonce chains and the beneficiary", function () {
      const me = sender(7);
      const nonce = infoKey(me);
      const chain = [0, 1].map((i) => tx(me, [read(nonce, 0n, i === 0 ? undefined : 0)], [{ key: nonce, value: BigInt(i + 1) }]));
      expect(classify({ ...base, facts: facts(chain, nonce), sameSenderChain: true })).to.include({ pattern: "nonce-chain", origin: "protocol" });
      const fees = balanceKey(BENEFICIARY);
      const paid = [tx(sender(1), [], [{ key: fees, value: 10n }]), tx(sender(2), [read(fees, 10n, 0)], [])];
      expect(classify({ ...base, facts: facts(paid, fees) })).to.include({ pattern: "beneficiary", origin: "protocol" });
    });
  });
});

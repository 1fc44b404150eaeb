/**
 * The test reporter's report (docs/testing.md defines every field): per
 * function, how many of its calls were in a conflict and through which
 * variables; per pair of functions, how often a call of the second depended
 * on an earlier call of the first; per batch (a block of several
 * transactions), its ideal speedup and hotspots. Built from the groups the
 * recorder kept (recorder.ts); deployments are counted, not listed.
 */
import type { TxGroup } from "./recorder";

export const TEST_REPORT_SCHEMA_VERSION = 1;

export interface ParallelTestReport {
  schemaVersion: number;
  /** The package and version that wrote it. */
  generator: string;
  /** Which network the tests ran on: only "parallel" records anything. */
  network: "parallel" | "hardhat";
  /** Why the report is empty or partial, when it is. */
  notes: string[];
  totals: ReportTotals;
  functions: FunctionRow[];
  pairs: PairRow[];
  batches: BatchRow[];
}

export interface ReportTotals {
  /** Transactions mined while the tests ran (deployments included). */
  txs: number;
  deployments: number;
  /** Blocks of several transactions. */
  batches: number;
  /** Runs of one-transaction blocks against one evolving state (recorder.ts). */
  sequences: number;
}

export interface FunctionRow {
  /** `Contract.function`. */
  function: string;
  calls: number;
  /** Calls that depended on an earlier transaction of their group, or that a later one depended on. */
  inConflict: number;
  /** inConflict / calls, 0 to 1. */
  conflictShare: number;
  /** The variables behind its dependencies, the busiest first (at most 5). */
  variables: { variable: string; dependencies: number }[];
}

export interface PairRow {
  earlier: string;
  later: string;
  /** Pairs of calls (earlier before later, in one group). */
  pairs: number;
  /** Of those, pairs in which the later call depended on the earlier one. */
  conflicts: number;
  /** The variables of those dependencies, the busiest first (at most 3). */
  variables: string[];
}

export interface BatchRow {
  /** The test that mined it, and `#2`, `#3` ... for a test's later batches. */
  test: string;
  block: number;
  txs: number;
  dependentTxs: number;
  idealSpeedup: number;
  hotspots: string[];
}

/** Pairs examined per group at most: a batch of 2,000 transactions already gives two million. */
const MAX_PAIRS_PER_GROUP = 2_000_000;

export function buildReport(groups: readonly TxGroup[], meta: { generator: string; network: ParallelTestReport["network"]; notes: string[] }): ParallelTestReport {
  const functions = new Map<string, { calls: number; inConflict: number; variables: Map<string, number> }>();
  const pairs = new Map<string, { earlier: string; later: string; pairs: number; conflicts: number; variables: Map<string, number> }>();
  const totals: ReportTotals = { txs: 0, deployments: 0, batches: 0, sequences: 0 };
  const batches: BatchRow[] = [];
  const batchesPerTest = new Map<string, number>();
  const fn = (call: string) => {
    let f = functions.get(call);
    if (f === undefined) functions.set(call, (f = { calls: 0, inConflict: 0, variables: new Map() }));
    return f;
  };
  const pair = (earlier: string, later: string) => {
    const id = `${earlier}\n${later}`;
    let p = pairs.get(id);
    if (p === undefined) pairs.set(id, (p = { earlier, later, pairs: 0, conflicts: 0, variables: new Map() }));
    return p;
  };
  for (const g of groups) {
    totals.txs += g.txs.length;
    if (g.kind === "batch") totals.batches++;
    else totals.sequences++;
    const conflicted = new Set<number>();
    for (const e of g.edges) {
      conflicted.add(e.from).add(e.to);
      const p = pair(g.txs[e.from].call, g.txs[e.to].call);
      p.conflicts++;
      for (const v of e.variables) {
        bump(p.variables, v);
        bump(fn(g.txs[e.from].call).variables, v);
        bump(fn(g.txs[e.to].call).variables, v);
      }
    }
    const calls = g.txs.map((tx, i) => ({ tx, i })).filter(({ tx }) => !tx.creation);
    totals.deployments += g.txs.length - calls.length;
    for (const { tx, i } of calls) {
      const f = fn(tx.call);
      f.calls++;
      if (conflicted.has(i)) f.inConflict++;
    }
    if (calls.length * calls.length <= 2 * MAX_PAIRS_PER_GROUP) {
      for (let a = 0; a < calls.length; a++) for (let b = a + 1; b < calls.length; b++) pair(calls[a].tx.call, calls[b].tx.call).pairs++;
    }
    if (g.batch !== undefined) {
      const n = (batchesPerTest.get(g.test) ?? 0) + 1;
      batchesPerTest.set(g.test, n);
      batches.push({ test: n === 1 ? g.test : `${g.test} #${n}`, block: g.batch.block, txs: g.txs.length, dependentTxs: g.batch.dependentTxs, idealSpeedup: round(g.batch.idealSpeedup), hotspots: g.batch.hotspots });
    }
  }
  return {
    schemaVersion: TEST_REPORT_SCHEMA_VERSION,
    generator: meta.generator,
    network: meta.network,
    notes: meta.notes,
    totals,
    functions: [...functions]
      .filter(([, f]) => f.calls > 0)
      .map(([name, f]) => ({ function: name, calls: f.calls, inConflict: f.inConflict, conflictShare: round(f.inConflict / f.calls), variables: busiest(f.variables, 5).map(([variable, dependencies]) => ({ variable, dependencies })) }))
      .sort((a, b) => b.conflictShare - a.conflictShare || b.calls - a.calls || (a.function < b.function ? -1 : 1)),
    pairs: [...pairs.values()]
      .filter((p) => p.pairs > 0 || p.conflicts > 0)
      .map((p) => ({ earlier: p.earlier, later: p.later, pairs: p.pairs, conflicts: p.conflicts, variables: busiest(p.variables, 3).map(([v]) => v) }))
      .sort((a, b) => b.conflicts - a.conflicts || b.pairs - a.pairs || (`${a.earlier}${a.later}` < `${b.earlier}${b.later}` ? -1 : 1)),
    batches,
  };
}

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function busiest(counts: Map<string, number>, n: number): [string, number][] {
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n);
}

/** Four decimals: enough for shares and speedups, and stable in a baseline file. */
function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

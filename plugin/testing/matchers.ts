/**
 * Chai matchers on a mined Batch (batch.ts), registered with `chai.use`:
 *
 *   expect(batch).to.be.conflictFree();
 *   expect(batch).to.have.conflictRateBelow(0.1);   // share of txs depending on an earlier one
 *   expect(batch).to.have.hotspot("AmmPair.reserve0");
 *   expect(batch).not.to.have.hotspot("TestToken._balances");
 *   expect(batch).to.matchSequentialExecution();
 *   expect(batch).to.have.conflictBetween("mint", "transfer");   // some call of one depended on a call of the other
 *   expect(batch).not.to.have.conflictBetween("TestToken.transfer", "TestToken.transfer");
 *
 * Failure messages name the block's hotspots, so a test says which variable
 * made transactions conflict.
 */
import { variableRoot } from "../analysis/calls";
import type { Hotspot } from "../analysis/conflict-report";
import type { Batch } from "./batch";

/* eslint-disable @typescript-eslint/no-explicit-any */
type ChaiStatic = any;
type ChaiUtils = any;

export function parallelMatchers(chai: ChaiStatic, utils: ChaiUtils): void {
  const { Assertion } = chai;
  const batchOf = (assertion: any, matcher: string): Batch => {
    const batch = utils.flag(assertion, "object") as Batch;
    if (batch === null || typeof batch !== "object" || batch.conflicts === undefined) {
      throw new TypeError(`${matcher} works on what mineBatch returns (a batch mined as one block on the parallel network), got ${utils.inspect(batch)}`);
    }
    return batch;
  };

  Assertion.addMethod("conflictFree", function (this: any) {
    const batch = batchOf(this, "conflictFree");
    this.assert(
      batch.conflicts.dependencies === 0,
      `expected the batch of ${batch.txs} txs to be conflict-free, but ${batch.conflicts.dependentTxs} depend on an earlier one${hotspotList(batch)}`,
      `expected the batch of ${batch.txs} txs to have conflicts, but none depends on another`,
    );
  });

  Assertion.addMethod("conflictRateBelow", function (this: any, bound: number) {
    if (!(typeof bound === "number" && bound >= 0 && bound <= 1)) throw new TypeError(`conflictRateBelow takes a share from 0 to 1, got ${utils.inspect(bound)}`);
    const batch = batchOf(this, "conflictRateBelow");
    const rate = batch.conflicts.dependentTxs / Math.max(1, batch.txs);
    this.assert(
      rate < bound,
      `expected under ${pct(bound)} of the batch's txs to depend on an earlier one, but ${pct(rate)} do (${batch.conflicts.dependentTxs} of ${batch.txs})${hotspotList(batch)}`,
      `expected at least ${pct(bound)} of the batch's txs to depend on an earlier one, but ${pct(rate)} do`,
    );
  });

  Assertion.addMethod("hotspot", function (this: any, name: string) {
    if (typeof name !== "string" || !/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(name)) {
      throw new TypeError(`hotspot takes "Contract.variable" or "variable" (a struct member as "Contract.variable.member"), e.g. "AmmPair.reserve0", got ${utils.inspect(name)}`);
    }
    const batch = batchOf(this, "hotspot");
    const touched = batch.conflicts.variables;
    if (touched !== undefined && !touched.some((v) => variableMatches(v, name))) {
      throw new TypeError(`hotspot("${name}"): the batch's transactions read or wrote no variable of that name; they touched ${touched.length === 0 ? "no named variable" : touched.slice(0, 12).join(", ")}`);
    }
    const found = batch.conflicts.hotspots.find((h) => matches(h, name));
    this.assert(
      found !== undefined,
      `expected ${name} to be a hotspot of the batch${hotspotList(batch)}`,
      `expected ${name} not to be a hotspot of the batch, but it is: ${found?.display} (${found?.dependentTxs} dependent txs, ${found?.pattern}). ${found?.remedy}`,
    );
  });

  Assertion.addMethod("conflictBetween", function (this: any, first: string, second: string) {
    for (const name of [first, second]) {
      if (typeof name !== "string" || !/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)?$/.test(name)) {
        throw new TypeError(`conflictBetween takes two function names, "Contract.function" or "function", e.g. ("mint", "transfer"), got ${utils.inspect(name)}`);
      }
    }
    const batch = batchOf(this, "conflictBetween");
    const calls = batch.conflicts.calls ?? [];
    for (const name of [first, second]) {
      if (!calls.some((c) => callMatches(c, name))) {
        throw new TypeError(`conflictBetween("${first}", "${second}"): no transaction of the batch calls ${name}; it calls ${[...new Set(calls)].slice(0, 12).join(", ") || "nothing named"}`);
      }
    }
    const edges = batch.conflicts.graph?.edges ?? [];
    const between = edges.filter(([from, to]) => (callMatches(calls[from], first) && callMatches(calls[to], second)) || (callMatches(calls[from], second) && callMatches(calls[to], first)));
    const shown = between.slice(0, 3).map(([from, to]) => `tx ${to} (${calls[to]}) on tx ${from} (${calls[from]})`).join(", ");
    this.assert(
      between.length > 0,
      `expected a call of ${first} and a call of ${second} in the batch to conflict, but none depends on the other${hotspotList(batch)}`,
      `expected no call of ${first} and ${second} in the batch to conflict, but ${between.length} depend on one another: ${shown}${hotspotList(batch)}`,
    );
  });

  Assertion.addMethod("matchSequentialExecution", function (this: any) {
    const batch = batchOf(this, "matchSequentialExecution");
    this.assert(
      batch.verified,
      `expected the batch to have run in parallel and matched sequential execution, but it ran ${batch.mode}${batch.mode === "sequential" ? " (fewer txs than parallel.minTxsForParallel, or a nonce chain)" : ""}`,
      "expected the batch not to have been verified against sequential execution, but it was",
    );
  });
}

/** A hotspot's names as `Contract.variable.member` labels: its variable, keys left out, and those packed beside it. */
function hotspotLabels(h: Hotspot): string[] {
  const contract = h.contract ?? "?";
  const own = h.variable === null ? [] : [`${contract}.${variableRoot(h.variable)}`];
  return [...own, ...h.packedWith.map((p) => `${contract}.${variableRoot(p)}`)];
}

function matches(h: Hotspot, name: string): boolean {
  return hotspotLabels(h).some((label) => variableMatches(label, name));
}

/**
 * A `Contract.variable.member` label against a name: "Contract.variable",
 * "variable", "variable.member" or "Contract.variable.member"; a name
 * matches every member below it (`_markets` matches `_markets.cash`).
 */
function variableMatches(label: string, name: string): boolean {
  const [contract, ...path] = label.split(".");
  const wanted = name.split(".");
  const startsWith = (segments: string[], prefix: string[]) => prefix.length <= segments.length && prefix.every((p, i) => segments[i] === p);
  return startsWith(path, wanted) || (wanted[0] === contract && wanted.length > 1 && startsWith(path, wanted.slice(1)));
}

/** "Contract.function" matches that call (an overloaded one by its name too); "function" any contract's. */
function callMatches(call: string | undefined, name: string): boolean {
  if (call === undefined) return false;
  const bare = call.replace(/\(.*$/, "");
  return name.includes(".") ? bare === name : bare.slice(bare.lastIndexOf(".") + 1) === name;
}

function hotspotList(batch: Batch): string {
  const hs = batch.conflicts.hotspots;
  return hs.length === 0 ? "" : `; hotspots: ${hs.slice(0, 3).map((h) => `${h.display} (${h.dependentTxs} dependent txs)`).join("; ")}`;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

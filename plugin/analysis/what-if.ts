/**
 * What-if bounds for one hotspot: the block's ideal and simulated speedups
 * had that location stopped conflicting, been sharded N ways, or been
 * updated as a commutative delta. Each rebuilds the dependency graph with
 * the location's dependencies dropped where the change would drop them, and
 * runs the same ideal-speedup rule and scheduler model as the block itself.
 */
import type { LocationKey, TxIndex } from "../engine/types";
import { conflictGraph } from "./conflict-graph";
import type { ConflictGraph } from "./conflict-graph";
import type { LocationFacts } from "./location-facts";
import { simulateBlockStm } from "./simulate";
import type { BlockTrace } from "./trace";

/** Worker counts the report simulates (metrics.md: simulated speedup). */
export const WHAT_IF_WORKERS = [2, 8, 32] as const;

export interface SpeedupBound {
  /** Total work / critical path (uncapped). */
  idealSpeedup: number;
  /** Scheduler model, end to end, at 2, 8 and 32 workers. */
  simulated: Record<string, number>;
}

export interface ModelSettings {
  /** Calling-thread time per finished incarnation, µs. */
  coordinatorMicros: number;
  serialMicros: number;
}

/** Ideal speedup and model speedups of a graph. */
export function boundOf(graph: ConflictGraph, model: ModelSettings): SpeedupBound {
  const total = graph.work.reduce((a, b) => a + b, 0);
  const simulated: Record<string, number> = {};
  for (const workers of WHAT_IF_WORKERS) {
    simulated[workers] = simulateBlockStm({ work: graph.work, dependsOn: graph.dependsOn, ...model }, workers).speedup;
  }
  return { idealSpeedup: graph.criticalMicros > 0 ? total / graph.criticalMicros : 1, simulated };
}

export interface WhatIf extends SpeedupBound {
  /** The location split N ways by sender (each sender's share in its own slot). */
  sharded: SpeedupBound & { ways: number };
  /** Delta writes: updates by an amount no longer depend on each other (null when some writer set the value outright). */
  commutative: (SpeedupBound & { note: string }) | null;
}

/** Which shard a sender's share of a location lands in (stable across runs). */
function shardOf(sender: string, ways: number): number {
  return Number.parseInt(sender.slice(-8), 16) % ways;
}

/** `commutes`: the classifier found the location updated only by additions (patterns.ts). */
export function whatIf(trace: BlockTrace, key: LocationKey, facts: LocationFacts | undefined, commutes: boolean, model: ModelSettings, ways: number): WhatIf {
  const txs = trace.txs;
  const other = (_tx: TxIndex, k: LocationKey): boolean => k !== key;
  const removed = boundOf(conflictGraph(txs, other), model);
  const sharded = boundOf(
    conflictGraph(txs, (tx, k, writer) => k !== key || shardOf(txs[tx].from, ways) === shardOf(txs[writer].from, ways)),
    model,
  );
  let commutative: WhatIf["commutative"] = null;
  if (commutes && facts !== undefined) {
    // A reader that itself updates the location by an amount no longer needs the earlier value; plain readers still do.
    const updaters = new Set(facts.writers);
    commutative = {
      ...boundOf(conflictGraph(txs, (tx, k) => k !== key || !updaters.has(tx)), model),
      note: "transactions that only read it still wait for the writers before them",
    };
  }
  return { ...removed, sharded: { ...sharded, ways }, commutative };
}

/**
 * A block's dependency graph with its edges labelled by location: tx j
 * depends on tx i < j through location L when j read L and the value it saw
 * was i's write (metrics.md). The critical path (the heaviest chain of
 * dependencies, weighted by execution time) is kept link by link, so each
 * location's share of it can be told.
 */
import type { LocationKey, TxIndex } from "../engine/types";
import { dependencyOf } from "./dependencies";
import type { TxTrace } from "./trace";

export interface Dependency {
  /** The writer. */
  from: TxIndex;
  /** The reader. */
  to: TxIndex;
  /** Locations the reader saw the writer's value at. */
  keys: LocationKey[];
}

export interface ConflictGraph {
  txCount: number;
  edges: Dependency[];
  /** Per tx, the lower txs it depends on. */
  dependsOn: TxIndex[][];
  /** Per tx, its execution time (µs). */
  work: number[];
  /** The heaviest chain, first tx first; each entry after the first names the link that made it wait. */
  criticalPath: { tx: TxIndex; via: LocationKey[] }[];
  /** Length of the critical path (µs). */
  criticalMicros: number;
}

/** Optionally ignores some reads: `keep(tx, key)` false drops that dependency (the what-if bounds). */
export function conflictGraph(txs: readonly Pick<TxTrace, "reads" | "micros">[], keep?: (tx: TxIndex, key: LocationKey, writer: TxIndex) => boolean): ConflictGraph {
  const n = txs.length;
  const edges: Dependency[] = [];
  const dependsOn: TxIndex[][] = [];
  const work = txs.map((t) => t.micros);
  const finish = new Float64Array(n);
  const waitedOn = new Int32Array(n).fill(-1);
  let last = -1;
  for (let j = 0; j < n; j++) {
    const byWriter = new Map<TxIndex, LocationKey[]>();
    for (const read of txs[j].reads) {
      const writer = dependencyOf(read, j);
      if (writer === undefined || (keep !== undefined && !keep(j, read.key, writer))) continue;
      const keys = byWriter.get(writer);
      if (keys === undefined) byWriter.set(writer, [read.key]);
      else keys.push(read.key);
    }
    let start = 0;
    for (const [from, keys] of byWriter) {
      edges.push({ from, to: j, keys });
      if (finish[from] > start) {
        start = finish[from];
        waitedOn[j] = from;
      }
    }
    dependsOn.push([...byWriter.keys()]);
    finish[j] = start + work[j];
    if (last < 0 || finish[j] > finish[last]) last = j;
  }
  const criticalPath: ConflictGraph["criticalPath"] = [];
  const edgeKeys = new Map(edges.map((e) => [`${e.from}>${e.to}`, e.keys]));
  for (let tx = last; tx >= 0; tx = waitedOn[tx]) {
    const before = waitedOn[tx];
    criticalPath.push({ tx, via: before >= 0 ? edgeKeys.get(`${before}>${tx}`)! : [] });
  }
  criticalPath.reverse();
  return { txCount: n, edges, dependsOn, work, criticalPath, criticalMicros: last >= 0 ? finish[last] : 0 };
}

/** How many dependencies span each distance j - i (distance 1: adjacent transactions). */
export function distanceHistogram(edges: readonly Dependency[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const e of edges) counts.set(e.to - e.from, (counts.get(e.to - e.from) ?? 0) + 1);
  return new Map([...counts].sort((a, b) => a[0] - b[0]));
}

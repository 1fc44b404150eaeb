/**
 * `parallel_getBlockReport`: how a mined block executed and what limited its
 * parallelism. Execution (mode, fallback and why, threads, re-executions,
 * timings) comes from the engine's stats; the dependencies and the busiest
 * locations behind them come from the conflict graph (conflict-graph.ts),
 * the same one `parallel-conflicts` ranks and names.
 */
import type { BlockStats, LocationKey, Read, TxWriteSet } from "../engine/types";
import { describeLocation } from "../engine/location";
import { conflictGraph } from "./conflict-graph";
import { idealSpeedup } from "./ideal";

/** What the report needs of a block, however it was executed. */
export interface ExecutedBlock {
  number: bigint;
  txHashes: string[];
  stats: BlockStats | undefined;
  reads: Read[][];
  writeSets: TxWriteSet[];
  /** Also run sequentially and compared; then the speedup is measured. */
  verified: boolean;
  sequentialMs?: number;
}

export interface BlockReportOptions {
  /** Also list every tx's read and write locations (large for big blocks). */
  details?: boolean;
}

/** Hotspots listed per block, the busiest first. */
const HOTSPOTS = 10;

export function blockReport(b: ExecutedBlock, opts: BlockReportOptions = {}): Record<string, unknown> {
  const { stats, reads, writeSets } = b;
  const n = b.txHashes.length;
  const work = Array.from({ length: n }, (_, i) => stats?.txs[i]?.micros ?? 0);
  const ideal = idealSpeedup(reads, work);
  const graph = conflictGraph(Array.from({ length: n }, (_, i) => ({ reads: reads[i] ?? [], micros: work[i] })));
  const incoming = Array.from({ length: n }, () => [] as { tx: number; keys: LocationKey[] }[]);
  for (const e of graph.edges) incoming[e.to].push({ tx: e.from, keys: e.keys });
  // Per location: the txs whose reads depended on an earlier tx's write there.
  const dependents = new Map<LocationKey, number>();
  const transactions = b.txHashes.map((hash, j) => {
    for (const key of new Set(incoming[j].flatMap((d) => d.keys))) dependents.set(key, (dependents.get(key) ?? 0) + 1);
    return {
      hash,
      incarnations: stats?.txs[j]?.incarnations ?? 1,
      executionMicros: Math.round(work[j]),
      reads: reads[j]?.length ?? 0,
      writes: writeSets[j]?.writes.length ?? 0,
      dependsOn: incoming[j].map((d) => ({ tx: d.tx, locations: d.keys.map(describeLocation) })),
      ...(opts.details === true
        ? { readSet: (reads[j] ?? []).map((read) => describeLocation(read.key)), writeSet: (writeSets[j]?.writes ?? []).map((w) => describeLocation(w.key)) }
        : {}),
    };
  });
  const hotspots = [...dependents]
    .sort((a, b) => b[1] - a[1])
    .slice(0, HOTSPOTS)
    .map(([key, txs]) => ({ location: describeLocation(key), dependentTxs: txs }));
  const workers = stats?.workers ?? 1;
  return {
    number: "0x" + b.number.toString(16),
    mode: stats?.mode ?? "genesis",
    fallbackReason: stats?.fallbackReason ?? null,
    events: stats?.events ?? [],
    workers: stats?.workers ?? 0,
    executedBy: stats?.executedBy ?? null,
    reexecutions: stats?.reexecutions ?? 0,
    aborts: stats?.aborts ?? 0,
    executionMs: stats?.executionMs ?? 0,
    coordinatorMs: stats?.coordinatorMs ?? 0,
    verified: b.verified,
    sequentialMs: b.sequentialMs ?? null,
    speedup: b.sequentialMs !== undefined && stats !== undefined && stats.wallMs > 0 ? b.sequentialMs / stats.wallMs : null,
    dependentTxs: transactions.filter((t) => t.dependsOn.length > 0).length,
    // Work per tx is its measured execution time (metrics.md, ideal speedup).
    idealSpeedup: { unbounded: ideal.unbounded, atWorkers: ideal.capped(workers) },
    hotspots,
    transactions,
  };
}

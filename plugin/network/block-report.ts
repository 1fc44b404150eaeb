/**
 * `parallel_getBlockReport`: how a mined block executed and what limited its
 * parallelism. Execution (mode, fallback and why, threads, re-executions,
 * timings) comes from the engine's stats; the conflicts come from the read
 * sets: tx j depends on tx i < j when j read a value i wrote, and the
 * locations behind those dependencies are the block's hotspots.
 */
import { dependencyOf } from "../analysis/dependencies";
import { idealSpeedup } from "../analysis/ideal";
import { describeLocation } from "../engine/location";
import type { LocationKey } from "../engine/types";
import type { MinedBlock } from "./chain";
import { quantity } from "./format";

export interface BlockReportOptions {
  /** Also list every tx's read and write locations (large for big blocks). */
  details?: boolean;
}

/** Hotspots listed per block, the busiest first. */
const HOTSPOTS = 10;

export function blockReport(mined: MinedBlock, opts: BlockReportOptions = {}): Record<string, unknown> {
  const { stats, reads, writeSets } = mined.result;
  const n = mined.receipts.length;
  const work = Array.from({ length: n }, (_, i) => stats?.txs[i]?.micros ?? 0);
  const ideal = idealSpeedup(reads, work);
  // Per location: the txs whose reads depended on an earlier tx's write there.
  const dependents = new Map<LocationKey, number>();
  const transactions = mined.receipts.map((r, j) => {
    const dependsOn = new Map<number, Set<LocationKey>>();
    for (const read of reads[j] ?? []) {
      const writer = dependencyOf(read, j);
      if (writer === undefined) continue;
      let keys = dependsOn.get(writer);
      if (keys === undefined) dependsOn.set(writer, (keys = new Set()));
      keys.add(read.key);
    }
    const locations = new Set([...dependsOn.values()].flatMap((keys) => [...keys]));
    for (const key of locations) dependents.set(key, (dependents.get(key) ?? 0) + 1);
    return {
      hash: r.txHash,
      incarnations: stats?.txs[j]?.incarnations ?? 1,
      executionMicros: Math.round(work[j]),
      reads: reads[j]?.length ?? 0,
      writes: writeSets[j]?.writes.length ?? 0,
      dependsOn: [...dependsOn].map(([tx, keys]) => ({ tx, locations: [...keys].map(describeLocation) })),
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
    number: quantity(mined.block.header.number),
    mode: stats?.mode ?? "genesis",
    fallbackReason: stats?.fallbackReason ?? null,
    events: stats?.events ?? [],
    workers: stats?.workers ?? 0,
    executedBy: stats?.executedBy ?? null,
    reexecutions: stats?.reexecutions ?? 0,
    aborts: stats?.aborts ?? 0,
    executionMs: stats?.executionMs ?? 0,
    coordinatorMs: stats?.coordinatorMs ?? 0,
    // Also run sequentially and compared (parallel_setVerification, parallel.verify); then the speedup is measured.
    verified: mined.verified === true,
    sequentialMs: mined.sequentialMs ?? null,
    speedup: mined.sequentialMs !== undefined && stats !== undefined && stats.wallMs > 0 ? mined.sequentialMs / stats.wallMs : null,
    dependentTxs: transactions.filter((t) => t.dependsOn.length > 0).length,
    // Work per tx is its measured execution time (metrics.md, ideal speedup).
    idealSpeedup: { unbounded: ideal.unbounded, atWorkers: ideal.capped(workers) },
    hotspots,
    transactions,
  };
}

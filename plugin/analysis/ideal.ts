/**
 * Ideal speedup from a block's dependency graph (metrics.md): tx j depends on
 * tx i < j when j read a value that i wrote. Work per tx is its measured
 * execution time; the critical path is the heaviest dependency chain, and the
 * ideal speedup is total work divided by it, capped by the worker count.
 */
import type { Read } from "../engine/types";
import { dependencyOf } from "./dependencies";

export interface IdealSpeedup {
  totalWork: number;
  criticalPath: number;
  /** Uncapped: total work / critical path. */
  unbounded: number;
  /** Capped by the worker count. */
  capped(workers: number): number;
  /** Share of txs that depend on an earlier tx of the block. */
  dependentShare: number;
}

export function idealSpeedup(reads: Read[][], work: number[]): IdealSpeedup {
  const n = reads.length;
  const finish = new Float64Array(n);
  let total = 0;
  let longest = 0;
  let dependent = 0;
  for (let j = 0; j < n; j++) {
    let start = 0;
    let depends = false;
    for (const r of reads[j]) {
      const writer = dependencyOf(r, j);
      if (writer === undefined) continue;
      depends = true;
      if (finish[writer] > start) start = finish[writer];
    }
    if (depends) dependent++;
    finish[j] = start + work[j];
    total += work[j];
    if (finish[j] > longest) longest = finish[j];
  }
  const unbounded = longest > 0 ? total / longest : 1;
  return {
    totalWork: total,
    criticalPath: longest,
    unbounded,
    capped: (workers) => Math.min(workers, unbounded),
    dependentShare: n > 0 ? dependent / n : 0,
  };
}

/**
 * Fault and timing injection for the engine's own tests, shared by the
 * calling thread (parallel.ts) and the worker threads (worker.ts). Nothing
 * here runs unless a ParallelOptions test field asks for it.
 */
import type { Incarnation, LocationKey, TxIndex } from "./types";

/**
 * Makes one read of one transaction's first incarnation hit an ESTIMATE, as
 * if `dependency` had been aborted: the `access`-th access (1-based, counting
 * cached and overlay accesses through the account and storage getters) of
 * `key`. Lets a test put the ESTIMATE where @ethereumjs catches exceptions
 * (the value transfer of a call frame) and check the incarnation is still
 * re-run, never committed as a failed transfer.
 */
export interface ForcedEstimate {
  tx: TxIndex;
  key: LocationKey;
  /** Default 1. */
  access?: number;
  /** The tx the ESTIMATE belongs to. Default tx - 1. */
  dependency?: TxIndex;
}

/** What a TxStateManager needs to fire a forced ESTIMATE in one incarnation. */
export interface ArmedEstimate {
  key: LocationKey;
  access: number;
  dependency: TxIndex;
}

/** The forced ESTIMATE for this incarnation, if the hook targets it (first incarnations only, so the re-run completes). */
export function armedEstimate(hook: ForcedEstimate | undefined, tx: TxIndex, incarnation: Incarnation): ArmedEstimate | undefined {
  if (hook === undefined || hook.tx !== tx || incarnation !== 0) return undefined;
  const dependency = hook.dependency ?? tx - 1;
  if (dependency < 0 || dependency >= tx) throw new Error(`forceEstimate: dependency ${dependency} of tx ${tx} must be a lower tx`);
  return { key: hook.key, access: hook.access ?? 1, dependency };
}

/**
 * Random delay before an execution, deterministic per (seed, thread, tx,
 * incarnation): the same run jitters the same way. `thread` is the claim-board
 * id (1 the calling thread, 2 and up the worker threads), so threads running
 * the same incarnation do not wait alike.
 */
export function jitterMicros(seed: number, thread: number, tx: number, incarnation: number, max: number): number {
  let h = (seed ^ Math.imul(thread, 0x27d4eb2f) ^ Math.imul(tx + 1, 0x9e3779b1) ^ Math.imul(incarnation + 7, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) % (max + 1);
}

/** Waits the jitter for this execution (nothing when jitter is off or draws 0). */
export async function jitter(config: [number, number] | undefined, thread: number, tx: TxIndex, incarnation: Incarnation): Promise<void> {
  if (config === undefined) return;
  const wait = jitterMicros(config[0], thread, tx, incarnation, config[1]);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait / 1000));
}

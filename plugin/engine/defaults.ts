/**
 * The parallel executor's defaults, in a module with no imports so that the
 * Hardhat config (plugin/hardhat/config.ts) can share them without loading
 * the engine.
 */
export const PARALLEL_DEFAULTS = {
  /** Blocks with fewer transactions run sequentially. */
  minTxsForParallel: 8,
  /** Wasted execution time per committed execution time above which the rest of the block runs in order. */
  maxReexecutionRatio: 1,
  /** What a worker failure does to the block. */
  onWorkerFailure: "sequential",
} as const;

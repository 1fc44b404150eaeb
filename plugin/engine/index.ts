/**
 * The engine's public surface. It imports nothing from Hardhat.
 *
 *   const executor = new ParallelExecutor({ workers: 4 });
 *   const result = await executeBlock({ block, preState, blockHashes }, { executor });
 *   await executor.close();
 *
 * Without an executor, the block runs on the sequential executor (the oracle).
 */
import type { BlockResult } from "./block-result";
import { ParallelExecutor } from "./parallel";
import type { ParallelBlockInput } from "./parallel";
import { executeBlockSequential } from "./sequential";

export { BlockOverlay } from "./block-overlay";
export { BlockGasLimitExceededError, InvalidBlockError } from "./block-result";
export type { BlockResult, TxReceipt } from "./block-result";
export { firstDifference } from "./compare";
export type { BlockDifference, CompareOptions } from "./compare";
export { FlatState, StateDiff } from "./flat-state";
export type { FlatAccount } from "./flat-state";
export { describeLocation } from "./location";
export { ParallelExecutor } from "./parallel";
export type { ParallelBlockInput, ParallelOptions } from "./parallel";
export type { BlockInput, ExecutionRules } from "./prepare";
export { executeBlockSequential } from "./sequential";
export { StateRootComputer } from "./state-root";
export type * from "./types";

/** Executes a block in parallel on `executor`, or sequentially when none is given. */
export function executeBlock(input: ParallelBlockInput, opts: { executor?: ParallelExecutor } = {}): Promise<BlockResult> {
  return opts.executor === undefined ? executeBlockSequential(input) : opts.executor.executeBlock(input);
}

/**
 * Turns a caller's block into the form the executors run: the block rebuilt
 * on a Common that recovers senders natively. Rebuilding also detaches the
 * engine from the caller's objects (their caches, their Common).
 */
import type { Block } from "@ethereumjs/block";
import { createBlockFromRLP } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";

import { withFastCrypto } from "./crypto";
import type { FlatState } from "./flat-state";
import type { BlockHashes } from "./tx-executor";

export interface BlockInput {
  /** The block: header environment, signed transactions, withdrawals, ommers. */
  block: Block;
  /** The state before the block. It is not modified. */
  preState: FlatState;
  /** Hashes of earlier blocks, for BLOCKHASH (number -> hash). */
  blockHashes?: BlockHashes;
  /** Compute the post-state root (default true). */
  computeStateRoot?: boolean;
}

export function prepareBlock(input: BlockInput): { block: Block; common: Common } {
  const common = withFastCrypto(input.block.common);
  const block = createBlockFromRLP(input.block.serialize(), { common, freeze: true });
  return { block, common };
}

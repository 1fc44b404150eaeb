/**
 * The end of every block, whichever executor ran it: the post phase
 * (withdrawals, rewards, requests), receipts, and the state root computed
 * once from the block's diff.
 */
import type { Block } from "@ethereumjs/block";
import { performance } from "node:perf_hooks";

import type { BlockOverlay } from "./block-overlay";
import { runPostPhase } from "./block-phases";
import { assembleReceipts } from "./block-result";
import type { BlockResult } from "./block-result";
import type { BlockInput } from "./prepare";
import { StateRootComputer } from "./state-root";
import type { TxExecutor } from "./tx-executor";
import type { BlockStats, Read, TxReceiptData, TxWriteSet } from "./types";

const rootComputers = new WeakMap<object, StateRootComputer>();

/** One persistent trie per pre-state object, so repeated blocks on it stay cheap. */
export function stateRootComputerFor(state: object): StateRootComputer {
  let c = rootComputers.get(state);
  if (c === undefined) rootComputers.set(state, (c = new StateRootComputer()));
  return c;
}

export interface FinishArgs {
  input: BlockInput;
  block: Block;
  executor: TxExecutor;
  overlay: BlockOverlay;
  receipts: TxReceiptData[];
  reads: Read[][];
  writeSets: TxWriteSet[];
  stats: BlockStats;
  started: number;
}

export async function finishBlock(a: FinishArgs): Promise<BlockResult> {
  const requestsHash = await runPostPhase(a.executor, a.block, a.overlay, a.receipts.map((r) => r.logs));
  const assembled = await assembleReceipts(a.block, a.receipts);
  const diff = a.overlay.toDiff();
  let stateRoot: Uint8Array | undefined;
  if (a.input.computeStateRoot !== false) {
    const t = performance.now();
    stateRoot = await stateRootComputerFor(a.input.preState).compute(a.input.preState, diff, { dryRun: true });
    a.stats.stateRootMs = performance.now() - t;
  }
  a.stats.wallMs = performance.now() - a.started;
  return { ...assembled, requestsHash, diff, stateRoot, reads: a.reads, writeSets: a.writeSets, stats: a.stats };
}

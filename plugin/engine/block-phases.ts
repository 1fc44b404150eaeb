/**
 * What a block does besides its transactions, run sequentially around them
 * with the same TxStateManager and @ethereumjs helpers that runBlock uses:
 * before the transactions, the EIP-4788 beacon root and EIP-2935 history
 * writes; after them, withdrawals, proof-of-work rewards and EIP-7685
 * requests. Both executors call these, so they agree by construction.
 */
import type { Block } from "@ethereumjs/block";
import { genRequestsRoot } from "@ethereumjs/block";
import { ConsensusType, Hardfork } from "@ethereumjs/common";
import { GWEI_TO_WEI, bytesToUnprefixedHex } from "@ethereumjs/util";
import { sha256 } from "@noble/hashes/sha2.js";

import type { BlockOverlay } from "./block-overlay";
import type { TxExecutor } from "./tx-executor";
import type { LogEntry, TxIndex } from "./types";

import { requestsInternals, runBlockInternals } from "./vm-internals";

const { accumulateParentBeaconBlockRoot, accumulateParentBlockHash, calculateMinerReward, rewardAccount } = runBlockInternals;

async function inPhase(executor: TxExecutor, block: Block, overlay: BlockOverlay, index: TxIndex, body: () => Promise<void>): Promise<void> {
  const { vm, state } = executor;
  state.begin(index, overlay.sourceFor(), bytesToUnprefixedHex(block.header.coinbase.bytes));
  await vm.evm.journal.cleanup();
  await vm.evm.journal.checkpoint();
  await body();
  await vm.evm.journal.commit();
  overlay.apply(index, state.writeSet());
}

export async function runPrePhase(executor: TxExecutor, block: Block, overlay: BlockOverlay): Promise<void> {
  const { vm } = executor;
  const common = block.common;
  if (common.hardforkIsActiveOnBlock(Hardfork.Dao, block.header.number) && block.header.number === common.hardforkBlock(Hardfork.Dao)) {
    throw new Error("the DAO fork block (1920000) is not supported by hardhat-parallel");
  }
  const systemCalls = executor.rules.systemCalls !== false;
  const needsBeacon = systemCalls && common.isActivatedEIP(4788);
  const needsHistory = systemCalls && common.isActivatedEIP(2935);
  if (!needsBeacon && !needsHistory) return;
  await inPhase(executor, block, overlay, -1, async () => {
    if (needsBeacon) await accumulateParentBeaconBlockRoot(vm, block.header.parentBeaconBlockRoot!, block.header.timestamp);
    if (needsHistory) await accumulateParentBlockHash(vm, block.header.number, block.header.parentHash);
  });
}

/** The EIP-7685 requests hash of a block without requests (sha256 of nothing); callers only read it. */
let emptyRequestsHash: Uint8Array | undefined;

/** Returns the EIP-7685 requests hash when the fork has requests. */
export async function runPostPhase(executor: TxExecutor, block: Block, overlay: BlockOverlay, txLogs: LogEntry[][]): Promise<Uint8Array | undefined> {
  const { vm } = executor;
  const common = block.common;
  const n = block.transactions.length;
  // No withdrawals (every development-chain block): nothing to credit, and the phase's bookkeeping cost a tenth of an automined block's engine work.
  if (common.isActivatedEIP(4895) && (block.withdrawals?.length ?? 0) > 0) {
    await inPhase(executor, block, overlay, n, async () => {
      for (const w of block.withdrawals ?? []) await rewardAccount(vm.evm, w.address, w.amount * GWEI_TO_WEI, common);
      await vm.evm.journal.cleanup();
    });
  }
  if (common.consensusType() === ConsensusType.ProofOfWork) {
    await inPhase(executor, block, overlay, n, async () => {
      const minerReward = vm.common.param("minerReward");
      for (const ommer of block.uncleHeaders) {
        // An ommer k blocks older than the block earns (8 - k) / 8 of the base reward.
        const age = block.header.number - ommer.number;
        const reward = age >= 8n ? 0n : ((8n - age) * minerReward) / 8n;
        await rewardAccount(vm.evm, ommer.coinbase, reward, common);
      }
      await rewardAccount(vm.evm, block.header.coinbase, calculateMinerReward(minerReward, block.uncleHeaders.length), common);
      await vm.evm.journal.cleanup();
    });
  }
  if (!common.isActivatedEIP(7685)) return undefined;
  // Without system calls the EIP-7002/7251 request queues are not dequeued
  // either, and no deposit contract is watched: every block has no requests.
  if (executor.rules.systemCalls === false) return (emptyRequestsHash ??= genRequestsRoot([], sha256));
  let requests: Parameters<typeof genRequestsRoot>[0] = [];
  await inPhase(executor, block, overlay, n, async () => {
    requests = await requestsInternals.accumulateRequests(vm, txLogs.map((logs) => ({ receipt: { logs } })), block.header.gasLimit);
  });
  return genRequestsRoot(requests, sha256);
}

/**
 * Runs a workload's setup on the project's sequential executor and hands
 * back what executing the measured block needs: the state after setup, the
 * block itself and the hashes of the setup blocks. Every setup transaction
 * must succeed; one that does not means the generator and the contracts
 * disagree, and the error names it.
 */
import type { Block } from "@ethereumjs/block";
import { createBlock } from "@ethereumjs/block";
import type { FeeMarket1559Tx } from "@ethereumjs/tx";
import { Address, bytesToHex, hexToBytes } from "@ethereumjs/util";

import { FlatState } from "../engine/flat-state";
import { executeBlockSequential } from "../engine/sequential";
import type { BlockHashes } from "../engine/tx-executor";
import { WorkloadSetupError } from "./errors";
import { workloadChainCommon } from "./signer";
import { GENESIS_BALANCE } from "./workload";
import type { Workload } from "./workload";

/** The beneficiary of workload blocks (exists before setup, as on a live chain). */
export const WORKLOAD_COINBASE = "0xc0ffee0000000000000000000000000000000002";
/** Hardhat's initial base fee; kept constant across workload blocks. */
export const WORKLOAD_BASE_FEE = 1_000_000_000n;
const GENESIS_TIMESTAMP = 1_700_000_000n;
const BLOCK_TIME = 12n;

export interface EngineWorkload {
  /** State after genesis and setup (not modified by executing the block). */
  preState: FlatState;
  /** The measured block, numbered after the setup blocks. */
  block: Block;
  blockHashes: BlockHashes;
  senders: string[];
  /** Setup gas and transactions, for reports. */
  setup: { blocks: number; txs: number; gasUsed: bigint };
}

export function workloadBlock(number: bigint, txs: FeeMarket1559Tx[], parentHash: Uint8Array): Block {
  const gasLimit = txs.reduce((sum, tx) => sum + tx.gasLimit, 0n);
  // A full Common (the transactions share one trimmed to transaction parameters).
  const common = workloadChainCommon();
  return createBlock(
    {
      header: {
        number,
        parentHash,
        coinbase: new Address(hexToBytes(WORKLOAD_COINBASE)),
        gasLimit: gasLimit > 30_000_000n ? gasLimit : 30_000_000n,
        baseFeePerGas: WORKLOAD_BASE_FEE,
        timestamp: GENESIS_TIMESTAMP + BLOCK_TIME * number,
        excessBlobGas: 0n,
        blobGasUsed: 0n,
        parentBeaconBlockRoot: new Uint8Array(32).fill(Number(number % 255n) + 1),
      },
      transactions: txs,
    },
    { common, setHardfork: false },
  );
}

export async function prepareWorkloadOnEngine(w: Workload): Promise<EngineWorkload> {
  const state = new FlatState();
  for (const addr of w.genesis) state.setAccount(addr.slice(2), { balance: GENESIS_BALANCE });
  state.setAccount(WORKLOAD_COINBASE.slice(2), { balance: 1n });
  const blockHashes: BlockHashes = new Map();
  let parentHash: Uint8Array = new Uint8Array(32);
  let number = 0n;
  let txs = 0;
  let gasUsed = 0n;
  for (let b = 0; b < w.setupBlocks.length; b++) {
    const block = workloadBlock(++number, w.setupBlocks[b], parentHash);
    const result = await executeBlockSequential({ block, preState: state, computeStateRoot: false });
    result.receipts.forEach((r, i) => {
      if (r.status !== 1) {
        throw new WorkloadSetupError(
          `${w.preset}: setup tx "${w.setupLabels[b][i]}" (block ${number}, index ${i}, ${bytesToHex(w.setupBlocks[b][i].hash())}) failed: ${r.error ?? "reverted"} ${bytesToHex(r.returnValue)}`,
        );
      }
    });
    state.applyDiff(result.diff);
    txs += result.receipts.length;
    gasUsed += result.gasUsed;
    parentHash = block.hash();
    blockHashes.set(number, parentHash);
  }
  return {
    preState: state,
    block: workloadBlock(number + 1n, w.blockTxs, parentHash),
    blockHashes,
    senders: w.senders,
    setup: { blocks: w.setupBlocks.length, txs, gasUsed },
  };
}

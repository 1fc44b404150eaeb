/**
 * Mines a workload on any EIP-1193 provider with Hardhat's JSON-RPC methods
 * (Hardhat's own network, or the plugin's): genesis balances with
 * hardhat_setBalance, then each setup block and the measured block sent with
 * automine off and mined with evm_mine, so the chain holds exactly the
 * workload's blocks. The provider's automine setting is restored afterwards.
 */
import { bytesToHex } from "@ethereumjs/util";
import { performance } from "node:perf_hooks";

import { WorkloadSetupError } from "./errors";
import { GENESIS_BALANCE } from "./workload";
import type { Workload } from "./workload";
import type { FeeMarket1559Tx } from "@ethereumjs/tx";

export interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

export interface RpcReceipt {
  transactionHash: string;
  transactionIndex: string;
  blockNumber: string;
  status: string;
  gasUsed: string;
  logs: unknown[];
  contractAddress: string | null;
}

export interface MinedBlock {
  /** Wall time of sending the transactions, and of the evm_mine call alone, ms. */
  sendMs: number;
  mineMs: number;
  number: bigint;
  hash: string;
  /** Transaction hashes in block order. */
  transactions: string[];
  receipts: RpcReceipt[];
  gasUsed: bigint;
}

const hex = (n: bigint) => `0x${n.toString(16)}`;

async function mineTxs(provider: Eip1193Provider, txs: FeeMarket1559Tx[]): Promise<MinedBlock> {
  const gas = txs.reduce((sum, tx) => sum + tx.gasLimit, 0n);
  await provider.request({ method: "evm_setBlockGasLimit", params: [hex(gas > 30_000_000n ? gas : 30_000_000n)] });
  const hashes: string[] = [];
  const sendStart = performance.now();
  for (const tx of txs) hashes.push((await provider.request({ method: "eth_sendRawTransaction", params: [bytesToHex(tx.serialize())] })) as string);
  const mineStart = performance.now();
  await provider.request({ method: "evm_mine", params: [] });
  const mineMs = performance.now() - mineStart;
  const sendMs = mineStart - sendStart;
  const block = (await provider.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as {
    number: string;
    hash: string;
    transactions: string[];
    gasUsed: string;
  };
  const receipts: RpcReceipt[] = [];
  for (const h of block.transactions) receipts.push((await provider.request({ method: "eth_getTransactionReceipt", params: [h] })) as RpcReceipt);
  if (block.transactions.length !== hashes.length) {
    throw new WorkloadSetupError(`the provider mined ${block.transactions.length} of ${hashes.length} sent transactions into one block`);
  }
  return { sendMs, mineMs, number: BigInt(block.number), hash: block.hash, transactions: block.transactions, receipts, gasUsed: BigInt(block.gasUsed) };
}

/**
 * Funds the genesis accounts, mines the setup blocks (each transaction must
 * succeed) and then the measured block, which is returned.
 */
export async function mineWorkloadOnProvider(provider: Eip1193Provider, w: Workload): Promise<{ setup: MinedBlock[]; block: MinedBlock }> {
  for (const addr of w.genesis) await provider.request({ method: "hardhat_setBalance", params: [addr, hex(GENESIS_BALANCE)] });
  await provider.request({ method: "evm_setAutomine", params: [false] });
  try {
    const setup: MinedBlock[] = [];
    for (let b = 0; b < w.setupBlocks.length; b++) {
      const mined = await mineTxs(provider, w.setupBlocks[b]);
      mined.receipts.forEach((r, i) => {
        if (BigInt(r.status) !== 1n) throw new WorkloadSetupError(`${w.preset}: setup tx "${w.setupLabels[b][i]}" (${r.transactionHash}) failed on the provider`);
      });
      setup.push(mined);
    }
    return { setup, block: await mineTxs(provider, w.blockTxs) };
  } finally {
    await provider.request({ method: "evm_setAutomine", params: [true] });
  }
}

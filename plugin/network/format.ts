/**
 * JSON-RPC encodings of the chain's data, in the shapes Ethereum clients
 * (and Hardhat's network) return: quantities as minimal hex, data as
 * 0x-prefixed hex, blocks, transactions, receipts and logs.
 */
import type { TypedTransaction } from "@ethereumjs/tx";
import { Capability, TransactionType } from "@ethereumjs/tx";
import type { FeeMarket1559Tx, LegacyTx } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";

import type { TxReceipt } from "../engine/block-result";
import type { MinedBlock } from "./chain";

export const quantity = (n: bigint | number): string => `0x${BigInt(n).toString(16)}`;

export function formatBlock(mined: MinedBlock, fullTransactions: boolean): Record<string, unknown> {
  const h = mined.block.header;
  const out: Record<string, unknown> = {
    number: quantity(h.number),
    hash: mined.hash,
    parentHash: bytesToHex(h.parentHash),
    nonce: bytesToHex(h.nonce),
    sha3Uncles: bytesToHex(h.uncleHash),
    logsBloom: bytesToHex(h.logsBloom),
    transactionsRoot: bytesToHex(h.transactionsTrie),
    stateRoot: bytesToHex(h.stateRoot),
    receiptsRoot: bytesToHex(h.receiptTrie),
    miner: h.coinbase.toString(),
    difficulty: quantity(h.difficulty),
    totalDifficulty: "0x0",
    extraData: bytesToHex(h.extraData),
    size: quantity(mined.block.serialize().length),
    gasLimit: quantity(h.gasLimit),
    gasUsed: quantity(h.gasUsed),
    timestamp: quantity(h.timestamp),
    mixHash: bytesToHex(h.mixHash),
    transactions: mined.block.transactions.map((tx, i) => (fullTransactions ? formatTransaction(tx, mined, i) : bytesToHex(tx.hash()))),
    uncles: [],
  };
  if (h.baseFeePerGas !== undefined) out.baseFeePerGas = quantity(h.baseFeePerGas);
  if (h.withdrawalsRoot !== undefined) Object.assign(out, { withdrawalsRoot: bytesToHex(h.withdrawalsRoot), withdrawals: [] });
  if (h.blobGasUsed !== undefined) Object.assign(out, { blobGasUsed: quantity(h.blobGasUsed), excessBlobGas: quantity(h.excessBlobGas ?? 0n) });
  if (h.parentBeaconBlockRoot !== undefined) out.parentBeaconBlockRoot = bytesToHex(h.parentBeaconBlockRoot);
  if (h.requestsHash !== undefined) out.requestsHash = bytesToHex(h.requestsHash);
  return out;
}

/**
 * The pending block as Hardhat's network shows it: no number, mixHash or
 * nonce, and its transactions (when in full) with no block fields yet but
 * the gas price they would pay in it.
 */
export function formatPendingBlock(mined: MinedBlock, fullTransactions: boolean): Record<string, unknown> {
  const out = formatBlock(mined, fullTransactions);
  Object.assign(out, { number: null, mixHash: null, nonce: null });
  if (fullTransactions) out.transactions = mined.block.transactions.map((_, i) => formatPendingTransaction(mined, i));
  return out;
}

/** Transaction `index` of the pending block. */
export function formatPendingTransaction(mined: MinedBlock, index: number): Record<string, unknown> {
  return { ...formatTransaction(mined.block.transactions[index], mined, index), blockHash: null, blockNumber: null, transactionIndex: null };
}

/** A transaction as eth_getTransactionByHash returns it; `mined` absent for a pending one. */
export function formatTransaction(tx: TypedTransaction, mined?: MinedBlock, index?: number, sender?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: quantity(tx.type),
    hash: bytesToHex(tx.hash()),
    nonce: quantity(tx.nonce),
    blockHash: mined?.hash ?? null,
    blockNumber: mined === undefined ? null : quantity(mined.block.header.number),
    transactionIndex: index === undefined ? null : quantity(index),
    from: sender ?? (mined !== undefined && index !== undefined ? mined.receipts[index].sender : tx.getSenderAddress().toString()),
    to: tx.to?.toString() ?? null,
    value: quantity(tx.value),
    gas: quantity(tx.gasLimit),
    input: bytesToHex(tx.data),
    v: quantity(tx.v ?? 0n),
    r: quantity(tx.r ?? 0n),
    s: quantity(tx.s ?? 0n),
  };
  if (tx.type !== TransactionType.Legacy) {
    out.chainId = quantity(tx.common.chainId());
    const json = tx.toJSON();
    out.accessList = json.accessList ?? [];
    // As Hardhat's network shows them: every number a quantity ("0x0", no leading zeros), the address as is.
    if (json.authorizationList !== undefined) {
      const q = (hex: string) => quantity(hex === "0x" ? 0n : BigInt(hex));
      out.authorizationList = json.authorizationList.map((a) => ({ chainId: q(a.chainId), address: a.address, nonce: q(a.nonce), yParity: q(a.yParity), r: q(a.r), s: q(a.s) }));
    }
    // Like Hardhat's network: the parity is in v (0 or 1); there is no yParity field.
  } else if (tx.supports(Capability.EIP155ReplayProtection)) {
    out.chainId = quantity(tx.common.chainId());
  }
  if (tx.supports(Capability.EIP1559FeeMarket)) {
    const fm = tx as FeeMarket1559Tx;
    out.maxFeePerGas = quantity(fm.maxFeePerGas);
    out.maxPriorityFeePerGas = quantity(fm.maxPriorityFeePerGas);
    const baseFee = mined?.block.header.baseFeePerGas;
    // The price actually paid once mined; the cap while pending.
    out.gasPrice = quantity(baseFee === undefined ? fm.maxFeePerGas : baseFee + minBig(fm.maxPriorityFeePerGas, fm.maxFeePerGas - baseFee));
  } else {
    out.gasPrice = quantity((tx as LegacyTx).gasPrice);
  }
  return out;
}

function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

export function effectiveGasPrice(tx: TypedTransaction, baseFee: bigint | undefined): bigint {
  if (tx.supports(Capability.EIP1559FeeMarket)) {
    const fm = tx as FeeMarket1559Tx;
    const base = baseFee ?? 0n;
    return base + minBig(fm.maxPriorityFeePerGas, fm.maxFeePerGas - base);
  }
  return (tx as LegacyTx).gasPrice;
}

export function formatLogs(mined: MinedBlock, index: number, firstLogIndex: number): Record<string, unknown>[] {
  const r = mined.receipts[index];
  return r.logs.map(([address, topics, data], i) => ({
    address: bytesToHex(address),
    topics: topics.map((t) => bytesToHex(t)),
    data: bytesToHex(data),
    blockNumber: quantity(mined.block.header.number),
    blockHash: mined.hash,
    transactionHash: r.txHash,
    transactionIndex: quantity(index),
    logIndex: quantity(firstLogIndex + i),
    removed: false,
  }));
}

export function formatReceipt(mined: MinedBlock, index: number): Record<string, unknown> {
  const r: TxReceipt = mined.receipts[index];
  const tx = mined.block.transactions[index];
  let firstLogIndex = 0;
  for (let i = 0; i < index; i++) firstLogIndex += mined.receipts[i].logs.length;
  return {
    transactionHash: r.txHash,
    transactionIndex: quantity(index),
    blockHash: mined.hash,
    blockNumber: quantity(mined.block.header.number),
    from: r.sender,
    to: tx.to?.toString() ?? null,
    cumulativeGasUsed: quantity(r.cumulativeGasUsed),
    gasUsed: quantity(r.gasUsed),
    contractAddress: r.createdAddress ?? null,
    logs: formatLogs(mined, index, firstLogIndex),
    logsBloom: bytesToHex(r.bloom),
    type: quantity(r.type),
    status: quantity(r.status),
    effectiveGasPrice: quantity(effectiveGasPrice(tx, mined.block.header.baseFeePerGas)),
  };
}

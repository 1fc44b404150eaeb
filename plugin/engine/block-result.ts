/**
 * Shapes a block's transaction outcomes into what a client needs: receipts
 * with cumulative gas, the block's gas, logs bloom and receipts root, and the
 * block-level validity rules that depend on earlier transactions (gas limit).
 * Both executors produce their outcomes in block order and call this.
 */
import type { Block } from "@ethereumjs/block";
import { KECCAK256_RLP, bytesToHex } from "@ethereumjs/util";

import type { StateDiff } from "./flat-state";
import { MerkleTrie } from "./merkle";
import { encodeRlp, unpaddedBytes } from "./rlp-writer";
import type { BlockStats, Read, TxReceiptData, TxWriteSet } from "./types";

export interface TxReceipt extends TxReceiptData {
  txHash: string;
  type: number;
  cumulativeGasUsed: bigint;
}

export interface BlockResult {
  receipts: TxReceipt[];
  gasUsed: bigint;
  logsBloom: Uint8Array;
  receiptsRoot: Uint8Array;
  requestsHash?: Uint8Array;
  /** Net state change of the block (transactions and system phases). */
  diff: StateDiff;
  /** Set when the caller asked for it (computeStateRoot). */
  stateRoot?: Uint8Array;
  /** Per tx: the locations read, with the value and version each read saw. */
  reads: Read[][];
  /** Per tx: the locations written. */
  writeSets: TxWriteSet[];
  stats: BlockStats;
}

/** A transaction that makes the block invalid, named by index and hash. */
export class InvalidBlockError extends Error {
  constructor(
    readonly txIndex: number,
    readonly txHash: string,
    readonly reason: string,
  ) {
    super(`invalid transaction ${txIndex} (${txHash}) in block: ${reason}`);
  }
}

/**
 * Executing a transaction threw something that is not a transaction-validity
 * error: a bug in hardhat-parallel (or a library under it). It names the block
 * and the transaction so that it can be reported; callers must never treat
 * it as an invalid transaction (drop it, skip it).
 */
export class ExecutionBugError extends Error {
  constructor(
    readonly blockNumber: bigint,
    readonly txIndex: number,
    readonly txHash: string,
    readonly detail: string,
  ) {
    super(
      `hardhat-parallel internal error while executing transaction ${txIndex} (${txHash}) of block ${blockNumber}: ${detail}. ` +
        "This is a bug in hardhat-parallel, not in the transaction; please report it with this message.",
    );
  }
}

/** The error a committed outcome stands for: the block is invalid, or the engine failed. */
export function committedFailure(block: Block, index: number, outcome: { error: string; internal?: boolean }): Error {
  const hash = bytesToHex(block.transactions[index].hash());
  return outcome.internal === true ? new ExecutionBugError(block.header.number, index, hash, outcome.error) : new InvalidBlockError(index, hash, outcome.error);
}

/**
 * A transaction whose gas limit exceeds the gas the block has left after the
 * transactions before it. A block builder (the network's miner) takes this
 * to mean the transaction waits for a later block.
 */
export class BlockGasLimitExceededError extends InvalidBlockError {}

export function blockGasLimitError(block: Block, index: number, used: bigint): BlockGasLimitExceededError | undefined {
  const tx = block.transactions[index];
  if (used + tx.gasLimit <= block.header.gasLimit) return undefined;
  return new BlockGasLimitExceededError(index, bytesToHex(tx.hash()), `tx gas limit ${tx.gasLimit} exceeds the block's remaining gas ${block.header.gasLimit - used}`);
}

export async function assembleReceipts(block: Block, receipts: TxReceiptData[]): Promise<Pick<BlockResult, "receipts" | "gasUsed" | "logsBloom" | "receiptsRoot">> {
  const bloom = new Uint8Array(256);
  const bloomWords = new Uint32Array(bloom.buffer);
  let cumulative = 0n;
  let gasUsed = 0n;
  const out: TxReceipt[] = [];
  const entries: [Uint8Array, Uint8Array][] = [];
  for (let i = 0; i < receipts.length; i++) {
    const r = receipts[i];
    const tx = block.transactions[i];
    cumulative += r.gasUsed;
    gasUsed += r.blockGasUsed;
    // A tx without logs has an empty bloom.
    if (r.logs.length > 0) orInto(bloomWords, r.bloom);
    const receipt: TxReceipt = { ...r, txHash: bytesToHex(tx.hash()), type: tx.type, cumulativeGasUsed: cumulative };
    out.push(receipt);
    entries.push([encodeRlp(unpaddedBytes(BigInt(i))), encodeReceipt(r, cumulative, tx.type)]);
  }
  return { receipts: out, gasUsed, logsBloom: bloom, receiptsRoot: receipts.length === 0 ? KECCAK256_RLP : MerkleTrie.empty().update(entries).root() };
}

/** ORs a 256-byte bloom into `into`, a word at a time when it is aligned (byte order does not matter to OR). */
function orInto(into: Uint32Array, bloom: Uint8Array): void {
  if (bloom.byteOffset % 4 === 0) {
    const words = new Uint32Array(bloom.buffer, bloom.byteOffset, 64);
    for (let w = 0; w < 64; w++) into[w] |= words[w];
    return;
  }
  const bytes = new Uint8Array(into.buffer);
  for (let b = 0; b < 256; b++) bytes[b] |= bloom[b];
}

const STATUS_OK = Uint8Array.of(1);
const STATUS_FAILED = new Uint8Array(0);

/**
 * A receipt as the receipts trie holds it (post-Byzantium): RLP of
 * [status, cumulative gas, bloom, logs], after the type byte for typed txs
 * (EIP-2718). The same bytes as @ethereumjs/vm's encodeReceipt.
 */
export function encodeReceipt(r: Pick<TxReceiptData, "status" | "bloom" | "logs">, cumulativeGasUsed: bigint, txType: number): Uint8Array {
  // @ethereumjs writes cumulative gas 0 as one zero byte (bigIntToBytes); no tx uses no gas, but agree anyway.
  const gas = cumulativeGasUsed === 0n ? Uint8Array.of(0) : unpaddedBytes(cumulativeGasUsed);
  return encodeRlp([r.status === 0 ? STATUS_FAILED : STATUS_OK, gas, r.bloom, r.logs], txType === 0 ? undefined : Uint8Array.of(txType));
}

export function emptyStats(mode: BlockStats["mode"], workers: number): BlockStats {
  return { mode, workers, events: [], txs: [], reexecutions: 0, blocked: 0, wasted: [], validations: 0, aborts: 0, executionMs: 0, coordinatorMs: 0, stateRootMs: 0, wallMs: 0 };
}

/**
 * A small mainnet-shaped block with an EIP-4844 blob transaction, built and
 * signed here (no download): for the loader, the replay and the --rpc tests.
 *
 * What the replay checks is derived here independently of the engine: every
 * transaction is a plain transfer between accounts without code, so each uses
 * exactly 21,000 gas and succeeds without logs; the receipts root is built
 * from those receipts with @ethereumjs/vm's encodeReceipt and a fresh
 * @ethereumjs/mpt trie, and the blob's versioned hash from a real KZG
 * commitment (the trusted setup the package ships).
 */
import { createBlock } from "@ethereumjs/block";
import type { Block } from "@ethereumjs/block";
import { Common, Mainnet } from "@ethereumjs/common";
import { createMPT } from "@ethereumjs/mpt";
import { RLP } from "@ethereumjs/rlp";
import { createBlob4844Tx, createFeeMarket1559Tx, createLegacyTx } from "@ethereumjs/tx";
import type { TypedTransaction } from "@ethereumjs/tx";
import { KECCAK256_RLP, KECCAK256_RLP_ARRAY, blobsToCommitments, bytesToHex, commitmentsToVersionedHashes, createAddressFromString, getBlobs, hexToBytes, privateToAddress } from "@ethereumjs/util";
import { encodeReceipt } from "@ethereumjs/vm";
import { sha256 } from "@noble/hashes/sha2.js";
import { keccak_256 } from "@noble/hashes/sha3.js";

import { loadKzg } from "../../plugin/engine/crypto";
import { FlatState } from "../../plugin/engine/flat-state";
import { genTransactionsTrieRoot } from "@ethereumjs/block";

/** Mainnet forks with blob transactions, at a block after their activation time (the Common picks the fork from it). */
export const BLOB_FORKS = {
  cancun: { number: 19_426_600n, timestamp: 1_710_338_135n + 12n * 13n },
  prague: { number: 22_431_100n, timestamp: 1_746_612_311n + 12n * 16n },
  osaka: { number: 23_935_700n, timestamp: 1_764_798_551n + 12n * 6n },
} as const;

export const GWEI = 1_000_000_000n;
const BASE_FEE = 2n * GWEI;
const TRANSFER_GAS = 21_000n;
export const GAS_PER_BLOB = 131_072n;

const key = (n: number) => hexToBytes(`0x${n.toString(16).padStart(64, "0")}`);
/** Senders: A sends the blob tx and then a legacy tx (a nonce chain); B and C one type-2 tx each. */
export const KEYS = { a: key(0xa11ce), b: key(0xb0b), c: key(0xca201) };
const addr = (k: Uint8Array) => bytesToHex(privateToAddress(k)).slice(2);
export const RECIPIENT = "00000000000000000000000000000000000000aa";
const OTHER = "00000000000000000000000000000000000000bb";
const COINBASE = "00000000000000000000000000000000000000cc";
export const START_BALANCE = 10n ** 19n;

export interface SyntheticBlobBlock {
  fork: keyof typeof BLOB_FORKS;
  block: Block;
  /** The block as eth_getBlockByNumber(n, true) returns it. */
  rpcJson: Record<string, unknown>;
  preState: FlatState;
  /** What the blob tx's sender pays for the block beyond its values: execution gas and blob gas. */
  expectedSenderBalance: bigint;
  blobVersionedHash: string;
}

export async function syntheticBlobBlock(fork: keyof typeof BLOB_FORKS): Promise<SyntheticBlobBlock> {
  const { number, timestamp } = BLOB_FORKS[fork];
  const common = new Common({ chain: Mainnet, hardfork: fork, customCrypto: { kzg: loadKzg() } });
  const blobs = getBlobs("hardhat-parallel: a blob for the replay test");
  const [versionedHash] = commitmentsToVersionedHashes(blobsToCommitments(loadKzg(), blobs));
  const fees = { maxFeePerGas: 3n * GWEI, maxPriorityFeePerGas: GWEI };
  const txs: TypedTransaction[] = [
    createBlob4844Tx({ chainId: 1n, nonce: 0n, gasLimit: TRANSFER_GAS, to: createAddressFromString("0x" + RECIPIENT), value: 1000n, ...fees, maxFeePerBlobGas: 10n, blobVersionedHashes: [versionedHash] }, { common }).sign(KEYS.a),
    createFeeMarket1559Tx({ chainId: 1n, nonce: 0n, gasLimit: TRANSFER_GAS, to: createAddressFromString("0x" + RECIPIENT), value: 2000n, ...fees }, { common }).sign(KEYS.b),
    createFeeMarket1559Tx({ chainId: 1n, nonce: 0n, gasLimit: TRANSFER_GAS, to: createAddressFromString("0x" + OTHER), value: 3000n, ...fees }, { common }).sign(KEYS.c),
    createLegacyTx({ nonce: 1n, gasLimit: TRANSFER_GAS, gasPrice: 3n * GWEI, to: createAddressFromString("0x" + OTHER), value: 4000n }, { common }).sign(KEYS.a),
  ];

  // Receipts of plain transfers: status 1, cumulative gas, no logs.
  const trie = await createMPT();
  for (const [i, tx] of txs.entries()) {
    const receipt = { status: 1 as const, cumulativeBlockGasUsed: TRANSFER_GAS * BigInt(i + 1), bitvector: new Uint8Array(256), logs: [] };
    await trie.put(RLP.encode(i), encodeReceipt(receipt, tx.type));
  }
  const header = {
    parentHash: keccak_256(new TextEncoder().encode(`parent of ${number}`)),
    uncleHash: KECCAK256_RLP_ARRAY,
    coinbase: createAddressFromString("0x" + COINBASE),
    stateRoot: keccak_256(new TextEncoder().encode("not checked: the pre-state is partial")),
    transactionsTrie: await genTransactionsTrieRoot(txs),
    receiptTrie: trie.root(),
    logsBloom: new Uint8Array(256),
    difficulty: 0n,
    number,
    gasLimit: 36_000_000n,
    gasUsed: TRANSFER_GAS * BigInt(txs.length),
    timestamp,
    extraData: new Uint8Array(0),
    mixHash: keccak_256(new TextEncoder().encode("prevrandao")),
    nonce: new Uint8Array(8),
    baseFeePerGas: BASE_FEE,
    withdrawalsRoot: KECCAK256_RLP,
    blobGasUsed: GAS_PER_BLOB,
    excessBlobGas: 0n,
    parentBeaconBlockRoot: keccak_256(new TextEncoder().encode("beacon")),
    // EIP-7685: sha256 of the (empty) list of non-empty requests.
    ...(fork === "cancun" ? {} : { requestsHash: sha256(new Uint8Array(0)) }),
  };
  const block = createBlock({ header, transactions: txs, withdrawals: [] }, { common });

  const preState = new FlatState();
  for (const k of Object.values(KEYS)) preState.setAccount(addr(k), { balance: START_BALANCE, nonce: 0n });
  preState.setAccount(RECIPIENT, { balance: 1n, nonce: 0n });

  // With excess blob gas 0 the blob base fee is its minimum, 1 wei per blob gas.
  const price = (tx: TypedTransaction) => ("gasPrice" in tx ? (tx.gasPrice as bigint) : BASE_FEE + GWEI);
  const expectedSenderBalance = START_BALANCE - 1000n - 4000n - TRANSFER_GAS * (price(txs[0]) + price(txs[3])) - GAS_PER_BLOB * 1n;

  const h = block.header.toJSON();
  const rpcJson: Record<string, unknown> = {
    number: h.number,
    hash: bytesToHex(block.hash()),
    parentHash: h.parentHash,
    sha3Uncles: h.uncleHash,
    miner: h.coinbase,
    stateRoot: h.stateRoot,
    transactionsRoot: h.transactionsTrie,
    receiptsRoot: h.receiptTrie,
    logsBloom: h.logsBloom,
    difficulty: h.difficulty,
    gasLimit: h.gasLimit,
    gasUsed: h.gasUsed,
    timestamp: h.timestamp,
    extraData: h.extraData,
    mixHash: h.mixHash,
    nonce: h.nonce,
    baseFeePerGas: h.baseFeePerGas,
    withdrawalsRoot: h.withdrawalsRoot,
    blobGasUsed: h.blobGasUsed,
    excessBlobGas: h.excessBlobGas,
    parentBeaconBlockRoot: h.parentBeaconBlockRoot,
    ...(h.requestsHash === undefined ? {} : { requestsHash: h.requestsHash }),
    uncles: [],
    withdrawals: [],
    transactions: txs.map((tx, i) => {
      const { gasLimit, data, ...rest } = tx.toJSON() as Record<string, unknown>;
      return {
        ...rest,
        gas: gasLimit,
        input: data,
        hash: bytesToHex(tx.hash()),
        from: tx.getSenderAddress().toString(),
        blockNumber: h.number,
        transactionIndex: "0x" + i.toString(16),
      };
    }),
  };
  return { fork, block, rpcJson, preState, expectedSenderBalance, blobVersionedHash: versionedHash };
}

/** The blob tx's sender (40 hex digits, the engine's address form). */
export const BLOB_SENDER = addr(KEYS.a);

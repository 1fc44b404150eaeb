/**
 * What the executors need from a caller's block. The caller's block supplies
 * the environment (header, withdrawals, ommers) as is; its transactions are
 * re-created from their bytes on a Common that recovers senders natively,
 * lazily, one at a time, by whichever thread executes them, so parsing and
 * sender recovery are spread over the workers instead of done up front.
 */
import type { Block } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import type { TypedTransaction } from "@ethereumjs/tx";
import { createTxFromRLP, paramsTx } from "@ethereumjs/tx";

import { createAddressFromString } from "@ethereumjs/util";
import { withFastCrypto } from "./crypto";
import type { PreimageSink } from "./crypto";
import { encodeRlp } from "./rlp-writer";
import type { RlpItem } from "./rlp-writer";
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
  /**
   * Transactions whose sender the caller knows (index -> 0x-prefixed
   * sender): it is taken as given, not recovered from the signature. Hardhat's
   * impersonated accounts send with placeholder signatures that have no
   * sender to recover; a network that checked each transaction's signature
   * when it accepted it saves the executors recovering it again. A wrong
   * sender here gives a wrong block: only trusted callers set it.
   */
  knownSenders?: ReadonlyMap<number, string>;
  /** Departures from the protocol's rules that development chains offer. */
  rules?: ExecutionRules;
  /**
   * Sequential executor only: record every keccak-256 input the block's
   * execution hashes here (conflict analysis; see withKeccakRecorder).
   */
  preimages?: PreimageSink;
  /** Sequential executor only: record where each transaction read and wrote each storage slot (conflict analysis). */
  storageSites?: StorageSiteSink;
}

/** Where an SLOAD or SSTORE ran: the executing code's address (40 hex, no 0x) and program counter. */
export interface StorageSite {
  codeAddress: string;
  pc: number;
  /** Run by a contract's init code (its constructor), whose pcs are not those of the runtime code. */
  initCode?: true;
}

/** The first site of each access, keyed `${tx}:r:${locationKey}` or `${tx}:w:${locationKey}`. */
export type StorageSiteSink = Map<string, StorageSite>;

/** Development-chain relaxations of the protocol (Hardhat's network config has the same). */
export interface ExecutionRules {
  /** No limit on deployed code size (EIP-170) or init code size (EIP-3860). */
  allowUnlimitedContractSize?: boolean;
  /**
   * Transactions may come from an account that holds code (EIP-3607 not
   * applied), as on Hardhat's network, where tests impersonate contracts.
   */
  allowSendersWithCode?: boolean;
  /**
   * Run the EIP-4788 (beacon root) and EIP-2935 (block hash history) system
   * calls before a block's transactions, and collect EIP-7685 requests
   * (deposit logs, the EIP-7002/7251 queues) after them. Default true, as the
   * protocol says. Hardhat's network does neither (its blocks never write
   * those contracts' storage and carry no requests), so the parallel network
   * sets it to false.
   */
  systemCalls?: boolean;
  /**
   * RIP-7212's P256VERIFY precompile at 0x100 (3,450 gas), as rollups and
   * Hardhat's `enableRip7212` offer it. Where EIP-7951 is active (Osaka), its
   * own P256VERIFY at the same address stays, as on Hardhat's network.
   */
  rip7212P256Verify?: boolean;
}

/**
 * One Common for all transactions of a block. Every @ethereumjs transaction
 * constructor copies its Common and rebuilds the parameter cache
 * (`updateParams`), which cost about 0.2 ms per transaction here: more than
 * half of what an ERC-20 transfer takes to execute. The transactions of a
 * block share one chain and hardfork, so they can share one Common whose
 * parameters are set up once: for this instance only, `copy` returns itself
 * and `updateParams` does nothing after the setup.
 */
export function sharedTxCommon(common: Common): Common {
  const shared = common.copy();
  shared.updateParams(paramsTx);
  Object.assign(shared, { copy: () => shared, updateParams: () => undefined });
  return shared;
}

/** Transactions parsed on first use, from their serialized bytes. */
export class LazyTransactions {
  private readonly parsed: (TypedTransaction | undefined)[];
  private readonly common: Common;

  constructor(
    readonly bytes: Uint8Array[],
    common: Common,
    private readonly knownSenders?: ReadonlyMap<number, string>,
  ) {
    this.parsed = new Array(bytes.length);
    this.common = sharedTxCommon(common);
  }

  private senderKeys: (Uint8Array | undefined)[] | undefined;

  get(i: number): TypedTransaction {
    let tx = this.parsed[i];
    if (tx === undefined) {
      const sender = this.knownSenders?.get(i);
      if (sender !== undefined) return (this.parsed[i] = withSender(createTxFromRLP(this.bytes[i], { common: this.common, freeze: false }), sender));
      tx = this.parsed[i] = createTxFromRLP(this.bytes[i], { common: this.common });
      const key = this.senderKeys?.[i];
      // @ethereumjs caches the recovered key here itself (the cache object stays writable on frozen txs).
      if (key !== undefined) (tx as unknown as { cache: { senderPubKey?: Uint8Array } }).cache.senderPubKey = key;
    }
    return tx;
  }

  /** Whether tx i has a given sender (no signature to recover). */
  hasKnownSender(i: number): boolean {
    return this.knownSenders?.has(i) === true;
  }

  /** A sender public key recovered by another thread, used if tx i is not parsed yet. */
  setSenderPublicKey(i: number, key: Uint8Array): void {
    if (key.length !== 64 || this.parsed[i] !== undefined) return;
    (this.senderKeys ??= new Array(this.bytes.length))[i] = key;
  }
}

export interface PreparedBlock {
  /** The caller's block: environment for runTx and the system phases. */
  block: Block;
  common: Common;
  txs: LazyTransactions;
}

export function prepareBlock(input: BlockInput): PreparedBlock {
  const common = withFastCrypto(input.block.common);
  const bytes = input.block.transactions.map(serializeTx);
  return { block: input.block, common, txs: new LazyTransactions(bytes, common, input.knownSenders) };
}

/**
 * A transaction's canonical bytes (what `tx.serialize()` gives): its type
 * byte for typed transactions (EIP-2718), then the RLP of its fields,
 * written in place (rlp-writer.ts). @ethereumjs's serialize took about
 * 17 us per transaction here, before any transaction had run.
 */
export function serializeTx(tx: TypedTransaction): Uint8Array {
  return encodeRlp(tx.raw() as RlpItem, tx.type === 0 ? undefined : Uint8Array.of(tx.type));
}

/**
 * A transaction (created unfrozen) that reports `sender` as its sender
 * instead of recovering one from its placeholder signature. runTx only asks
 * for the sender's address.
 */
export function withSender<T extends TypedTransaction>(tx: T, sender: string): T {
  const address = createAddressFromString(sender);
  return Object.assign(tx, { getSenderAddress: () => address });
}

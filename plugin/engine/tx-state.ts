/**
 * The bridge between @ethereumjs and the engine: a StateManagerInterface that
 * runs one transaction at a time over a read source (the block state as seen
 * by that transaction), keeps the transaction's own writes in a journaled
 * overlay, records every location it reads with the value it saw, and at the
 * end hands back the read set and the write set.
 *
 * The sequential executor and every worker run `runTx` through this same
 * class, so transaction semantics are shared; only the read source differs.
 *
 * Beneficiary fees: after the top-level message finishes (the "fee phase"),
 * runTx reads the beneficiary's account and adds the fee. If the transaction
 * has not otherwise looked at that balance, the read is recorded only as
 * "is it non-zero" (needed by EIP-161 cleanup) and the payment becomes a
 * commutative delta, so fees do not make every transaction depend on the
 * previous one.
 */
import { Account, Address, KECCAK256_NULL, KECCAK256_RLP, bigIntToUnpaddedBytes, equalsBytes, bytesToBigInt, bytesToHex, bytesToUnprefixedHex, hexToBytes } from "@ethereumjs/util";
import type { StateManagerInterface } from "@ethereumjs/common";
import { keccak256 } from "./hash";

import { EMPTY_CODE_HASH } from "./flat-state";
import { balanceKey, infoKey, storageKey, wipeKey } from "./location";
import type { Resolved } from "./mv-memory";
import { sameValue } from "./mv-memory";
import type { ArmedEstimate } from "./test-hooks";
import type { AccountInfo, LocationKey, LocationValue, Read, TxIndex, TxWriteSet, Write } from "./types";

/** Where a transaction's reads go when its own overlay does not have the value. */
export interface ReadSource {
  resolve(key: LocationKey): Resolved;
  resolveNonzero(key: LocationKey): Resolved;
  code(codeHash: string): Uint8Array | undefined;
  /** For tests: one access that hits an ESTIMATE in this incarnation (test-hooks.ts). */
  forcedEstimate?: ArmedEstimate;
}

/**
 * Thrown inside the EVM to unwind a transaction that read an ESTIMATE. It is
 * never a result: the executor turns it into a "blocked" outcome.
 */
export class EstimateHit extends Error {
  constructor(readonly dependency: TxIndex) {
    super(`read an estimate of tx ${dependency}`);
  }
}

const MISSING = Symbol("missing");
type Undo = () => void;

/** Any non-empty root: the flat state only needs "has storage or not" (EIP-7610). */
const NON_EMPTY_STORAGE_ROOT = new Uint8Array(32).fill(1);
const EMPTY_BYTES = new Uint8Array(0);

export class TxStateManager implements StateManagerInterface {
  private source!: ReadSource;
  private txIndex: TxIndex = 0;
  private coinbase = "";
  /** First read of each location from the source, in order. */
  private reads = new Map<LocationKey, Read>();
  private overlay = new Map<LocationKey, LocationValue>();
  private wiped = new Set<string>();
  private newCode = new Map<string, Uint8Array>();
  /** Balances in delta mode: the placeholder value handed to runTx. */
  private deltaBase = new Map<LocationKey, bigint>();
  private journal: Undo[][] = [];
  /** Set once the top-level message has finished (see file comment). */
  feePhase = false;
  /** Set when a read hit an ESTIMATE; the outcome is "blocked" whatever runTx did. */
  blockedOn: TxIndex | undefined;
  /** The location whose ESTIMATE stopped the tx (the conflict analysis blames it). */
  blockedKey: LocationKey | undefined;
  /** A test's forced ESTIMATE (ReadSource.forcedEstimate) and how often its key was accessed so far. */
  private forced: ArmedEstimate | undefined;
  private forcedAccesses = 0;

  readonly originalStorageCache = {
    get: async (address: Address, key: Uint8Array): Promise<Uint8Array> => {
      const k = storageKey(hex(address), bytesToUnprefixedHex(key));
      return toStorageBytes(this.readSource(k) as bigint);
    },
    clear: (): void => {},
  };

  /**
   * Set per transaction when its sender may hold code (ExecutionRules
   * allowSendersWithCode). @ethereumjs's runTx refuses a sender with code
   * (EIP-3607) right after its first read of the sender's account, with no
   * option to skip it; so that first read shows no code, and the put of that
   * same account object that follows (nonce and upfront cost) keeps the real
   * code hash. Reads and writes of the state itself are unchanged.
   */
  private senderCodeMask: { addr: string; read: boolean; codeHash?: Uint8Array } | undefined;

  /** Lowercase unprefixed sender whose code the next transaction's first read of it hides, or undefined. */
  maskSenderCode(sender: string | undefined): void {
    this.senderCodeMask = sender === undefined ? undefined : { addr: sender, read: false };
  }

  /** Starts a transaction: clears everything from the previous one. */
  begin(txIndex: TxIndex, source: ReadSource, coinbase: string): void {
    this.txIndex = txIndex;
    this.source = source;
    this.coinbase = coinbase;
    this.reads = new Map();
    this.overlay = new Map();
    this.wiped = new Set();
    this.newCode = new Map();
    this.deltaBase = new Map();
    this.journal = [];
    this.feePhase = false;
    this.blockedOn = undefined;
    this.blockedKey = undefined;
    this.forced = source.forcedEstimate;
    this.forcedAccesses = 0;
  }

  readSet(): Read[] {
    return [...this.reads.values()];
  }

  /** The transaction's net writes; writes equal to what it read are dropped. */
  writeSet(): TxWriteSet {
    const writes: Write[] = [];
    const code: [string, Uint8Array][] = [];
    const deadAddresses = new Set<string>();
    for (const [key, value] of this.overlay) {
      if (key.charCodeAt(0) !== 105 /* i */ || value !== null) continue;
      // Created and destroyed (or never existed) within this tx: nothing to write.
      const before = this.reads.get(key);
      if (before !== undefined && before.value === null) deadAddresses.add(key.slice(1));
    }
    for (const [key, value] of this.overlay) {
      const addr = key.slice(1, 41);
      if (deadAddresses.has(addr)) continue;
      const base = this.deltaBase.get(key);
      if (base !== undefined && this.overlay.get(infoKey(addr)) !== null) {
        const delta = (value as bigint) - base;
        if (delta !== 0n) writes.push({ key, value: delta, delta: true });
        continue;
      }
      const read = this.reads.get(key);
      const storageOfWiped = key.charCodeAt(0) === 115 /* s */ && this.wiped.has(addr);
      if (read !== undefined && read.predicate === undefined && !storageOfWiped && sameValue(read.value, value)) continue;
      writes.push({ key, value });
      if (value !== null && typeof value === "object") {
        const bytes = this.newCode.get(value.codeHash);
        if (bytes !== undefined) code.push([value.codeHash, bytes]);
      }
    }
    for (const addr of this.wiped) {
      if (!deadAddresses.has(addr)) writes.push({ key: wipeKey(addr), value: BigInt(this.txIndex + 1) });
    }
    return { writes, code };
  }

  // ---- reads -------------------------------------------------------------

  private readSource(key: LocationKey): LocationValue {
    const seen = this.reads.get(key);
    if (seen !== undefined && seen.predicate === undefined) return seen.value;
    const r = this.source.resolve(key);
    if (r.estimate !== undefined) throw this.blocked(r.estimate, key);
    this.reads.set(key, { key, value: r.value, origin: r.origin });
    return r.value;
  }

  private blocked(dependency: TxIndex, key: LocationKey): EstimateHit {
    if (this.blockedOn === undefined) {
      this.blockedOn = dependency;
      this.blockedKey = key;
    }
    return new EstimateHit(dependency);
  }

  /** Throws the test's forced ESTIMATE when this is the access it targets. */
  private forcedAccess(key: LocationKey): void {
    const f = this.forced!;
    if (key === f.key && ++this.forcedAccesses === f.access) throw this.blocked(f.dependency, key);
  }

  private get(key: LocationKey): LocationValue {
    if (this.forced !== undefined) this.forcedAccess(key);
    if (this.overlay.has(key)) return this.overlay.get(key)!;
    return this.readSource(key);
  }

  private getInfo(addr: string): AccountInfo | null {
    return this.get(infoKey(addr)) as AccountInfo | null;
  }

  private getBalance(addr: string): bigint {
    const key = balanceKey(addr);
    if (this.feePhase && addr === this.coinbase && !this.overlay.has(key) && !this.reads.has(key)) {
      // The fee payment: observe only whether the balance is zero.
      const r = this.source.resolveNonzero(key);
      if (r.estimate !== undefined) throw this.blocked(r.estimate, key);
      this.reads.set(key, { key, value: r.value, origin: r.origin, predicate: "nonzero" });
      const placeholder = r.value as bigint;
      this.deltaBase.set(key, placeholder);
      this.overlay.set(key, placeholder);
      return placeholder;
    }
    return this.get(key) as bigint;
  }

  // ---- writes ------------------------------------------------------------

  private set(key: LocationKey, value: LocationValue): void {
    const frame = this.journal[this.journal.length - 1];
    if (frame !== undefined) {
      const had = this.overlay.has(key) ? this.overlay.get(key)! : MISSING;
      frame.push(() => {
        if (had === MISSING) this.overlay.delete(key);
        else this.overlay.set(key, had);
      });
    }
    this.overlay.set(key, value);
  }

  private wipeStorage(addr: string): void {
    const frame = this.journal[this.journal.length - 1];
    const removed: [LocationKey, LocationValue][] = [];
    const prefix = "s" + addr;
    for (const [key, value] of this.overlay) {
      if (key.startsWith(prefix)) removed.push([key, value]);
    }
    for (const [key] of removed) this.overlay.delete(key);
    const wasWiped = this.wiped.has(addr);
    this.wiped.add(addr);
    frame?.push(() => {
      for (const [key, value] of removed) this.overlay.set(key, value);
      if (!wasWiped) this.wiped.delete(addr);
    });
  }

  // ---- StateManagerInterface ------------------------------------------------

  async getAccount(address: Address): Promise<Account | undefined> {
    const addr = hex(address);
    const info = this.getInfo(addr);
    if (info === null) return undefined;
    const balance = this.getBalance(addr);
    const codeHash = hexToBytes(info.codeHash as `0x${string}`);
    const mask = this.senderCodeMask;
    if (mask?.addr === addr && !mask.read) {
      mask.read = true;
      if (info.codeHash === EMPTY_CODE_HASH) this.senderCodeMask = undefined;
      else {
        mask.codeHash = codeHash;
        return new Account(info.nonce, balance, info.hasStorage ? NON_EMPTY_STORAGE_ROOT : KECCAK256_RLP, KECCAK256_NULL);
      }
    }
    return new Account(info.nonce, balance, info.hasStorage ? NON_EMPTY_STORAGE_ROOT : KECCAK256_RLP, codeHash);
  }

  async putAccount(address: Address, account?: Account): Promise<void> {
    if (account === undefined) return this.deleteAccount(address);
    const addr = hex(address);
    const before = this.getInfo(addr);
    const mask = this.senderCodeMask;
    if (mask?.addr === addr && mask.codeHash !== undefined) {
      // The masked sender account coming back from runTx: restore its code hash.
      if (equalsBytes(account.codeHash, KECCAK256_NULL)) account.codeHash = mask.codeHash;
      this.senderCodeMask = undefined;
    }
    const info: AccountInfo = {
      nonce: account.nonce,
      codeHash: bytesToHex(account.codeHash),
      hasStorage: before?.hasStorage ?? false,
    };
    if (before === null || !sameValue(before, info)) this.set(infoKey(addr), info);
    const key = balanceKey(addr);
    if (!this.overlay.has(key) || this.overlay.get(key) !== account.balance) this.set(key, account.balance);
  }

  async deleteAccount(address: Address): Promise<void> {
    const addr = hex(address);
    this.set(infoKey(addr), null);
    this.set(balanceKey(addr), 0n);
    this.wipeStorage(addr);
  }

  async modifyAccountFields(address: Address, fields: { nonce?: bigint; balance?: bigint; codeHash?: Uint8Array }): Promise<void> {
    const account = (await this.getAccount(address)) ?? new Account();
    if (fields.nonce !== undefined) account.nonce = fields.nonce;
    if (fields.balance !== undefined) account.balance = fields.balance;
    if (fields.codeHash !== undefined) account.codeHash = fields.codeHash;
    await this.putAccount(address, account);
  }

  async putCode(address: Address, value: Uint8Array): Promise<void> {
    const addr = hex(address);
    const codeHash = value.length === 0 ? EMPTY_CODE_HASH : bytesToHex(keccak256(value));
    if (value.length > 0) this.newCode.set(codeHash, value);
    const before = this.getInfo(addr) ?? { nonce: 0n, codeHash: EMPTY_CODE_HASH, hasStorage: false };
    if (before.codeHash !== codeHash) this.set(infoKey(addr), { ...before, codeHash });
  }

  async getCode(address: Address): Promise<Uint8Array> {
    const info = this.getInfo(hex(address));
    if (info === null || info.codeHash === EMPTY_CODE_HASH) return EMPTY_BYTES;
    const code = this.newCode.get(info.codeHash) ?? this.source.code(info.codeHash);
    if (code === undefined) throw new Error(`bug: code ${info.codeHash} of ${address.toString()} is missing from the state`);
    return code;
  }

  async getCodeSize(address: Address): Promise<number> {
    return (await this.getCode(address)).length;
  }

  async getStorage(address: Address, key: Uint8Array): Promise<Uint8Array> {
    const addr = hex(address);
    const k = storageKey(addr, bytesToUnprefixedHex(key));
    if (this.forced !== undefined) this.forcedAccess(k);
    if (this.overlay.has(k)) return toStorageBytes(this.overlay.get(k) as bigint);
    if (this.wiped.has(addr)) return EMPTY_BYTES;
    return toStorageBytes(this.readSource(k) as bigint);
  }

  async putStorage(address: Address, key: Uint8Array, value: Uint8Array): Promise<void> {
    this.set(storageKey(hex(address), bytesToUnprefixedHex(key)), bytesToBigInt(value));
  }

  /**
   * @ethereumjs clears the storage of every address a CREATE deploys to,
   * after its collision check (nonce, code, and EIP-7610's non-empty
   * storage). Recorded as a wipe, each creation would make every later
   * storage read of that account depend on it and re-validate every executed
   * tx above the creator (a wipe is indexed by account, not by slot). At an
   * address whose storage is known to be empty there is nothing to clear, so
   * nothing is written: see `storageKnownEmpty`. A wipe is still recorded
   * where storage may be there (EIP-8246's selfdestruct clearing a live
   * contract).
   */
  async clearStorage(address: Address): Promise<void> {
    const addr = hex(address);
    const info = this.getInfo(addr);
    if (this.storageKnownEmpty(addr, info)) return;
    this.wipeStorage(addr);
    if (info !== null && info.hasStorage) this.set(infoKey(addr), { ...info, hasStorage: false });
  }

  /**
   * Whether `addr`'s storage, as this tx sees it, is certainly empty:
   * - no account: every deletion in a block wipes (deleteAccount), and the
   *   state before the block has no storage without an account;
   * - an account with nonce 0, no code and no storage in its info: storage
   *   is only written by code running at the address, which needs code there
   *   (a contract's nonce is at least 1 from EIP-161, an EIP-7702 authority's
   *   from its authorization); it goes away only through deletion (above) or
   *   EIP-8246's clearing, which wipes;
   * and this tx holds no slot of it in its overlay and has not wiped it.
   */
  private storageKnownEmpty(addr: string, info: AccountInfo | null): boolean {
    if (info !== null && (info.nonce !== 0n || info.codeHash !== EMPTY_CODE_HASH || info.hasStorage)) return false;
    if (this.wiped.has(addr)) return false;
    const prefix = "s" + addr;
    for (const key of this.overlay.keys()) if (key.startsWith(prefix)) return false;
    return true;
  }

  async checkpoint(): Promise<void> {
    this.journal.push([]);
  }

  async commit(): Promise<void> {
    const frame = this.journal.pop();
    const parent = this.journal[this.journal.length - 1];
    if (frame !== undefined && parent !== undefined) for (const undo of frame) parent.push(undo);
  }

  async revert(): Promise<void> {
    const frame = this.journal.pop();
    if (frame === undefined) return;
    for (let i = frame.length - 1; i >= 0; i--) frame[i]();
  }

  async getStateRoot(): Promise<Uint8Array> {
    throw new Error("hardhat-parallel executes Byzantium and later blocks only: per-transaction state roots (pre-Byzantium receipts) are not supported");
  }

  async setStateRoot(): Promise<void> {
    throw new Error("bug: setStateRoot is not supported by the transaction state");
  }

  async hasStateRoot(): Promise<boolean> {
    return false;
  }

  clearCaches(): void {}

  shallowCopy(): StateManagerInterface {
    return new TxStateManager();
  }
}

function hex(address: Address): string {
  return bytesToUnprefixedHex(address.bytes);
}

function toStorageBytes(v: bigint): Uint8Array {
  return v === 0n ? EMPTY_BYTES : bigIntToUnpaddedBytes(v);
}

/**
 * Flat in-memory world state: the pre-state replica every worker holds and the
 * state the sequential executor works on. Plain Maps keyed by lowercase hex
 * (no trie, no RLP) because execution reads it far more often than anything
 * hashes it; the state root is computed once per block from the diff
 * (state-root.ts).
 */
import { KECCAK256_NULL_S } from "@ethereumjs/util";

import { addressOf, kindOf, slotOf } from "./location";
import type { AccountInfo, LocationKey, LocationValue } from "./types";

export const EMPTY_CODE_HASH = KECCAK256_NULL_S;

export interface FlatAccount {
  balance: bigint;
  nonce: bigint;
  codeHash: string;
  storage: Map<string, bigint>;
}

/** What structured clone carries to a worker. */
export interface FlatStateSnapshot {
  id: string;
  version: number;
  accounts: Map<string, FlatAccount>;
  code: Map<string, Uint8Array>;
}

/**
 * The net effect of a block on the state: final values of every location it
 * changed, accounts whose storage it wiped, and new code. Storage entries of a
 * wiped account are values written after the wipe.
 */
export class StateDiff {
  readonly entries = new Map<LocationKey, LocationValue>();
  readonly wiped = new Set<string>();
  readonly code = new Map<string, Uint8Array>();

  /** Addresses touched by the diff, sorted (for stable reports and roots). */
  touchedAddresses(): string[] {
    const set = new Set<string>(this.wiped);
    for (const key of this.entries.keys()) set.add(addressOf(key));
    return [...set].sort();
  }
}

let nextStateId = 1;

export class FlatState {
  /** Identifies this state's lineage; workers keep replicas keyed by it. */
  readonly id: string;
  /** Bumped by every applyDiff, so a replica knows whether it is current. */
  version = 0;
  readonly accounts: Map<string, FlatAccount>;
  readonly code: Map<string, Uint8Array>;
  /**
   * The diffs that produced the latest versions, oldest first (diffLog[i]
   * made version logBase + i + 1), so a replica or a state root a few
   * versions behind catches up from them instead of starting over: a chain
   * applies one diff per block, per direct edit (hardhat_setBalance) and per
   * evm_revert. Bounded by diffLogLimit locations and MAX_LOGGED_DIFFS
   * diffs; a limit of 0 keeps no diff that changes anything (replicas).
   */
  private readonly diffLog: StateDiff[] = [];
  private logBase = 0;
  private logSize = 0;
  diffLogLimit = 200_000;

  constructor(accounts = new Map<string, FlatAccount>(), code = new Map<string, Uint8Array>(), id?: string) {
    this.id = id ?? `${process.pid}-${nextStateId++}-${Date.now()}`;
    this.accounts = accounts;
    this.code = code;
  }

  static fromSnapshot(s: FlatStateSnapshot): FlatState {
    const state = new FlatState(s.accounts, s.code, s.id);
    state.version = s.version;
    state.logBase = s.version;
    return state;
  }

  snapshot(): FlatStateSnapshot {
    return { id: this.id, version: this.version, accounts: this.accounts, code: this.code };
  }

  /** A deep copy with a new identity (for running the same block twice). */
  clone(): FlatState {
    const accounts = new Map<string, FlatAccount>();
    for (const [addr, a] of this.accounts) accounts.set(addr, { ...a, storage: new Map(a.storage) });
    return new FlatState(accounts, new Map(this.code));
  }

  setAccount(addr: string, fields: { balance?: bigint; nonce?: bigint; code?: Uint8Array; codeHash?: string; storage?: Map<string, bigint> }): void {
    let codeHash = fields.codeHash ?? EMPTY_CODE_HASH;
    if (fields.code !== undefined && fields.code.length > 0) {
      if (fields.codeHash === undefined) throw new Error("setAccount: code needs its codeHash");
      this.code.set(codeHash, fields.code);
    } else if (fields.code !== undefined) {
      codeHash = EMPTY_CODE_HASH;
    }
    this.accounts.set(addr, {
      balance: fields.balance ?? 0n,
      nonce: fields.nonce ?? 0n,
      codeHash,
      storage: fields.storage ?? new Map(),
    });
  }

  info(addr: string): AccountInfo | null {
    const a = this.accounts.get(addr);
    if (a === undefined) return null;
    return { nonce: a.nonce, codeHash: a.codeHash, hasStorage: a.storage.size > 0 };
  }

  balance(addr: string): bigint {
    return this.accounts.get(addr)?.balance ?? 0n;
  }

  storage(addr: string, slot: string): bigint {
    return this.accounts.get(addr)?.storage.get(slot) ?? 0n;
  }

  /** Value of a location in this state (wipe markers are 0 before a block). */
  read(key: LocationKey): LocationValue {
    const addr = addressOf(key);
    switch (kindOf(key)) {
      case "balance":
        return this.balance(addr);
      case "info":
        return this.info(addr);
      case "wipe":
        return 0n;
      case "storage":
        return this.storage(addr, slotOf(key));
    }
  }

  /** Applies a block's diff and bumps the version. */
  applyDiff(diff: StateDiff): void {
    for (const [hash, bytes] of diff.code) this.code.set(hash, bytes);
    for (const addr of diff.wiped) {
      const a = this.accounts.get(addr);
      if (a !== undefined) a.storage = new Map();
    }
    // Info first: it creates and deletes accounts; balance and storage then land on them.
    for (const [key, value] of diff.entries) {
      if (kindOf(key) !== "info") continue;
      const addr = addressOf(key);
      if (value === null) {
        this.accounts.delete(addr);
        continue;
      }
      const info = value as AccountInfo;
      const a = this.accounts.get(addr);
      if (a === undefined) {
        this.accounts.set(addr, { balance: 0n, nonce: info.nonce, codeHash: info.codeHash, storage: new Map() });
      } else {
        a.nonce = info.nonce;
        a.codeHash = info.codeHash;
      }
    }
    for (const [key, value] of diff.entries) {
      const kind = kindOf(key);
      if (kind === "info" || kind === "wipe") continue;
      const addr = addressOf(key);
      const a = this.accounts.get(addr);
      if (kind === "balance") {
        if (a !== undefined) a.balance = value as bigint;
        else if ((value as bigint) !== 0n) throw new Error(`applyDiff: balance for missing account 0x${addr}`);
      } else if (a !== undefined) {
        const slot = slotOf(key);
        if ((value as bigint) === 0n) a.storage.delete(slot);
        else a.storage.set(slot, value as bigint);
      }
    }
    this.version++;
    this.remember(diff);
  }

  private remember(diff: StateDiff): void {
    this.diffLog.push(diff);
    this.logSize += diffSize(diff);
    while (this.diffLog.length > 0 && (this.logSize > this.diffLogLimit || this.diffLog.length > MAX_LOGGED_DIFFS)) {
      this.logSize -= diffSize(this.diffLog.shift()!);
      this.logBase++;
    }
    if (this.diffLog.length === 0) this.logBase = this.version;
  }

  /** The diffs that lead from `version` of this state to the current one, in order; undefined when they are no longer kept. */
  diffsSince(version: number): StateDiff[] | undefined {
    if (version > this.version || version < this.logBase) return undefined;
    return this.diffLog.slice(version - this.logBase);
  }
}

/** At most this many diffs are kept, however small (empty ones too). */
const MAX_LOGGED_DIFFS = 4096;

function diffSize(diff: StateDiff): number {
  return diff.entries.size + diff.wiped.size + diff.code.size;
}

/**
 * State root from a flat state plus a block diff. One persistent trie per
 * FlatState lineage (accounts, and storage per account) is kept in memory;
 * a block re-inserts only the accounts and slots its diff touches, once.
 * Because the trie is persistent (merkle.ts), the root of state+diff is
 * computed without disturbing the state's own trie: repeated runs on the same
 * pre-state (benchmarks, verification) cost only the touched paths, and
 * `dryRun: false` adopts the new tries for the state's next version.
 */
import { KECCAK256_RLP } from "@ethereumjs/util";
import { keccak256, keccakReady } from "./hash";

import { addressOf, kindOf, slotOf } from "./location";
import type { FlatState, StateDiff } from "./flat-state";
import { MerkleTrie } from "./merkle";
import { encodeRlp, unpaddedBytes } from "./rlp-writer";
import type { AccountInfo } from "./types";

type Update = readonly [Uint8Array, Uint8Array | undefined];

// Buffer's native hex decoding: @ethereumjs's hexToBytes validates with a regular expression, a visible cost for thousands of keys.
const bytesOfHex = (hex: string): Uint8Array => Buffer.from(hex, "hex");
const storageValue = (v: bigint) => (v === 0n ? undefined : encodeRlp(unpaddedBytes(v)));

/** An account leaf: RLP of [nonce, balance, storage root, code hash]. */
export function encodeAccount(nonce: bigint, balance: bigint, storageRoot: Uint8Array, codeHash: string): Uint8Array {
  return encodeRlp([unpaddedBytes(nonce), unpaddedBytes(balance), storageRoot, bytesOfHex(codeHash.slice(2))]);
}

export class StateRootComputer {
  private accounts = MerkleTrie.empty();
  private storage = new Map<string, MerkleTrie>();
  private syncedId = "";
  private syncedVersion = -1;
  /**
   * keccak of every address and slot key seen, as a client keeps its secure
   * trie's preimages: a block mostly touches keys the state already has, and
   * hashing them again cost about 12 ms of a 2,000-transfer block's root.
   */
  private readonly hashedKeys = new Map<string, Uint8Array>();

  private hashedKey(hex: string): Uint8Array {
    let h = this.hashedKeys.get(hex);
    if (h === undefined) this.hashedKeys.set(hex, (h = keccak256(bytesOfHex(hex))));
    return h;
  }

  /** Root of `state` with `diff` applied; with dryRun the kept tries stay those of `state`. */
  async compute(state: FlatState, diff: StateDiff | undefined, opts: { dryRun: boolean }): Promise<Uint8Array> {
    await keccakReady;
    if (diff === undefined) return this.rootNow(state);
    if (state.id !== this.syncedId || state.version !== this.syncedVersion) this.sync(state);

    const slots = new Map<string, Update[]>();
    for (const [key, value] of diff.entries) {
      if (kindOf(key) !== "storage") continue;
      const addr = addressOf(key);
      let list = slots.get(addr);
      if (list === undefined) slots.set(addr, (list = []));
      list.push([this.hashedKey(slotOf(key)), storageValue(value as bigint)]);
    }
    const newStorage = new Map<string, MerkleTrie | undefined>();
    const accountUpdates: Update[] = [];
    for (const addr of diff.touchedAddresses()) {
      const info = diff.entries.has("i" + addr) ? (diff.entries.get("i" + addr) as AccountInfo | null) : state.info(addr);
      if (info === null) {
        accountUpdates.push([this.hashedKey(addr), undefined]);
        newStorage.set(addr, undefined);
        continue;
      }
      let trie = diff.wiped.has(addr) ? MerkleTrie.empty() : (this.storage.get(addr) ?? MerkleTrie.empty());
      const writes = slots.get(addr);
      if (writes !== undefined) trie = trie.update(writes);
      if (writes !== undefined || diff.wiped.has(addr)) newStorage.set(addr, trie);
      const balance = diff.entries.has("b" + addr) ? (diff.entries.get("b" + addr) as bigint) : state.balance(addr);
      accountUpdates.push([this.hashedKey(addr), encodeAccount(info.nonce, balance, trie.root(), info.codeHash)]);
    }
    const accounts = this.accounts.update(accountUpdates);
    if (!opts.dryRun) {
      this.accounts = accounts;
      for (const [addr, trie] of newStorage) {
        if (trie === undefined) this.storage.delete(addr);
        else this.storage.set(addr, trie);
      }
      // The caller applies the diff to the state next; these tries are that version's.
      this.syncedVersion = state.version + 1;
    }
    return accounts.root();
  }

  /**
   * Root of `state` as it is now, without waiting for the fast hasher (a
   * chain's genesis is built in a constructor): before it is ready, keys and
   * nodes are hashed by the slower fallback, with the same results.
   */
  rootNow(state: FlatState): Uint8Array {
    if (state.id !== this.syncedId || state.version !== this.syncedVersion) this.sync(state);
    return this.accounts.root();
  }

  /** How often the tries were brought up to date, and how: from scratch, or from the diffs in between. */
  readonly stats = { rebuilds: 0, catchUps: 0, diffsCaughtUp: 0 };

  /** Brings the tries to `state` as it is now. */
  private sync(state: FlatState): void {
    const diffs = state.id === this.syncedId && this.syncedVersion <= state.version ? state.diffsSince(this.syncedVersion) : undefined;
    if (diffs === undefined) this.rebuild(state);
    else this.catchUp(state, diffs);
  }

  /**
   * Updates the tries for what `diffs` changed since they were synced (direct
   * edits, evm_revert's undo diffs): only the touched accounts and slots,
   * re-read from the state as it is now, so applying several diffs costs the
   * locations they touch, not the size of the state. An account whose storage
   * a diff wiped or deleted gets its storage trie rebuilt from the state.
   */
  private catchUp(state: FlatState, diffs: StateDiff[]): void {
    const touched = new Map<string, { slots: Set<string>; rebuildStorage: boolean }>();
    const at = (addr: string) => {
      let t = touched.get(addr);
      if (t === undefined) touched.set(addr, (t = { slots: new Set(), rebuildStorage: false }));
      return t;
    };
    for (const diff of diffs) {
      for (const addr of diff.wiped) at(addr).rebuildStorage = true;
      for (const [key, value] of diff.entries) {
        const t = at(addressOf(key));
        const kind = kindOf(key);
        if (kind === "storage") t.slots.add(slotOf(key));
        else if (kind === "wipe" || (kind === "info" && value === null)) t.rebuildStorage = true;
      }
    }
    const accountUpdates: Update[] = [];
    for (const [addr, t] of touched) {
      const account = state.accounts.get(addr);
      if (account === undefined) {
        accountUpdates.push([this.hashedKey(addr), undefined]);
        this.storage.delete(addr);
        continue;
      }
      let trie: MerkleTrie;
      if (t.rebuildStorage) {
        trie = MerkleTrie.empty().update([...account.storage].map(([slot, v]) => [this.hashedKey(slot), storageValue(v)] as const));
      } else {
        trie = this.storage.get(addr) ?? MerkleTrie.empty();
        if (t.slots.size > 0) trie = trie.update([...t.slots].map((slot) => [this.hashedKey(slot), storageValue(account.storage.get(slot) ?? 0n)] as const));
      }
      this.storage.set(addr, trie);
      accountUpdates.push([this.hashedKey(addr), encodeAccount(account.nonce, account.balance, trie.root(), account.codeHash)]);
    }
    this.accounts = this.accounts.update(accountUpdates);
    this.syncedVersion = state.version;
    this.stats.catchUps++;
    this.stats.diffsCaughtUp += diffs.length;
  }

  private rebuild(state: FlatState): void {
    this.stats.rebuilds++;
    const accountUpdates: Update[] = [];
    this.storage = new Map();
    for (const [addr, a] of state.accounts) {
      let storageRoot = KECCAK256_RLP;
      if (a.storage.size > 0) {
        const trie = MerkleTrie.empty().update([...a.storage].map(([slot, v]) => [this.hashedKey(slot), storageValue(v)] as const));
        this.storage.set(addr, trie);
        storageRoot = trie.root();
      }
      accountUpdates.push([this.hashedKey(addr), encodeAccount(a.nonce, a.balance, storageRoot, a.codeHash)]);
    }
    this.accounts = MerkleTrie.empty().update(accountUpdates);
    this.syncedId = state.id;
    this.syncedVersion = state.version;
  }
}

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
    if (state.id !== this.syncedId || state.version !== this.syncedVersion) this.rebuild(state);
    if (diff === undefined) return this.accounts.root();

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

  private rebuild(state: FlatState): void {
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

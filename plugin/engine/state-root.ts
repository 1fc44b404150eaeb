/**
 * State root from a flat state plus a block diff. A persistent secure trie is
 * kept per FlatState lineage and only the accounts and slots the diff touches
 * are re-inserted, once per block: the root is computed from the diff, never
 * by replaying writes through a Merkle-backed state manager.
 *
 * `dryRun` computes the root of state+diff and then reverts the tries, so the
 * same pre-state can be measured repeatedly (benchmarks, verification).
 */
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { RLP } from "@ethereumjs/rlp";
import { Account, KECCAK256_RLP, bigIntToUnpaddedBytes, hexToBytes } from "@ethereumjs/util";

import { addressOf, kindOf, slotOf } from "./location";
import type { FlatAccount, FlatState, StateDiff } from "./flat-state";
import type { AccountInfo } from "./types";

export class StateRootComputer {
  private accounts = newTrie();
  private storage = new Map<string, MerklePatriciaTrie>();
  private storageRoots = new Map<string, Uint8Array>();
  private syncedId = "";
  private syncedVersion = -1;

  /** Root of `state` with `diff` applied; with dryRun the tries are left as they were. */
  async compute(state: FlatState, diff: StateDiff | undefined, opts: { dryRun: boolean }): Promise<Uint8Array> {
    if (state.id !== this.syncedId || state.version !== this.syncedVersion) await this.rebuild(state);
    if (diff === undefined) return this.accounts.root();
    const touched = diff.touchedAddresses();
    const tries: MerklePatriciaTrie[] = [this.accounts];
    const savedRoots = new Map<string, Uint8Array | undefined>();
    this.accounts.checkpoint();

    // Group storage writes per account.
    const slots = new Map<string, [string, bigint][]>();
    for (const [key, value] of diff.entries) {
      if (kindOf(key) !== "storage") continue;
      const addr = addressOf(key);
      let list = slots.get(addr);
      if (list === undefined) slots.set(addr, (list = []));
      list.push([slotOf(key), value as bigint]);
    }

    for (const addr of touched) {
      const info = diff.entries.has("i" + addr) ? (diff.entries.get("i" + addr) as AccountInfo | null) : state.info(addr);
      const addrBytes = hexToBytes(`0x${addr}`);
      if (info === null) {
        await this.accounts.del(addrBytes);
        savedRoots.set(addr, this.storageRoots.get(addr));
        this.storageRoots.delete(addr);
        if (!opts.dryRun) this.storage.delete(addr);
        continue;
      }
      let storageRoot = this.storageRoots.get(addr) ?? KECCAK256_RLP;
      const wiped = diff.wiped.has(addr);
      const writes = slots.get(addr);
      if (wiped || writes !== undefined) {
        savedRoots.set(addr, this.storageRoots.get(addr));
        let trie = wiped ? undefined : this.storage.get(addr);
        if (trie === undefined) {
          trie = newTrie();
          if (!wiped) this.storage.set(addr, trie);
        }
        trie.checkpoint();
        tries.push(trie);
        for (const [slot, value] of writes ?? []) {
          const k = hexToBytes(`0x${slot}`);
          if (value === 0n) await trie.del(k);
          else await trie.put(k, RLP.encode(bigIntToUnpaddedBytes(value)));
        }
        storageRoot = trie.root();
        this.storageRoots.set(addr, storageRoot);
        if (wiped && !opts.dryRun) this.storage.set(addr, trie);
      }
      const balance = diff.entries.has("b" + addr) ? (diff.entries.get("b" + addr) as bigint) : state.balance(addr);
      const account = new Account(info.nonce, balance, storageRoot, hexToBytes(info.codeHash as `0x${string}`));
      await this.accounts.put(addrBytes, account.serialize());
    }
    const root = this.accounts.root();
    if (opts.dryRun) {
      for (const t of tries) await t.revert();
      for (const [addr, r] of savedRoots) {
        if (r === undefined) this.storageRoots.delete(addr);
        else this.storageRoots.set(addr, r);
      }
    } else {
      for (const t of tries) await t.commit();
      // The caller applies the diff to the state next; track that version.
      this.syncedVersion = state.version + 1;
    }
    return root;
  }

  private async rebuild(state: FlatState): Promise<void> {
    this.accounts = newTrie();
    this.storage = new Map();
    this.storageRoots = new Map();
    for (const [addr, a] of state.accounts) {
      const storageRoot = await this.buildStorage(addr, a);
      const account = new Account(a.nonce, a.balance, storageRoot, hexToBytes(a.codeHash as `0x${string}`));
      await this.accounts.put(hexToBytes(`0x${addr}`), account.serialize());
    }
    this.syncedId = state.id;
    this.syncedVersion = state.version;
  }

  private async buildStorage(addr: string, a: FlatAccount): Promise<Uint8Array> {
    if (a.storage.size === 0) return KECCAK256_RLP;
    const trie = newTrie();
    for (const [slot, value] of a.storage) {
      if (value !== 0n) await trie.put(hexToBytes(`0x${slot}`), RLP.encode(bigIntToUnpaddedBytes(value)));
    }
    this.storage.set(addr, trie);
    const root = trie.root();
    this.storageRoots.set(addr, root);
    return root;
  }
}

function newTrie(): MerklePatriciaTrie {
  return new MerklePatriciaTrie({ useKeyHashing: true });
}

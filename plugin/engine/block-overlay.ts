/**
 * The block state as sequential execution sees it: the base state plus the
 * writes of every transaction applied so far, in order. The sequential
 * executor reads through it, and the parallel executor uses it for the
 * block's system phases (beacon root, history, withdrawals, rewards,
 * requests) that run before and after the transactions.
 *
 * It also remembers which transaction last wrote each location, so the
 * sequential executor reports read sets with versions like the parallel one.
 */
import { addressOf, kindOf } from "./location";
import { FlatState, StateDiff } from "./flat-state";
import type { Resolved } from "./mv-memory";
import type { ReadSource } from "./tx-state";
import type { LocationKey, LocationValue, ReadOrigin, TxIndex, TxWriteSet } from "./types";

interface Slot {
  value: LocationValue;
  writer: TxIndex;
}

const BASE_ORIGIN: ReadOrigin = { kind: "base" };

export class BlockOverlay {
  private readonly values = new Map<LocationKey, Slot>();
  /** Storage keys written per address, so a wipe can drop them. */
  private readonly storageKeys = new Map<string, Set<LocationKey>>();
  private readonly wiped = new Map<string, TxIndex>();
  readonly code = new Map<string, Uint8Array>();

  constructor(readonly base: FlatState) {}

  read(key: LocationKey): LocationValue {
    return this.lookup(key).value;
  }

  private lookup(key: LocationKey): Slot | { value: LocationValue; writer: -1 } {
    const hit = this.values.get(key);
    if (hit !== undefined) return hit;
    if (kindOf(key) === "storage") {
      const wipedBy = this.wiped.get(addressOf(key));
      if (wipedBy !== undefined) return { value: 0n, writer: wipedBy };
    }
    return { value: this.base.read(key), writer: -1 };
  }

  /** The read source for a transaction executing on top of this overlay. */
  sourceFor(incarnation = 0): ReadSource {
    const resolve = (key: LocationKey): Resolved => {
      const slot = this.lookup(key);
      return { value: slot.value, origin: slot.writer < 0 ? BASE_ORIGIN : { kind: "tx", tx: slot.writer, incarnation } };
    };
    return {
      resolve,
      resolveNonzero: (key) => {
        const r = resolve(key) as { value: bigint; origin: ReadOrigin };
        return { value: r.value === 0n ? 0n : 1n, origin: r.origin };
      },
      code: (hash) => this.code.get(hash) ?? this.base.code.get(hash),
    };
  }

  /** Applies one transaction's writes (wipes first: storage values in the set are post-wipe). */
  apply(tx: TxIndex, writeSet: TxWriteSet): void {
    for (const [hash, bytes] of writeSet.code) this.code.set(hash, bytes);
    for (const w of writeSet.writes) {
      if (kindOf(w.key) !== "wipe") continue;
      const addr = addressOf(w.key);
      for (const key of this.storageKeys.get(addr) ?? []) this.values.delete(key);
      this.storageKeys.delete(addr);
      this.wiped.set(addr, tx);
    }
    for (const w of writeSet.writes) {
      const kind = kindOf(w.key);
      if (kind === "wipe") continue;
      let value = w.value;
      if (w.delta === true) value = (this.read(w.key) as bigint) + (w.value as bigint);
      this.values.set(w.key, { value, writer: tx });
      if (kind === "storage") {
        const addr = addressOf(w.key);
        let keys = this.storageKeys.get(addr);
        if (keys === undefined) this.storageKeys.set(addr, (keys = new Set()));
        keys.add(w.key);
      }
    }
  }

  /** Applies a finished block diff (the parallel executor's merged result). */
  applyDiff(tx: TxIndex, diff: StateDiff): void {
    const writes = [...diff.entries].map(([key, value]) => ({ key, value }));
    for (const addr of diff.wiped) writes.push({ key: "w" + addr, value: 1n });
    this.apply(tx, { writes, code: [...diff.code] });
  }

  toDiff(): StateDiff {
    const diff = new StateDiff();
    for (const [hash, bytes] of this.code) diff.code.set(hash, bytes);
    for (const addr of this.wiped.keys()) diff.wiped.add(addr);
    for (const [key, slot] of this.values) diff.entries.set(key, slot.value);
    return diff;
  }
}

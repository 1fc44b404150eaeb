/**
 * The chain's state history. The head state is one FlatState; every change
 * to it (a mined block's diff, or a direct edit such as hardhat_setBalance)
 * goes through here and leaves an undo record: the value each location held
 * before. That gives, without copying the state:
 *
 * - reads at any earlier point (eth_getBalance at a block tag): the head
 *   value, walked back through the undo records after that point;
 * - evm_revert: undo everything after the snapshot's position.
 */
import { FlatState, StateDiff } from "../engine/flat-state";
import { addressOf, kindOf, storageKey } from "../engine/location";
import type { LocationKey, LocationValue } from "../engine/types";

interface UndoRecord {
  /** Value of each changed location before the change (null info = no account). */
  before: Map<LocationKey, LocationValue>;
}

export class StateJournal {
  private readonly records: UndoRecord[] = [];

  constructor(readonly state: FlatState) {}

  /** Where the history stands now; pass it to readAt or revertTo later. */
  get position(): number {
    return this.records.length;
  }

  /** Applies a diff to the head state, remembering how to undo it. */
  apply(diff: StateDiff): void {
    const before = new Map<LocationKey, LocationValue>();
    // A wipe drops every slot: remember them all, as their own locations.
    for (const addr of diff.wiped) {
      const account = this.state.accounts.get(addr);
      if (account === undefined) continue;
      for (const [slot, value] of account.storage) before.set(storageKey(addr, slot), value);
    }
    for (const key of diff.entries.keys()) {
      if (kindOf(key) === "wipe" || before.has(key)) continue;
      before.set(key, this.state.read(key));
    }
    // An account created by the diff had no storage; one deleted by it loses all of it.
    for (const [key, value] of diff.entries) {
      if (kindOf(key) !== "info" || value !== null) continue;
      const account = this.state.accounts.get(addressOf(key));
      if (account === undefined) continue;
      for (const [slot, v] of account.storage) if (!before.has(storageKey(addressOf(key), slot))) before.set(storageKey(addressOf(key), slot), v);
      const balance = "b" + addressOf(key);
      if (!before.has(balance)) before.set(balance, account.balance);
    }
    this.state.applyDiff(diff);
    this.records.push({ before });
  }

  /** A point in history with no change (an empty block), so every block has its own position. */
  mark(): void {
    this.records.push({ before: new Map() });
  }

  /** Undoes every change made after `position`. */
  revertTo(position: number): void {
    if (position > this.records.length) throw new Error(`bug: revert to history position ${position} beyond ${this.records.length}`);
    // One diff for the whole revert: newest record first, so each location ends with the value it had at `position`.
    // (A diff per record would make the state root and the worker replicas catch up on each of them.)
    const undo = new StateDiff();
    while (this.records.length > position) {
      for (const [key, value] of this.records.pop()!.before) undo.entries.set(key, value);
    }
    if (undo.entries.size > 0) this.state.applyDiff(undo);
  }

  /** Value of `key` when the history stood at `position`. */
  readAt(key: LocationKey, position: number): LocationValue {
    let value = this.state.read(key);
    for (let i = this.records.length - 1; i >= position; i--) {
      const before = this.records[i].before;
      if (before.has(key)) value = before.get(key)!;
    }
    return value;
  }
}

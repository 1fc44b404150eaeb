/**
 * Multi-version memory (Block-STM): for every location, the value written by
 * each transaction of the block, ordered by transaction index. A read by tx k
 * sees the highest writer below k, else the base state. The coordinator holds
 * the authoritative copy; each worker holds a mirror fed by the same update
 * log, so a worker's view may lag but never disagrees about what it has seen.
 *
 * Two kinds of location resolve through more than one entry:
 * - a balance may carry commutative deltas (fees paid to the beneficiary):
 *   the value is the nearest absolute write (or the base) plus every delta
 *   above it;
 * - a storage slot is zero if the account's storage was wiped by a tx above
 *   the slot's nearest writer.
 * Validation re-resolves reads with exactly the same code (resolve()), so a
 * read is valid iff its effective value is unchanged.
 */
import { addressOf, kindOf, wipeKey } from "./location";
import { StateDiff } from "./flat-state";
import type { Incarnation, LocationKey, LocationValue, Read, ReadOrigin, TxIndex, TxWriteSet, Write } from "./types";

export interface MVEntry {
  tx: TxIndex;
  incarnation: Incarnation;
  value: LocationValue;
  delta: boolean;
  /** The writer was aborted: readers must wait for its next incarnation. */
  estimate: boolean;
}

export type Resolved = { value: LocationValue; origin: ReadOrigin; estimate?: undefined } | { estimate: TxIndex };

export type BaseReader = (key: LocationKey) => LocationValue;

const BASE_ORIGIN: ReadOrigin = { kind: "base" };

/** A location is hot near a reader (see likelyPendingWriter) once this many txs near it wrote it. */
const MIN_HOT_WRITERS = 2;
/** How far around a reader likelyPendingWriter looks for writers and for txs that have not executed. */
export const PENDING_WINDOW = 16;

/** One update of the memory, in the order the coordinator applied it. */
export type MVUpdate =
  | { kind: "write"; tx: TxIndex; incarnation: Incarnation; writeSet: TxWriteSet }
  | { kind: "estimate"; tx: TxIndex };

export class MVMemory {
  private readonly data = new Map<LocationKey, MVEntry[]>();
  /** Keys written by each tx's latest incarnation. */
  private readonly written = new Map<TxIndex, LocationKey[]>();
  readonly code = new Map<string, Uint8Array>();
  /** How many wipe locations have entries. */
  private wipeLocations = 0;
  /** Txs whose latest incarnation was aborted: their writes are ESTIMATEs until they run again. */
  private readonly estimated = new Set<TxIndex>();

  constructor(private readonly base: BaseReader) {}

  apply(update: MVUpdate): Set<LocationKey> {
    if (update.kind === "estimate") {
      this.markEstimate(update.tx);
      return new Set();
    }
    return this.record(update.tx, update.incarnation, update.writeSet);
  }

  /**
   * Replaces tx's writes with those of a new incarnation. Returns the keys
   * whose entry for tx changed (new, removed or different value), which is
   * where readers above tx may now be invalid.
   */
  record(tx: TxIndex, incarnation: Incarnation, writeSet: TxWriteSet): Set<LocationKey> {
    for (const [hash, bytes] of writeSet.code) this.code.set(hash, bytes);
    const changed = new Set<LocationKey>();
    const previous = this.written.get(tx);
    const keys: LocationKey[] = [];
    for (const w of writeSet.writes) {
      keys.push(w.key);
      if (this.upsert(tx, incarnation, w)) changed.add(w.key);
    }
    if (previous !== undefined) {
      const now = new Set(keys);
      for (const key of previous) {
        if (!now.has(key)) {
          this.remove(tx, key);
          changed.add(key);
        }
      }
    }
    this.written.set(tx, keys);
    this.estimated.delete(tx);
    return changed;
  }

  markEstimate(tx: TxIndex): void {
    const keys = this.written.get(tx);
    if (keys === undefined) return;
    this.estimated.add(tx);
    for (const key of keys) {
      const entries = this.data.get(key)!;
      const at = findExact(entries, tx);
      if (at >= 0) entries[at].estimate = true;
    }
  }

  /**
   * Whether tx's entry at key is a positive delta: such a write can never
   * turn a "non-zero" answer above it into "zero", so readers that only
   * observed non-zero need no re-validation.
   */
  positiveDeltaAt(tx: TxIndex, key: LocationKey): boolean {
    const entries = this.data.get(key);
    if (entries === undefined) return false;
    const at = findExact(entries, tx);
    return at >= 0 && entries[at].delta && (entries[at].value as bigint) > 0n;
  }

  writtenKeys(tx: TxIndex): readonly LocationKey[] {
    return this.written.get(tx) ?? [];
  }

  /** Effective value of `key` as seen by tx `reader` (all txs below it). */
  resolve(reader: TxIndex, key: LocationKey): Resolved {
    const kind = kindOf(key);
    if (kind === "storage") return this.resolveStorage(reader, key);
    const entries = this.data.get(key);
    if (entries === undefined) return { value: this.base(key), origin: BASE_ORIGIN };
    let i = below(entries, reader);
    if (kind !== "balance") {
      if (i < 0) return { value: this.base(key), origin: BASE_ORIGIN };
      const e = entries[i];
      return e.estimate ? { estimate: e.tx } : { value: e.value, origin: { kind: "tx", tx: e.tx, incarnation: e.incarnation } };
    }
    // Balance: the nearest absolute write plus the deltas above it.
    let sum = 0n;
    let origin: ReadOrigin | undefined;
    for (; i >= 0; i--) {
      const e = entries[i];
      if (e.estimate) return { estimate: e.tx };
      origin ??= { kind: "tx", tx: e.tx, incarnation: e.incarnation };
      sum += e.value as bigint;
      if (!e.delta) return { value: sum, origin };
    }
    return { value: (this.base(key) as bigint) + sum, origin: origin ?? BASE_ORIGIN };
  }

  /**
   * Whether the balance is non-zero as seen by `reader`. Cheaper and far more
   * stable than the value itself: a single positive delta above the nearest
   * absolute write settles it, whatever lies below.
   */
  resolveNonzero(reader: TxIndex, key: LocationKey): Resolved {
    const entries = this.data.get(key);
    if (entries === undefined) return { value: nonzero(this.base(key) as bigint), origin: BASE_ORIGIN };
    let sum = 0n;
    for (let i = below(entries, reader); i >= 0; i--) {
      const e = entries[i];
      // An ESTIMATE counts with the value its aborted incarnation wrote: whether
      // a balance is zero rarely changes between incarnations, and the reader
      // is re-validated when the writer's next incarnation changes its entry
      // (the entry counts as changed whenever it was an ESTIMATE), so nothing
      // waits on the fee payment of a tx whose writer below was aborted.
      const origin: ReadOrigin = { kind: "tx", tx: e.tx, incarnation: e.incarnation };
      sum += e.value as bigint;
      if (!e.delta || sum > 0n) return { value: nonzero(sum), origin };
    }
    return { value: nonzero((this.base(key) as bigint) + sum), origin: BASE_ORIGIN };
  }

  /** What `read` (a plain read or a non-zero check) resolves to for `reader` now: how validation re-reads a read set. */
  resolveRead(reader: TxIndex, read: Read): Resolved {
    return read.predicate === "nonzero" ? this.resolveNonzero(reader, read.key) : this.resolve(reader, read.key);
  }

  /**
   * What an executing incarnation of `reader` reads at `key`: resolve(), or an
   * ESTIMATE of a lower tx that has not executed yet but likely writes `key`
   * (likelyPendingWriter): the incarnation stops there and the tx waits for
   * that one instead of running on to be aborted. Validation never predicts:
   * it uses resolve().
   */
  resolveForExecution(reader: TxIndex, key: LocationKey): Resolved {
    const pending = this.likelyPendingWriter(reader, key, PENDING_WINDOW);
    return pending !== undefined ? { estimate: pending } : this.resolve(reader, key);
  }

  /**
   * Whether tx `reader`, about to read `key`, should rather wait: `key` is
   * hot around `reader` (at least MIN_HOT_WRITERS of the txs within `window`
   * of it that have executed wrote it) and txs between its nearest writer
   * below and `reader` have not executed yet (or were aborted), so one of them
   * likely writes `key` too and would make this read stale. The share of
   * writers among the executed txs nearby is the chance that a pending one
   * writes it; the reader waits when at least one of them more likely does
   * than not. Returns the nearest such tx to wait for, or undefined (read on).
   * A prediction only: waiting when it was wrong costs the reader a later
   * start, never a wrong result.
   */
  likelyPendingWriter(reader: TxIndex, key: LocationKey, window: number): TxIndex | undefined {
    const entries = this.data.get(key);
    if (entries === undefined || entries.length < MIN_HOT_WRITERS) return undefined;
    const from = Math.max(0, reader - window);
    const to = reader + window;
    const nearest = below(entries, reader);
    const floor = Math.max(nearest >= 0 ? entries[nearest].tx : -1, from - 1);
    // Pending txs between the nearest writer and the reader.
    let pending: TxIndex | undefined;
    let count = 0;
    for (let t = reader - 1; t > floor; t--) {
      if (this.hasRun(t)) continue;
      pending ??= t;
      count++;
    }
    if (pending === undefined) return undefined;
    // Writers and executed txs within the window (the reader itself aside).
    let writers = 0;
    for (let i = below(entries, from) + 1; i < entries.length && entries[i].tx < to; i++) if (entries[i].tx !== reader) writers++;
    if (writers < MIN_HOT_WRITERS) return undefined;
    let executed = 0;
    for (let t = from; t < to; t++) if (t !== reader && this.hasRun(t)) executed++;
    const share = Math.min(1, writers / Math.max(executed, 1));
    return 1 - (1 - share) ** count >= 0.5 ? pending : undefined;
  }

  /** Whether tx's latest incarnation has executed (it has writes here, none of them ESTIMATEs). */
  private hasRun(tx: TxIndex): boolean {
    return this.written.has(tx) && !this.estimated.has(tx);
  }

  private resolveStorage(reader: TxIndex, key: LocationKey): Resolved {
    // Most blocks wipe nothing: skip building the wipe key for every storage read.
    const wipes = this.wipeLocations > 0 ? this.data.get(wipeKey(addressOf(key))) : undefined;
    let wipe: MVEntry | undefined;
    if (wipes !== undefined) {
      const w = below(wipes, reader);
      if (w >= 0) wipe = wipes[w];
    }
    const entries = this.data.get(key);
    let slot: MVEntry | undefined;
    if (entries !== undefined) {
      const s = below(entries, reader);
      if (s >= 0) slot = entries[s];
    }
    // A tx that both wipes and writes a slot records the slot's final value,
    // so the slot entry wins a tie.
    if (wipe !== undefined && (slot === undefined || wipe.tx > slot.tx)) {
      return wipe.estimate ? { estimate: wipe.tx } : { value: 0n, origin: { kind: "tx", tx: wipe.tx, incarnation: wipe.incarnation } };
    }
    if (slot !== undefined) {
      return slot.estimate ? { estimate: slot.tx } : { value: slot.value, origin: { kind: "tx", tx: slot.tx, incarnation: slot.incarnation } };
    }
    return { value: this.base(key), origin: BASE_ORIGIN };
  }

  /** Final values after the first `txCount` txs, as a diff against the base. */
  toDiff(txCount: TxIndex): StateDiff {
    const diff = new StateDiff();
    for (const [hash, bytes] of this.code) diff.code.set(hash, bytes);
    for (const key of this.data.keys()) {
      const r = this.resolve(txCount, key);
      if (r.estimate !== undefined) throw new Error(`bug: estimate left at ${key} after the block committed`);
      if (kindOf(key) === "wipe") {
        if (r.value !== 0n) diff.wiped.add(addressOf(key));
        continue;
      }
      diff.entries.set(key, r.value);
    }
    return diff;
  }

  private upsert(tx: TxIndex, incarnation: Incarnation, w: Write): boolean {
    let entries = this.data.get(w.key);
    if (entries === undefined) {
      entries = [];
      this.data.set(w.key, entries);
      if (kindOf(w.key) === "wipe") this.wipeLocations++;
    }
    const entry: MVEntry = { tx, incarnation, value: w.value, delta: w.delta === true, estimate: false };
    const at = findExact(entries, tx);
    if (at >= 0) {
      const old = entries[at];
      entries[at] = entry;
      return old.estimate || old.delta !== entry.delta || !sameValue(old.value, entry.value);
    }
    entries.splice(below(entries, tx) + 1, 0, entry);
    return true;
  }

  private remove(tx: TxIndex, key: LocationKey): void {
    const entries = this.data.get(key);
    if (entries === undefined) return;
    const at = findExact(entries, tx);
    if (at >= 0) entries.splice(at, 1);
    // No writer left: the location is untouched by the block again (toDiff must not list it).
    if (entries.length === 0) {
      this.data.delete(key);
      if (kindOf(key) === "wipe") this.wipeLocations--;
    }
  }
}

function nonzero(v: bigint): bigint {
  return v === 0n ? 0n : 1n;
}

/** Index of the last entry with tx < reader, or -1. */
function below(entries: MVEntry[], reader: TxIndex): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid].tx < reader) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

function findExact(entries: MVEntry[], tx: TxIndex): number {
  const i = below(entries, tx + 1);
  return i >= 0 && entries[i].tx === tx ? i : -1;
}

export function sameValue(a: LocationValue, b: LocationValue): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a === "bigint" || typeof b === "bigint") return false;
  return a.nonce === b.nonce && a.codeHash === b.codeHash && a.hasStorage === b.hasStorage;
}

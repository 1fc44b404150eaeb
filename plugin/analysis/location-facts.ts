/**
 * What a block did to one location, the facts the pattern classifier reads:
 * who wrote it, by how much each writer changed it, whether a writer put back
 * the value it found (a lock), and whether the values written were the
 * block's timestamp.
 */
import { addressOf, kindOf, slotOf } from "../engine/location";
import type { LocationKind } from "../engine/location";
import type { LocationKey, LocationValue, TxIndex } from "../engine/types";
import type { BlockTrace } from "./trace";

export interface LocationFacts {
  key: LocationKey;
  kind: LocationKind;
  /** 40 lowercase hex digits, no 0x. */
  address: string;
  /** 64 hex digits for storage, undefined otherwise. */
  slot?: string;
  writers: TxIndex[];
  /** Per writer that read the location first: written minus read (numeric locations only). */
  deltas: bigint[];
  /** Writers that did not read it first, or whose values are not numbers. */
  blindWriters: number;
  /** Writers that wrote back exactly the value they read (a lock taken and released, a no-op write). */
  restoringWriters: number;
  /** Writers whose written value holds the block's timestamp or number (alone, or as a packed field). */
  timestampWriters: number;
  /** Senders of the txs that read or wrote it. */
  senders: Set<string>;
}

/** Facts for every location some transaction wrote. */
export function locationFacts(trace: BlockTrace): Map<LocationKey, LocationFacts> {
  const facts = new Map<LocationKey, LocationFacts>();
  const factsOf = (key: LocationKey): LocationFacts => {
    let f = facts.get(key);
    if (f === undefined) {
      const kind = kindOf(key);
      f = { key, kind, address: addressOf(key), ...(kind === "storage" ? { slot: slotOf(key) } : {}), writers: [], deltas: [], blindWriters: 0, restoringWriters: 0, timestampWriters: 0, senders: new Set() };
      facts.set(key, f);
    }
    return f;
  };
  trace.txs.forEach((tx, index) => {
    const readValues = new Map<LocationKey, LocationValue>();
    for (const r of tx.reads) if (r.predicate === undefined) readValues.set(r.key, r.value);
    for (const w of tx.writes) {
      const f = factsOf(w.key);
      f.writers.push(index);
      f.senders.add(tx.from);
      const before = readValues.get(w.key);
      if (typeof w.value === "bigint" && typeof before === "bigint" && !w.delta) {
        f.deltas.push(w.value - before);
        if (w.value === before) f.restoringWriters++;
      } else {
        f.blindWriters++;
      }
      // A block number is small: only a slot holding exactly it counts (a packed field of a small number matches too much by chance).
      if (typeof w.value === "bigint" && (holdsField(w.value, trace.timestamp) || w.value === trace.blockNumber)) f.timestampWriters++;
    }
    for (const r of tx.reads) facts.get(r.key)?.senders.add(tx.from);
  });
  return facts;
}

/** Whether some byte-aligned field of the 32-byte value equals the timestamp (Solidity packs fields at byte offsets). */
function holdsField(value: bigint, timestamp: bigint): boolean {
  // Only a real clock's value (after 1970 + 194 days) is unlikely to appear in an unrelated field by chance.
  if (timestamp < 1n << 24n) return value === timestamp;
  // A uint32 or wider field: the timestamp needs 4 bytes, a field is at most 32.
  for (let offset = 0n; offset <= 28n; offset++) {
    const field = value >> (8n * offset);
    for (const bytes of [4n, 5n, 8n, 32n - offset]) {
      if (bytes + offset > 32n) continue;
      if ((field & ((1n << (8n * bytes)) - 1n)) === timestamp) return true;
    }
  }
  return false;
}

/**
 * The KECCAK256 inputs seen while executing, by their hash: how a storage
 * slot that is a hash (a mapping value, array data) is traced back to the
 * slot and key it came from.
 *
 * A slot is often not a hash itself but a hash plus an offset: element i of
 * a dynamic array of structs is at keccak(slot) + i * structSlots + member.
 * So besides exact lookups the index answers "which recorded hashes lie at
 * most MAX_AREA_OFFSET below this slot", over a sorted array of the hashes.
 */
import { keccak_256 } from "@noble/hashes/sha3.js";

/**
 * How far above a recorded hash a slot may lie and still be read as
 * hash + offset: 2^32 slots. Array indices and struct offsets a contract can
 * reach are far smaller (one transaction cannot write more than a few
 * thousand fresh slots), while for a hash unrelated to the slot the chance
 * of landing this close is about N * 2^32 / 2^256 for N recorded hashes, so
 * a name found this way is not a coincidence. Slots further away are left
 * unnamed.
 */
export const MAX_AREA_OFFSET = 1n << 32n;

/** A recorded hash at or below a slot: the slot is `base + offset`, and `base = keccak(preimage)`. */
export interface HashedArea {
  readonly base: bigint;
  readonly preimage: Uint8Array;
  readonly offset: bigint;
}

export class PreimageIndex {
  private readonly byHash = new Map<bigint, Uint8Array>();
  /** Recorded hashes in ascending order, rebuilt on the first search after an addition. */
  private sorted: bigint[] | undefined;

  /**
   * `entries`: hash (64 hex digits, with or without 0x, either case) to
   * preimage, e.g. the Map the engine records.
   */
  constructor(entries: Iterable<readonly [string, Uint8Array]> = []) {
    for (const [hash, preimage] of entries) this.add(hash, preimage);
  }

  /** An index of `preimages`, hashing each one. */
  static fromPreimages(preimages: Iterable<Uint8Array>): PreimageIndex {
    const index = new PreimageIndex();
    for (const preimage of preimages) index.record(preimage);
    return index;
  }

  /**
   * Records that keccak256(`preimage`) = `hash` (not checked: the caller
   * hashed it). Inputs shorter than 32 bytes are ignored: a storage slot is
   * derived from at least a 32-byte slot number.
   */
  add(hash: string, preimage: Uint8Array): void {
    const key = parseHash(hash);
    if (preimage.length < 32) return;
    if (!this.byHash.has(key)) this.sorted = undefined;
    this.byHash.set(key, preimage);
  }

  /** Hashes `preimage`, records it and returns the hash (0x-prefixed). */
  record(preimage: Uint8Array): string {
    const hash = "0x" + Buffer.from(keccak_256(preimage)).toString("hex");
    this.add(hash, preimage);
    return hash;
  }

  get size(): number {
    return this.byHash.size;
  }

  /** The preimage of `hash`, if recorded. */
  get(hash: string | bigint): Uint8Array | undefined {
    return this.byHash.get(typeof hash === "bigint" ? hash : parseHash(hash));
  }

  /** The greatest recorded hash that is at most `slot`, if any. */
  greatestAtOrBelow(slot: bigint): HashedArea | undefined {
    for (const area of this.areasContaining(slot, 1n << 256n)) return area;
    return undefined;
  }

  /**
   * The recorded hashes h with slot - maxOffset < h <= slot, greatest first,
   * each with its offset slot - h. Almost always zero or one.
   */
  *areasContaining(slot: bigint, maxOffset: bigint = MAX_AREA_OFFSET): Generator<HashedArea> {
    const sorted = this.sortedHashes();
    // Binary search for the first hash greater than slot.
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] <= slot) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo - 1; i >= 0; i--) {
      const base = sorted[i];
      const offset = slot - base;
      if (offset >= maxOffset) return;
      yield { base, preimage: this.byHash.get(base) as Uint8Array, offset };
    }
  }

  private sortedHashes(): bigint[] {
    if (this.sorted === undefined) this.sorted = [...this.byHash.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return this.sorted;
  }
}

function parseHash(hash: string): bigint {
  const hex = hash.startsWith("0x") || hash.startsWith("0X") ? hash.slice(2) : hash;
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error(`a keccak hash must be 64 hex digits (optionally 0x-prefixed), got ${JSON.stringify(hash)}`);
  return BigInt("0x" + hex);
}

/**
 * RLP written straight into one buffer per value: the sizes are measured
 * first, then every item is written in place.
 *
 * Why not @ethereumjs/rlp here: its encoder builds each nested list by
 * concatenating its items' encodings, so a receipt or an account leaf costs
 * several intermediate arrays. On a 2,000-transaction block, encoding the
 * receipts that way took 35 to 44 ms, about as long as hashing the whole
 * state trie. Decoding, and encoding off the per-block path, stay with
 * @ethereumjs/rlp; tests compare both encoders on the same values.
 */

/** A byte string, or a list of items. */
export type RlpItem = Uint8Array | readonly RlpItem[];

/** Bytes of the RLP string item holding `b`. */
export function stringItemLength(b: Uint8Array): number {
  if (b.length === 1 && b[0] < 0x80) return 1;
  if (b.length <= 55) return 1 + b.length;
  return 1 + lengthOfLength(b.length) + b.length;
}

/** Bytes of a list header for a payload of `payload` bytes. */
export function listHeaderLength(payload: number): number {
  return payload <= 55 ? 1 : 1 + lengthOfLength(payload);
}

function lengthOfLength(n: number): number {
  return n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4;
}

function writeLength(out: Uint8Array, at: number, n: number, bytes: number): void {
  for (let i = bytes - 1; i >= 0; i--) {
    out[at + i] = n & 0xff;
    n >>>= 8;
  }
}

/** Writes the string item holding `b` at `at`; returns where it ends. */
export function writeStringItem(out: Uint8Array, at: number, b: Uint8Array): number {
  if (b.length === 1 && b[0] < 0x80) {
    out[at] = b[0];
    return at + 1;
  }
  if (b.length <= 55) {
    out[at] = 0x80 + b.length;
    out.set(b, at + 1);
    return at + 1 + b.length;
  }
  const l = lengthOfLength(b.length);
  out[at] = 0xb7 + l;
  writeLength(out, at + 1, b.length, l);
  out.set(b, at + 1 + l);
  return at + 1 + l + b.length;
}

/** Writes a list header for a payload of `payload` bytes at `at`; returns where the payload starts. */
export function writeListHeader(out: Uint8Array, at: number, payload: number): number {
  if (payload <= 55) {
    out[at] = 0xc0 + payload;
    return at + 1;
  }
  const l = lengthOfLength(payload);
  out[at] = 0xf7 + l;
  writeLength(out, at + 1, payload, l);
  return at + 1 + l;
}

/** Payload sizes of the lists in `item`, in pre-order; returns the item's encoded length. */
function measure(item: RlpItem, sizes: number[]): number {
  if (item instanceof Uint8Array) return stringItemLength(item);
  const slot = sizes.length;
  sizes.push(0);
  let payload = 0;
  for (const child of item) payload += measure(child, sizes);
  sizes[slot] = payload;
  return listHeaderLength(payload) + payload;
}

/** The RLP encoding of `item`, after `prefix` bytes (an EIP-2718 type byte, say). */
export function encodeRlp(item: RlpItem, prefix?: Uint8Array): Uint8Array {
  const sizes: number[] = [];
  const skip = prefix?.length ?? 0;
  const out = new Uint8Array(skip + measure(item, sizes));
  if (prefix !== undefined) out.set(prefix);
  let list = 0;
  const write = (it: RlpItem, at: number): number => {
    if (it instanceof Uint8Array) return writeStringItem(out, at, it);
    at = writeListHeader(out, at, sizes[list++]);
    for (const child of it) at = write(child, at);
    return at;
  };
  write(item, skip);
  return out;
}

/** Big-endian bytes of `v` without leading zeros (0 is the empty string), as RLP integers are. */
export function unpaddedBytes(v: bigint): Uint8Array {
  if (v < 0n) throw new RangeError(`RLP integers are not negative, got ${v}`);
  if (v === 0n) return EMPTY;
  if (v < 0x100000000n) {
    let n = Number(v);
    const len = n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4;
    const out = new Uint8Array(len);
    for (let i = len - 1; i >= 0; i--) {
      out[i] = n & 0xff;
      n = Math.floor(n / 256);
    }
    return out;
  }
  let hex = v.toString(16);
  if (hex.length % 2 === 1) hex = "0" + hex;
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

const EMPTY = new Uint8Array(0);

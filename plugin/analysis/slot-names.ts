/**
 * Names a storage slot as the Solidity variable that lives there:
 * `reserve0`, `balanceOf[0x7099...79C8]`, `markets[0xA0b8...eB48].totalBorrows`.
 *
 * A slot is either one of the contract's own (state variables from slot 0,
 * ERC-7201 namespaces from their computed root), found by walking the
 * layout, or a hash plus a small offset. For the latter the recorded
 * preimage of the hash says where it came from: its last 32 bytes are the
 * parent slot, named first (recursively), and the parent's type decides how
 * the rest reads:
 *   - mapping:        preimage = key . parent, the slot is in the value at keccak(preimage);
 *                     value-type keys are one 32-byte word, string and bytes keys their raw bytes;
 *   - dynamic array:  preimage = parent, elements from keccak(parent), packed when 16 bytes or less;
 *   - bytes, string:  preimage = parent, data chunk i at keccak(parent) + i;
 *   - anything else:  the preimage was hashed for another reason, and the slot stays unnamed.
 * A key that is not a clean encoding of the mapping's key type (an address
 * with high bytes set) also leaves the slot unnamed: solc cleans keys before
 * hashing, so such a preimage did not come from this mapping.
 */
import { keccak_256 } from "@noble/hashes/sha3.js";

import type { HashedArea, PreimageIndex } from "./preimages";
import { storageType } from "./storage-layout";
import type { ContractStorage, StorageMember, StorageType } from "./storage-layout";

/** One variable stored in a slot. */
export interface PackedVariable {
  /** Its full path, e.g. "reserve1" or "markets[0xA0b8...eB48].lastUpdate". */
  readonly label: string;
  /** Byte offset within the slot, counted from the least significant byte as solc does. */
  readonly offset: number;
  readonly bytes: number;
  /** Solidity type label, e.g. "uint112". */
  readonly type: string;
}

/** What a storage slot holds, in Solidity terms. */
export interface SlotName {
  /** The contract whose layout named the slot. */
  readonly contract: string;
  /**
   * The path of the slot's first variable ("markets[0xA0b8...eB48].totalBorrows",
   * "reserve0"), or of the element range when small array elements share the
   * slot ("stamps[4..7]"), "values.length" for a dynamic array's own slot,
   * "name (data chunk 2)" for long bytes/string data.
   */
  readonly variable: string;
  /** The state variable or namespace the path starts from: "markets", "ERC20Storage(erc7201:openzeppelin.storage.ERC20)". */
  readonly root: string;
  /** Mapping keys and array indices along the path, as displayed in `variable`. */
  readonly keys: readonly string[];
  /** Solidity type label of the slot's first variable. */
  readonly type: string;
  /** The slot, 0x and 64 hex digits. */
  readonly slot: string;
  /** The root variable's slot in decimal, or the namespace root as 0x and 64 hex digits. */
  readonly baseSlot: string;
  /** Every variable in the slot, lowest offset first; more than one means packed. */
  readonly packed: readonly PackedVariable[];
}

/** How many hash derivations deep a slot may be (mapping of mapping of ... ); deeper slots stay unnamed. */
export const MAX_DERIVATIONS = 32;

/**
 * The variable at `slot` (a bigint, a hex string of up to 64 digits, or 32
 * bytes) in `storage`, tracing hashed slots through `preimages`; null when
 * the slot is not one the layout and the recorded preimages can name.
 */
export function decodeSlot(storage: ContractStorage, slot: bigint | string | Uint8Array, preimages: PreimageIndex): SlotName | null {
  const value = parseSlot(slot);
  const leaf = locate(storage, value, preimages, 0);
  if (leaf === null) return null;
  const first = leaf.items[0];
  const variable = leaf.items.length === 1 && first.type.kind === "dynamicArray" && leaf.variable === first.path ? `${first.path}.length` : leaf.variable;
  return {
    contract: storage.contract,
    variable,
    root: leaf.root,
    keys: leaf.keys,
    type: first.type.label,
    slot: hex32(value),
    baseSlot: leaf.baseSlot,
    packed: leaf.items.map((item) => ({ label: item.path, offset: item.offset, bytes: item.type.bytes, type: item.type.label })),
  };
}

/**
 * One line for people: "AmmPair.reserve0 (slot 8, packed with reserve1 and
 * blockTimestampLast)". Slots past 2^64 (hashed or namespaced) are shortened
 * to their first 8 and last 4 hex digits; the full slot is in `name.slot`.
 */
export function describeSlot(name: SlotName): string {
  const value = BigInt(name.slot);
  const slot = value < 1n << 64n ? value.toString() : `${name.slot.slice(0, 10)}…${name.slot.slice(-4)}`;
  // Element ranges ("stamps[4..7]") already say that the slot holds several elements.
  const packedWith = name.packed.length > 1 && name.variable === name.packed[0].label ? relativeNames(name.packed.map((p) => p.label)).slice(1) : [];
  return `${name.contract}.${name.variable} (slot ${slot}${packedWith.length > 0 ? `, packed with ${listing(packedWith)}` : ""})`;
}

/**
 * A mapping key as displayed in slot names, or null when `key` is not a
 * clean encoding of `keyType`:
 *   - address and contract keys: EIP-55 checksummed, as wallets and ethers print them;
 *   - uintN, intN and enum keys: decimal;
 *   - bytesN: 0x and 2N hex digits;
 *   - bool: true or false;
 *   - user-defined value types: the 32-byte word in hex (the layout does not say the underlying type);
 *   - string and bytes: UTF-8 in double quotes (JSON escapes) when it decodes and has no control characters, else 0x hex.
 */
export function formatStorageKey(keyType: StorageType, key: Uint8Array): string | null {
  const id = keyType.id;
  if (/^t_(string|bytes)_/.test(id)) return printable(key) ?? toHex(key);
  if (key.length !== 32) return null;
  const word = BigInt(toHex(key));
  if (/^t_address(_payable)?$/.test(id) || id.startsWith("t_contract(")) return word >> 160n === 0n ? checksumAddress(key.subarray(12)) : null;
  if (id === "t_bool") return word === 0n ? "false" : word === 1n ? "true" : null;
  if (id.startsWith("t_enum(")) return word < 256n ? word.toString() : null;
  if (id.startsWith("t_userDefinedValueType(")) return toHex(key);
  const sized = /^t_(uint|int|bytes)(\d+)$/.exec(id);
  if (sized === null) return null;
  const size = Number(sized[2]);
  if (sized[1] === "uint") return word >> BigInt(size) === 0n ? word.toString() : null;
  if (sized[1] === "int") {
    const signed = BigInt.asIntN(256, word);
    const limit = 1n << BigInt(size - 1);
    return signed >= -limit && signed < limit ? signed.toString() : null;
  }
  // bytesN is left-aligned: the rest of the word must be zero.
  return key.subarray(size).every((b) => b === 0) ? toHex(key.subarray(0, size)) : null;
}

/** An address (20 bytes) in EIP-55 mixed case. */
export function checksumAddress(address: Uint8Array): string {
  const lower = Buffer.from(address).toString("hex");
  const hash = Buffer.from(keccak_256(new TextEncoder().encode(lower))).toString("hex");
  let out = "0x";
  for (let i = 0; i < lower.length; i++) out += parseInt(hash[i], 16) >= 8 ? lower[i].toUpperCase() : lower[i];
  return out;
}

/** A path being walked: the root variable it started from and the keys met so far. */
interface Place {
  readonly root: string;
  readonly baseSlot: string;
  readonly path: string;
  readonly keys: readonly string[];
}

/** A variable in the slot being named. */
interface Item {
  readonly path: string;
  readonly type: StorageType;
  readonly offset: number;
}

/** The slot's contents: its variables, lowest offset first. */
interface Leaf {
  readonly root: string;
  readonly baseSlot: string;
  readonly keys: readonly string[];
  readonly variable: string;
  readonly items: readonly Item[];
}

function locate(storage: ContractStorage, slot: bigint, preimages: PreimageIndex, depth: number): Leaf | null {
  const own = inMembers(storage, storage.variables, slot, undefined);
  if (own !== null) return own;
  for (const ns of storage.namespaces) {
    const type = storageType(storage, ns.type);
    if (slot >= ns.slot && slot < ns.slot + type.slots) {
      const label = `${ns.struct}(erc7201:${ns.id})`;
      return within(storage, type, slot - ns.slot, { root: label, baseSlot: hex32(ns.slot), path: label, keys: [] });
    }
  }
  if (depth >= MAX_DERIVATIONS) return null;
  // Almost always at most one candidate; an unrelated hash just below the slot is tried and rejected by type.
  for (const area of preimages.areasContaining(slot)) {
    const leaf = inHashedArea(storage, area, preimages, depth);
    if (leaf !== null) return leaf;
  }
  return null;
}

/** The slot `area.base + area.offset`, where `area.base = keccak(preimage)` and the preimage ends with the parent slot. */
function inHashedArea(storage: ContractStorage, area: HashedArea, preimages: PreimageIndex, depth: number): Leaf | null {
  const preimage = area.preimage;
  const parent = locate(storage, BigInt(toHex(preimage.subarray(preimage.length - 32))), preimages, depth + 1);
  // Mappings, dynamic arrays and bytes take a whole slot, so the parent is alone in its slot.
  if (parent === null || parent.items.length !== 1) return null;
  const holder = parent.items[0];
  const place: Place = { root: parent.root, baseSlot: parent.baseSlot, path: holder.path, keys: parent.keys };
  switch (holder.type.kind) {
    case "mapping": {
      const key = formatStorageKey(storageType(storage, holder.type.key as string), preimage.subarray(0, preimage.length - 32));
      if (key === null) return null;
      return within(storage, storageType(storage, holder.type.value as string), area.offset, { ...place, path: `${place.path}[${key}]`, keys: [...place.keys, key] });
    }
    case "dynamicArray":
      if (preimage.length !== 32) return null;
      return inElements(storage, storageType(storage, holder.type.base as string), area.offset, undefined, place);
    case "bytes": {
      if (preimage.length !== 32) return null;
      const path = `${place.path} (data chunk ${area.offset})`;
      return { root: place.root, baseSlot: place.baseSlot, keys: place.keys, variable: path, items: [{ path, type: holder.type, offset: 0 }] };
    }
    default:
      return null;
  }
}

/** Slot `rel` counted from the first slot of a value of `type` placed at `place`. */
function within(storage: ContractStorage, type: StorageType, rel: bigint, place: Place): Leaf | null {
  switch (type.kind) {
    case "struct":
      return inMembers(storage, type.members ?? [], rel, place);
    case "staticArray":
      return inElements(storage, storageType(storage, type.base as string), rel, type.length, place);
    default:
      return rel === 0n ? { root: place.root, baseSlot: place.baseSlot, keys: place.keys, variable: place.path, items: [{ path: place.path, type, offset: 0 }] } : null;
  }
}

/**
 * Slot `rel` among struct members (or state variables when `parent` is
 * undefined, with absolute slots). Structs and static arrays start and end
 * on slot boundaries, so a slot either lies inside one of them or holds
 * only value types, mappings, dynamic arrays and bytes.
 */
function inMembers(storage: ContractStorage, members: readonly StorageMember[], rel: bigint, parent: Place | undefined): Leaf | null {
  const holder = members.find((m) => m.slot <= rel && rel < m.slot + storageType(storage, m.type).slots);
  if (holder === undefined) return null;
  const holderType = storageType(storage, holder.type);
  if (holderType.kind === "struct" || holderType.kind === "staticArray") return within(storage, holderType, rel - holder.slot, memberPlace(parent, holder));
  const sharing = members.filter((m) => m.slot === rel).sort((a, b) => a.offset - b.offset);
  const first = memberPlace(parent, sharing[0]);
  const items = sharing.map((m) => ({ path: memberPlace(parent, m).path, type: storageType(storage, m.type), offset: m.offset }));
  return { root: first.root, baseSlot: first.baseSlot, keys: first.keys, variable: first.path, items };
}

/** Slot `rel` from the first element of an array of `element` (static when `length` is given). */
function inElements(storage: ContractStorage, element: StorageType, rel: bigint, length: bigint | undefined, place: Place): Leaf | null {
  if (element.bytes < 32) {
    const perSlot = BigInt(Math.floor(32 / element.bytes));
    const first = rel * perSlot;
    if (length !== undefined && first >= length) return null;
    // A dynamic array's length is state, not layout: its last slot is named with every index it can hold.
    const last = (length !== undefined && first + perSlot > length ? length : first + perSlot) - 1n;
    const items: Item[] = [];
    for (let i = first; i <= last; i++) items.push({ path: `${place.path}[${i}]`, type: element, offset: Number(i - first) * element.bytes });
    const index = first === last ? `${first}` : `${first}..${last}`;
    return { root: place.root, baseSlot: place.baseSlot, keys: [...place.keys, index], variable: `${place.path}[${index}]`, items };
  }
  const index = rel / element.slots;
  if (length !== undefined && index >= length) return null;
  return within(storage, element, rel % element.slots, { ...place, path: `${place.path}[${index}]`, keys: [...place.keys, index.toString()] });
}

function memberPlace(parent: Place | undefined, member: StorageMember): Place {
  if (parent === undefined) return { root: member.label, baseSlot: member.slot.toString(), path: member.label, keys: [] };
  return { ...parent, path: `${parent.path}.${member.label}` };
}

/** Packed variables named relative to their common struct: ["m[1].a", "m[1].b"] becomes ["a", "b"]. */
function relativeNames(labels: readonly string[]): string[] {
  let common = labels[0];
  for (const label of labels) while (!label.startsWith(common)) common = common.slice(0, -1);
  // Member names contain no dot, so the last dot of the common prefix ends the struct's path.
  const cut = common.lastIndexOf(".") + 1;
  return labels.map((label) => label.slice(cut));
}

function listing(names: readonly string[]): string {
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

function printable(bytes: Uint8Array): string | null {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  return /\p{Cc}/u.test(text) ? null : JSON.stringify(text);
}

function parseSlot(slot: bigint | string | Uint8Array): bigint {
  let value: bigint;
  if (typeof slot === "bigint") {
    value = slot;
  } else if (typeof slot === "string") {
    if (!/^0x[0-9a-fA-F]{1,64}$/.test(slot)) throw new Error(`a storage slot must be 0x and 1 to 64 hex digits, got ${JSON.stringify(slot)}`);
    value = BigInt(slot);
  } else {
    if (slot.length !== 32) throw new Error(`a storage slot must be 32 bytes, got ${slot.length}`);
    value = BigInt(toHex(slot));
  }
  if (value < 0n || value >= 1n << 256n) throw new Error(`a storage slot must be from 0 to 2^256 - 1, got ${value}`);
  return value;
}

function hex32(value: bigint): string {
  return "0x" + value.toString(16).padStart(64, "0");
}

function toHex(bytes: Uint8Array): string {
  return "0x" + Buffer.from(bytes).toString("hex");
}

/**
 * A contract's storage as solc lays it out, in a form the slot decoder can
 * walk (slot-names.ts).
 *
 * The input is solc's standard-JSON `storageLayout` output for one contract
 * (`outputSelection: { "*": { "*": ["storageLayout"] } }`): the state
 * variables with their slots and byte offsets, and a table of types keyed by
 * type id (`t_uint256`, `t_mapping(t_address,t_uint256)`,
 * `t_struct(Market)12_storage`, `t_array(t_uint64)dyn_storage`, ...).
 * Sizes arrive as decimal strings because a static array can be larger than
 * 2^53 slots; here they become bigints.
 *
 * `packMembers` is solc's packing rule, used to lay out ERC-7201 namespaced
 * structs that solc's output leaves out (erc7201.ts):
 *   - a value type of n bytes goes at the current byte offset of the current
 *     slot if n bytes still fit there, else at offset 0 of the next slot;
 *   - a struct or static array (32 "bytes" wide in solc's terms) always
 *     starts a new slot, and whatever follows it starts a new slot too;
 *   - mappings, dynamic arrays, bytes and string take one full slot.
 */

/** solc's description of one type in `storageLayout.types`. */
export interface SolcStorageType {
  readonly encoding: "inplace" | "mapping" | "dynamic_array" | "bytes";
  readonly label: string;
  readonly numberOfBytes: string;
  readonly key?: string;
  readonly value?: string;
  readonly base?: string;
  readonly members?: readonly SolcStorageEntry[];
}

/** One state variable (or struct member) in solc's `storageLayout`. */
export interface SolcStorageEntry {
  readonly label: string;
  readonly offset: number;
  /** Decimal; relative to the struct for struct members. */
  readonly slot: string;
  readonly type: string;
  readonly contract?: string;
  readonly astId?: number;
}

/** solc's `storageLayout` output for one contract. */
export interface SolcStorageLayout {
  readonly storage: readonly SolcStorageEntry[];
  readonly types: Readonly<Record<string, SolcStorageType>> | null;
}

/** How a type occupies storage, which decides how slots below it are derived. */
export type StorageTypeKind =
  /** Fits in one slot, possibly sharing it: integers, address, bool, bytesN, enums, contracts, user-defined value types, function pointers. */
  | "value"
  /** Members in consecutive slots from its own slot. */
  | "struct"
  /** Elements in consecutive slots from its own slot; several per slot when an element takes 16 bytes or less. */
  | "staticArray"
  /** Its slot stays empty; the value for key k lives at keccak(key . slot). */
  | "mapping"
  /** Its slot holds the length; element data starts at keccak(slot). */
  | "dynamicArray"
  /** bytes and string: short values live in the slot; long ones hold the length there and the data from keccak(slot). */
  | "bytes";

export interface StorageType {
  readonly id: string;
  /** The Solidity type as solc prints it: "uint112", "mapping(address => uint256)", "struct Pool.Market". */
  readonly label: string;
  readonly kind: StorageTypeKind;
  /** Bytes taken within a slot: the size for value types (1 to 32), 32 for everything else. */
  readonly bytes: number;
  /** Slots taken in place: more than one only for structs and static arrays. */
  readonly slots: bigint;
  /** Struct members, with slots relative to the struct's first slot. */
  readonly members?: readonly StorageMember[];
  /** Array element type id. */
  readonly base?: string;
  /** Static array length. */
  readonly length?: bigint;
  /** Mapping key and value type ids. */
  readonly key?: string;
  readonly value?: string;
}

/** A variable placed in storage: a state variable (absolute slot) or a struct member (slot relative to the struct). */
export interface StorageMember {
  readonly label: string;
  readonly slot: bigint;
  readonly offset: number;
  readonly type: string;
}

/**
 * An ERC-7201 namespace: a struct placed at a slot derived from its id
 * rather than after the state variables (see erc7201.ts).
 */
export interface NamespacedStorage {
  /** The namespace id after "erc7201:", e.g. "openzeppelin.storage.ERC20". */
  readonly id: string;
  /** The struct's name, e.g. "ERC20Storage". */
  readonly struct: string;
  /** The struct's first slot. */
  readonly slot: bigint;
  /** The struct's type id; its entry is in `types`. */
  readonly type: string;
  /** The struct's type and every type it refers to. */
  readonly types: ReadonlyMap<string, StorageType>;
}

/** Everything the slot decoder needs about one contract. */
export interface ContractStorage {
  readonly contract: string;
  readonly variables: readonly StorageMember[];
  readonly namespaces: readonly NamespacedStorage[];
  readonly types: ReadonlyMap<string, StorageType>;
}

/** A storage layout that is not solc's `storageLayout` output, with the field that is wrong. */
export class StorageLayoutError extends Error {
  override readonly name = "StorageLayoutError";
}

/**
 * Checks and normalises solc's `storageLayout` output of `contract` and adds
 * the contract's ERC-7201 namespaces, if any. Throws a StorageLayoutError
 * naming the bad field when `layout` is not solc's output.
 */
export function contractStorage(contract: string, layout: unknown, namespaces: readonly NamespacedStorage[] = []): ContractStorage {
  const where = `the storage layout of ${contract}`;
  const raw = record(layout, where);
  const storage = raw["storage"];
  if (!Array.isArray(storage)) fail(where, "storage", storage, "an array of state variables");
  const rawTypes = raw["types"] === null ? {} : record(raw["types"], `${where}: types`);

  const types = new Map<string, StorageType>();
  for (const id of Object.keys(rawTypes)) types.set(id, normaliseType(id, rawTypes, where));
  for (const t of types.values()) checkReferences(t, types, where);
  const variables = storage.map((entry, i) => normaliseEntry(entry, `storage[${i}]`, types, where));

  // Namespace types use solc's type ids, so an id already present is the same type.
  for (const ns of namespaces) for (const [id, t] of ns.types) if (!types.has(id)) types.set(id, t);
  return { contract, variables, namespaces, types };
}

/** The type `id` of `storage`; a missing id is a bug (contractStorage checks every reference). */
export function storageType(storage: { readonly types: ReadonlyMap<string, StorageType> }, id: string): StorageType {
  const t = storage.types.get(id);
  if (t === undefined) throw new Error(`bug, please report: storage type ${id} missing after its references were checked`);
  return t;
}

/** Lays out members in declaration order as solc does (rules at the top of this file). */
export function packMembers(members: readonly { readonly label: string; readonly type: StorageType }[]): { members: StorageMember[]; slots: bigint } {
  const placed: StorageMember[] = [];
  let slot = 0n;
  let offset = 0;
  for (const { label, type } of members) {
    if (offset + type.bytes > 32) {
      slot += 1n;
      offset = 0;
    }
    placed.push({ label, slot, offset, type: type.id });
    // A one-slot type leaves the rest of its slot to what follows (nothing, for a 32-byte one).
    if (type.slots === 1n) {
      offset += type.bytes;
    } else {
      slot += type.slots;
      offset = 0;
    }
  }
  if (offset > 0) slot += 1n;
  return { members: placed, slots: slot };
}

/** Slots taken by a static array, as solc computes them: elements of 16 bytes or less share slots. */
export function staticArraySlots(base: StorageType, length: bigint): bigint {
  if (base.bytes < 32) {
    const perSlot = BigInt(Math.floor(32 / base.bytes));
    return (length + perSlot - 1n) / perSlot;
  }
  return length * base.slots;
}

function normaliseType(id: string, rawTypes: Record<string, unknown>, where: string): StorageType {
  const at = `types[${JSON.stringify(id)}]`;
  const raw = record(rawTypes[id], `${where}: ${at}`);
  const label = raw["label"];
  if (typeof label !== "string") fail(where, `${at}.label`, label, "a string");
  const size = decimal(raw["numberOfBytes"], where, `${at}.numberOfBytes`);
  const encoding = raw["encoding"];
  switch (encoding) {
    case "mapping":
      return { id, label, kind: "mapping", bytes: 32, slots: 1n, key: typeId(raw["key"], where, `${at}.key`), value: typeId(raw["value"], where, `${at}.value`) };
    case "dynamic_array":
      return { id, label, kind: "dynamicArray", bytes: 32, slots: 1n, base: typeId(raw["base"], where, `${at}.base`) };
    case "bytes":
      return { id, label, kind: "bytes", bytes: 32, slots: 1n };
    case "inplace":
      break;
    default:
      fail(where, `${at}.encoding`, encoding, '"inplace", "mapping", "dynamic_array" or "bytes"');
  }
  if (raw["members"] !== undefined) {
    const members = raw["members"];
    if (!Array.isArray(members)) fail(where, `${at}.members`, members, "an array of struct members");
    return { id, label, kind: "struct", bytes: 32, slots: wholeSlots(size, where, at), members: members.map((m, i) => normaliseEntry(m, `${at}.members[${i}]`, undefined, where)) };
  }
  if (raw["base"] !== undefined) {
    // solc puts a static array's length only in its id: t_array(t_uint16)4_storage.
    const length = /\)(\d+)_storage$/.exec(id);
    if (length === null) fail(where, at, id, "a static array id ending in )<length>_storage");
    return { id, label, kind: "staticArray", bytes: 32, slots: wholeSlots(size, where, at), base: typeId(raw["base"], where, `${at}.base`), length: BigInt(length[1]) };
  }
  if (size < 1n || size > 32n) fail(where, `${at}.numberOfBytes`, raw["numberOfBytes"], "1 to 32 for a value type");
  return { id, label, kind: "value", bytes: Number(size), slots: 1n };
}

function normaliseEntry(entry: unknown, at: string, types: ReadonlyMap<string, StorageType> | undefined, where: string): StorageMember {
  const raw = record(entry, `${where}: ${at}`);
  const label = raw["label"];
  if (typeof label !== "string") fail(where, `${at}.label`, label, "a string");
  const offset = raw["offset"];
  if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0 || offset > 31) fail(where, `${at}.offset`, offset, "a byte offset from 0 to 31");
  const type = typeId(raw["type"], where, `${at}.type`);
  if (types !== undefined && !types.has(type)) fail(where, `${at}.type`, type, "a type listed in types");
  return { label, slot: decimal(raw["slot"], where, `${at}.slot`), offset, type };
}

function checkReferences(t: StorageType, types: ReadonlyMap<string, StorageType>, where: string): void {
  const refs = [t.key, t.value, t.base, ...(t.members ?? []).map((m) => m.type)];
  for (const ref of refs) {
    if (ref !== undefined && !types.has(ref)) fail(where, `types[${JSON.stringify(t.id)}]`, ref, "references to types listed in types");
  }
  if (t.kind === "staticArray" && t.base !== undefined && t.length !== undefined) {
    const expected = staticArraySlots(types.get(t.base) as StorageType, t.length);
    if (expected !== t.slots) fail(where, `types[${JSON.stringify(t.id)}].numberOfBytes`, (t.slots * 32n).toString(), `${expected * 32n} for ${t.length} elements`);
  }
}

function wholeSlots(size: bigint, where: string, at: string): bigint {
  if (size === 0n || size % 32n !== 0n) fail(where, `${at}.numberOfBytes`, size.toString(), "a positive multiple of 32 for a struct or static array");
  return size / 32n;
}

function decimal(value: unknown, where: string, at: string): bigint {
  if (typeof value !== "string" || !/^\d+$/.test(value)) fail(where, at, value, "a decimal string");
  return BigInt(value);
}

function typeId(value: unknown, where: string, at: string): string {
  if (typeof value !== "string" || value === "") fail(where, at, value, "a type id such as t_uint256");
  return value;
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new StorageLayoutError(`${what} must be an object (solc's storageLayout output), got ${describe(value)}. ` + HOW_TO_GET_IT);
  }
  return value as Record<string, unknown>;
}

function fail(where: string, at: string, value: unknown, expected: string): never {
  throw new StorageLayoutError(`In ${where}, ${at} is ${describe(value)} but must be ${expected}. ` + HOW_TO_GET_IT);
}

function describe(value: unknown): string {
  if (value === undefined) return "missing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

const HOW_TO_GET_IT =
  'Pass the contract\'s storageLayout from solc\'s standard-JSON output unchanged (select it with outputSelection {"*": {"*": ["storageLayout"]}}).';

/**
 * ERC-7201 namespaced storage, which solc's `storageLayout` output leaves out.
 *
 * A struct annotated `/// @custom:storage-location erc7201:<id>` (the way
 * OpenZeppelin's upgradeable contracts keep their state) lives at
 *   keccak256(abi.encode(uint256(keccak256(id)) - 1)) & ~bytes32(uint256(0xff))
 * and its members follow solc's packing rules from there. The location and
 * the member layout are computed here from the contract's AST (solc's
 * `sources[file].ast`, which Hardhat's build-info holds), using solc's type
 * ids so the decoder treats namespace types and ordinary types alike.
 *
 * Member types are sized exactly or not at all: fixed-point numbers (which
 * solc cannot store) or any AST shape not recognised here makes the whole
 * namespace skipped, with the reason, rather than laid out by guess.
 */
import { keccak_256 } from "@noble/hashes/sha3.js";

import { packMembers, staticArraySlots } from "./storage-layout";
import type { NamespacedStorage, StorageType } from "./storage-layout";

/** A namespace that could not be laid out exactly, and why. */
export interface SkippedNamespace {
  readonly id: string;
  readonly struct: string;
  readonly reason: string;
}

/** The contract whose namespaces are wanted: the source file (as in build-info `sources`) and the contract's name. */
export interface ContractRef {
  readonly sourceName: string;
  readonly contractName: string;
}

/** The first slot of the ERC-7201 namespace `id` ("openzeppelin.storage.ERC20"). */
export function erc7201Slot(id: string): bigint {
  const idHash = toBigInt(keccak_256(new TextEncoder().encode(id)));
  const word = toBytes32((idHash - 1n + (1n << 256n)) % (1n << 256n));
  return toBigInt(keccak_256(word)) & ~0xffn;
}

/**
 * The ERC-7201 namespaces declared in `sources` (solc's or build-info's
 * `sources`, each with its `ast`). With `contract`, only structs declared in
 * that contract or the contracts it inherits from, plus file-level structs;
 * without it, every annotated struct. Throws when `contract` is not found.
 */
export function findErc7201Namespaces(
  sources: Readonly<Record<string, { readonly ast?: unknown }>>,
  contract?: ContractRef,
): { namespaces: NamespacedStorage[]; skipped: SkippedNamespace[] } {
  const nodes = new Map<number, AstNode>();
  const sourceUnits: AstNode[] = [];
  for (const [name, source] of Object.entries(sources)) {
    if (!isNode(source.ast)) throw new Error(`sources[${JSON.stringify(name)}] has no ast: compile with outputSelection {"*": {"": ["ast"]}}`);
    sourceUnits.push(source.ast);
    indexNodes(source.ast, nodes);
  }

  const candidates: AstNode[] = [];
  for (const unit of sourceUnits) for (const node of children(unit)) if (node.nodeType === "StructDefinition") candidates.push(node);
  const contracts = contract === undefined ? contractsIn(sourceUnits) : inheritedContracts(contract, sources, nodes);
  for (const c of contracts) for (const node of children(c)) if (node.nodeType === "StructDefinition") candidates.push(node);

  const namespaces: NamespacedStorage[] = [];
  const skipped: SkippedNamespace[] = [];
  for (const struct of candidates) {
    const id = namespaceId(struct);
    if (id === undefined) continue;
    const name = String(struct.name);
    const types = new Map<string, StorageType>();
    try {
      const type = new AstLayout(nodes, types).typeOf(struct);
      namespaces.push({ id, struct: name, slot: erc7201Slot(id), type, types });
    } catch (e) {
      if (!(e instanceof UnsupportedType)) throw e;
      skipped.push({ id, struct: name, reason: e.message });
    }
  }
  return { namespaces, skipped };
}

/** The id in a `@custom:storage-location erc7201:<id>` annotation, if the struct has one. */
function namespaceId(struct: AstNode): string | undefined {
  const doc = struct.documentation;
  const text = isNode(doc) ? doc.text : typeof doc === "string" ? doc : undefined;
  if (typeof text !== "string") return undefined;
  return /@custom:storage-location\s+erc7201:(\S+)/.exec(text)?.[1];
}

class UnsupportedType extends Error {}

/** Builds solc-compatible storage types from AST type names, memoised by type id. */
class AstLayout {
  private readonly inProgress = new Set<string>();

  constructor(
    private readonly nodes: ReadonlyMap<number, AstNode>,
    private readonly types: Map<string, StorageType>,
  ) {}

  /** The type id of a type-name node or struct definition, its type (and those it uses) added to `types`. */
  typeOf(node: AstNode): string {
    switch (node.nodeType) {
      case "ElementaryTypeName":
        return this.elementary(typeString(node));
      case "Mapping": {
        const key = this.typeOf(child(node, "keyType"));
        const value = this.typeOf(child(node, "valueType"));
        return this.add({ id: `t_mapping(${key},${value})`, label: typeString(node), kind: "mapping", bytes: 32, slots: 1n, key, value });
      }
      case "ArrayTypeName":
        return this.array(node);
      case "UserDefinedTypeName":
        return this.userDefined(node);
      case "FunctionTypeName": {
        // solc stores an external function as address + selector (24 bytes), an internal one as a code offset (8 bytes).
        const external = node.visibility === "external";
        return this.add({ id: `t_function_${external ? "external" : "internal"}(${typeString(node)})`, label: typeString(node), kind: "value", bytes: external ? 24 : 8, slots: 1n });
      }
      case "StructDefinition":
        return this.struct(node);
      default:
        throw new UnsupportedType(`type name ${String(node.nodeType)} is not supported`);
    }
  }

  private elementary(name: string): string {
    if (name === "string" || name === "bytes") return this.add({ id: `t_${name}_storage`, label: name, kind: "bytes", bytes: 32, slots: 1n });
    if (name === "address" || name === "address payable") return this.value(name === "address" ? "t_address" : "t_address_payable", name, 20);
    if (name === "bool") return this.value("t_bool", name, 1);
    const sized = /^(uint|int|bytes)(\d+)$/.exec(name);
    if (sized !== null) {
      const bits = sized[1] === "bytes" ? Number(sized[2]) * 8 : Number(sized[2]);
      return this.value(`t_${name}`, name, bits / 8);
    }
    throw new UnsupportedType(`elementary type ${name} has no storage size known here`);
  }

  private array(node: AstNode): string {
    const base = this.typeOf(child(node, "baseType"));
    const label = typeString(node);
    if (node.length === null || node.length === undefined) {
      return this.add({ id: `t_array(${base})dyn_storage`, label, kind: "dynamicArray", bytes: 32, slots: 1n, base });
    }
    // The type string carries the evaluated length even when the source names a constant: "uint16[4]".
    const length = /\[(\d+)\]$/.exec(label);
    if (length === null) throw new UnsupportedType(`cannot read the length of static array ${label}`);
    const baseType = this.types.get(base);
    if (baseType === undefined) throw new UnsupportedType(`array of ${base}, a struct that contains itself`);
    const n = BigInt(length[1]);
    return this.add({ id: `t_array(${base})${n}_storage`, label, kind: "staticArray", bytes: 32, slots: staticArraySlots(baseType, n), base, length: n });
  }

  private userDefined(node: AstNode): string {
    const ref = node.referencedDeclaration;
    const decl = typeof ref === "number" ? this.nodes.get(ref) : undefined;
    if (decl === undefined) throw new UnsupportedType(`type ${typeString(node)} refers to a declaration not in the sources`);
    const name = String(decl.name);
    switch (decl.nodeType) {
      case "StructDefinition":
        return this.struct(decl);
      case "EnumDefinition":
        // Enums have at most 256 members, so solc stores them in one byte.
        return this.value(`t_enum(${name})${decl.id}`, typeString(node), 1);
      case "ContractDefinition":
        return this.value(`t_contract(${name})${decl.id}`, typeString(node), 20);
      case "UserDefinedValueTypeDefinition": {
        const underlying = this.types.get(this.typeOf(child(decl, "underlyingType")));
        if (underlying === undefined) throw new UnsupportedType(`user-defined value type ${name} without an underlying type`);
        return this.value(`t_userDefinedValueType(${name})${decl.id}`, typeString(node), underlying.bytes);
      }
      default:
        throw new UnsupportedType(`type ${typeString(node)} (${String(decl.nodeType)}) is not supported`);
    }
  }

  private struct(decl: AstNode): string {
    const id = `t_struct(${String(decl.name)})${decl.id}_storage`;
    // A struct may refer to itself through a mapping or dynamic array, which needs only its id.
    if (this.types.has(id) || this.inProgress.has(id)) return id;
    this.inProgress.add(id);
    const members = arrayOf(decl.members).map((member) => {
      const type = this.types.get(this.typeOf(child(member, "typeName")));
      if (type === undefined) throw new UnsupportedType(`struct ${String(decl.name)} contains itself in place`);
      return { label: String(member.name), type };
    });
    const packed = packMembers(members);
    this.inProgress.delete(id);
    const canonical = typeof decl.canonicalName === "string" ? decl.canonicalName : String(decl.name);
    return this.add({ id, label: `struct ${canonical}`, kind: "struct", bytes: 32, slots: packed.slots, members: packed.members });
  }

  private value(id: string, label: string, bytes: number): string {
    return this.add({ id, label, kind: "value", bytes, slots: 1n });
  }

  private add(type: StorageType): string {
    if (!this.types.has(type.id)) this.types.set(type.id, type);
    return type.id;
  }
}

interface AstNode {
  readonly nodeType?: unknown;
  readonly id?: unknown;
  readonly [field: string]: unknown;
}

function isNode(value: unknown): value is AstNode {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function indexNodes(node: unknown, into: Map<number, AstNode>): void {
  if (Array.isArray(node)) {
    for (const item of node) indexNodes(item, into);
  } else if (isNode(node)) {
    if (typeof node.id === "number" && typeof node.nodeType === "string") into.set(node.id, node);
    for (const value of Object.values(node)) if (typeof value === "object") indexNodes(value, into);
  }
}

function children(node: AstNode): AstNode[] {
  return arrayOf(node.nodes);
}

function arrayOf(value: unknown): AstNode[] {
  return Array.isArray(value) ? value.filter(isNode) : [];
}

function child(node: AstNode, field: string): AstNode {
  const value = node[field];
  if (!isNode(value)) throw new UnsupportedType(`${String(node.nodeType)} without ${field}`);
  return value;
}

function typeString(node: AstNode): string {
  const descriptions = node.typeDescriptions;
  const text = isNode(descriptions) ? descriptions.typeString : undefined;
  if (typeof text !== "string") throw new UnsupportedType(`${String(node.nodeType)} without a type string`);
  return text;
}

function contractsIn(units: readonly AstNode[]): AstNode[] {
  return units.flatMap((unit) => children(unit).filter((n) => n.nodeType === "ContractDefinition"));
}

function inheritedContracts(ref: ContractRef, sources: Readonly<Record<string, { readonly ast?: unknown }>>, nodes: ReadonlyMap<number, AstNode>): AstNode[] {
  const unit = sources[ref.sourceName]?.ast;
  const contract = isNode(unit) ? children(unit).find((n) => n.nodeType === "ContractDefinition" && n.name === ref.contractName) : undefined;
  if (contract === undefined) throw new Error(`contract ${ref.contractName} is not declared in ${ref.sourceName} (looked for ERC-7201 namespaces there)`);
  const bases = Array.isArray(contract.linearizedBaseContracts) ? contract.linearizedBaseContracts : [contract.id];
  return bases.map((id) => (typeof id === "number" ? nodes.get(id) : undefined)).filter((n): n is AstNode => n !== undefined);
}

function toBigInt(bytes: Uint8Array): bigint {
  return BigInt("0x" + Buffer.from(bytes).toString("hex"));
}

function toBytes32(value: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(value.toString(16).padStart(64, "0"), "hex"));
}

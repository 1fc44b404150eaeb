/**
 * A persistent (immutable) in-memory Merkle Patricia trie, for roots only.
 *
 * Why not @ethereumjs/mpt: it routes every node through a key-value database
 * with checkpoints; computing a 1,000-transaction block's state root through
 * it took longer than executing the block. Here nodes are plain objects that
 * cache their own encoding, an update copies only the path it touches, and an
 * old root stays valid after an update, so "the root of this state plus that
 * diff" costs the touched paths and leaves the state's trie as it was.
 *
 * Keys are byte strings (callers hash them for secure tries); values are the
 * RLP the trie stores. Node encoding follows the Yellow Paper (appendix D):
 * hex-prefix paths, 17-item branches, children embedded when their RLP is
 * shorter than 32 bytes and referenced by keccak otherwise.
 */
import { RLP } from "@ethereumjs/rlp";
import type { NestedUint8Array } from "@ethereumjs/rlp";
import { KECCAK256_RLP } from "@ethereumjs/util";
import { keccak256 } from "./hash";

type Node = Leaf | Extension | Branch;

interface Cached {
  /** The item a parent embeds: the node's raw list if short, else its hash. */
  ref?: Uint8Array | NestedUint8Array;
  encoded?: Uint8Array;
}
interface Leaf extends Cached {
  kind: 0;
  path: Uint8Array;
  value: Uint8Array;
}
interface Extension extends Cached {
  kind: 1;
  path: Uint8Array;
  child: Node;
}
interface Branch extends Cached {
  kind: 2;
  children: (Node | undefined)[];
  value: Uint8Array | undefined;
}

const EMPTY = new Uint8Array(0);

function nibbles(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length * 2);
  for (let i = 0; i < key.length; i++) {
    out[2 * i] = key[i] >> 4;
    out[2 * i + 1] = key[i] & 15;
  }
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function prefixLength(a: Uint8Array, aFrom: number, b: Uint8Array, bFrom: number): number {
  let i = 0;
  while (aFrom + i < a.length && bFrom + i < b.length && a[aFrom + i] === b[bFrom + i]) i++;
  return i;
}

const leaf = (path: Uint8Array, value: Uint8Array): Leaf => ({ kind: 0, path, value });
const extension = (path: Uint8Array, child: Node): Node => (path.length === 0 ? child : { kind: 1, path, child });

function insert(node: Node | undefined, key: Uint8Array, at: number, value: Uint8Array): Node {
  if (node === undefined) return leaf(key.subarray(at), value);
  if (node.kind === 2) {
    if (at === key.length) return { kind: 2, children: node.children, value };
    const children = node.children.slice();
    children[key[at]] = insert(children[key[at]], key, at + 1, value);
    return { kind: 2, children, value: node.value };
  }
  const common = prefixLength(node.path, 0, key, at);
  if (node.kind === 0 && common === node.path.length && at + common === key.length) return leaf(node.path, value);
  if (node.kind === 1 && common === node.path.length) return extension(node.path, insert(node.child, key, at + common, value));
  // Split at `common`: a branch holding the old node's remainder and the new key.
  const branch: Branch = { kind: 2, children: new Array(16), value: undefined };
  if (node.kind === 0) {
    if (common === node.path.length) branch.value = node.value;
    else branch.children[node.path[common]] = leaf(node.path.subarray(common + 1), node.value);
  } else {
    branch.children[node.path[common]] = extension(node.path.subarray(common + 1), node.child);
  }
  const rest = at + common;
  if (rest === key.length) branch.value = value;
  else branch.children[key[rest]] = leaf(key.subarray(rest + 1), value);
  return extension(key.subarray(at, at + common), branch);
}

function remove(node: Node | undefined, key: Uint8Array, at: number): Node | undefined {
  if (node === undefined) return undefined;
  if (node.kind === 0) {
    return node.path.length === key.length - at && prefixLength(node.path, 0, key, at) === node.path.length ? undefined : node;
  }
  if (node.kind === 1) {
    if (prefixLength(node.path, 0, key, at) !== node.path.length) return node;
    const child = remove(node.child, key, at + node.path.length);
    if (child === node.child) return node;
    return child === undefined ? undefined : join(node.path, child);
  }
  let children = node.children;
  let value = node.value;
  if (at === key.length) {
    if (value === undefined) return node;
    value = undefined;
  } else {
    const child = remove(children[key[at]], key, at + 1);
    if (child === children[key[at]]) return node;
    children = children.slice();
    children[key[at]] = child;
  }
  return collapse(children, value);
}

/** A path followed by a node, merged into one node. */
function join(path: Uint8Array, child: Node): Node {
  if (child.kind === 0) return leaf(concat(path, child.path), child.value);
  if (child.kind === 1) return extension(concat(path, child.path), child.child);
  return extension(path, child);
}

/** A branch left with fewer than two entries becomes a leaf or extension. */
function collapse(children: (Node | undefined)[], value: Uint8Array | undefined): Node | undefined {
  let count = value === undefined ? 0 : 1;
  let only = -1;
  for (let i = 0; i < 16; i++) {
    if (children[i] !== undefined) {
      count++;
      only = i;
    }
  }
  if (count >= 2) return { kind: 2, children, value };
  if (count === 0) return undefined;
  if (value !== undefined) return leaf(EMPTY, value);
  return join(Uint8Array.of(only), children[only]!);
}

function hexPrefix(path: Uint8Array, isLeaf: boolean): Uint8Array {
  const flag = isLeaf ? 2 : 0;
  const odd = path.length % 2;
  const out = new Uint8Array(1 + (path.length >> 1));
  let i = 0;
  if (odd === 1) {
    out[0] = ((flag | 1) << 4) | path[0];
    i = 1;
  } else {
    out[0] = flag << 4;
  }
  for (let o = 1; i < path.length; i += 2, o++) out[o] = (path[i] << 4) | path[i + 1];
  return out;
}

function raw(node: Node): NestedUint8Array {
  if (node.kind === 0) return [hexPrefix(node.path, true), node.value];
  if (node.kind === 1) return [hexPrefix(node.path, false), refOf(node.child)] as NestedUint8Array;
  const items: (Uint8Array | NestedUint8Array)[] = new Array(17);
  for (let i = 0; i < 16; i++) {
    const c = node.children[i];
    items[i] = c === undefined ? EMPTY : refOf(c);
  }
  items[16] = node.value ?? EMPTY;
  return items as NestedUint8Array;
}

function encodedOf(node: Node): Uint8Array {
  if (node.encoded === undefined) node.encoded = RLP.encode(raw(node));
  return node.encoded;
}

function refOf(node: Node): Uint8Array | NestedUint8Array {
  if (node.ref === undefined) {
    const enc = encodedOf(node);
    node.ref = enc.length < 32 ? (RLP.decode(enc) as NestedUint8Array) : keccak256(enc);
  }
  return node.ref;
}

export class MerkleTrie {
  private constructor(private readonly top: Node | undefined) {}

  static empty(): MerkleTrie {
    return new MerkleTrie(undefined);
  }

  /** A new trie with these keys set (value) or removed (undefined); this one is unchanged. */
  update(entries: Iterable<readonly [Uint8Array, Uint8Array | undefined]>): MerkleTrie {
    let top = this.top;
    for (const [key, value] of entries) {
      const path = nibbles(key);
      top = value === undefined || value.length === 0 ? remove(top, path, 0) : insert(top, path, 0, value);
    }
    return new MerkleTrie(top);
  }

  root(): Uint8Array {
    return this.top === undefined ? KECCAK256_RLP : keccak256(encodedOf(this.top));
  }
}

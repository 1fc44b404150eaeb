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
import { KECCAK256_RLP } from "@ethereumjs/util";
import { keccak256 } from "./hash";
import { listHeaderLength, stringItemLength, writeListHeader, writeStringItem } from "./rlp-writer";

type Node = Leaf | Extension | Branch;

interface Cached {
  /** The RLP item a parent embeds: the node's encoding if short, else its hash as a string item. */
  ref?: Uint8Array;
  encoded?: Uint8Array;
  /**
   * The update batch that created the node. Within one `update` call, nodes
   * the batch itself created are not yet shared with any other trie and have
   * no cached hash, so they are modified in place instead of copied again
   * for every key: a block's thousands of writes allocate each new node once.
   */
  batch?: Batch;
}
type Batch = object;
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

const leaf = (path: Uint8Array, value: Uint8Array, batch: Batch): Leaf => ({ kind: 0, path, value, batch });
const extension = (path: Uint8Array, child: Node, batch: Batch): Node => (path.length === 0 ? child : { kind: 1, path, child, batch });
const branch = (children: (Node | undefined)[], value: Uint8Array | undefined, batch: Batch): Branch => ({ kind: 2, children, value, batch });

function insert(node: Node | undefined, key: Uint8Array, at: number, value: Uint8Array, batch: Batch): Node {
  if (node === undefined) return leaf(key.subarray(at), value, batch);
  const own = node.batch === batch;
  if (node.kind === 2) {
    if (at === key.length) {
      if (!own) return branch(node.children, value, batch);
      node.value = value;
      return node;
    }
    const target = own ? node : branch(node.children.slice(), node.value, batch);
    target.children[key[at]] = insert(target.children[key[at]], key, at + 1, value, batch);
    return target;
  }
  const common = prefixLength(node.path, 0, key, at);
  if (node.kind === 0 && common === node.path.length && at + common === key.length) {
    if (!own) return leaf(node.path, value, batch);
    node.value = value;
    return node;
  }
  if (node.kind === 1 && common === node.path.length) {
    const child = insert(node.child, key, at + common, value, batch);
    if (!own) return extension(node.path, child, batch);
    node.child = child;
    return node;
  }
  // Split at `common`: a branch holding the old node's remainder and the new key.
  const split = branch(new Array(16), undefined, batch);
  if (node.kind === 0) {
    if (common === node.path.length) split.value = node.value;
    else split.children[node.path[common]] = leaf(node.path.subarray(common + 1), node.value, batch);
  } else {
    split.children[node.path[common]] = extension(node.path.subarray(common + 1), node.child, batch);
  }
  const rest = at + common;
  if (rest === key.length) split.value = value;
  else split.children[key[rest]] = leaf(key.subarray(rest + 1), value, batch);
  return extension(key.subarray(at, at + common), split, batch);
}

function remove(node: Node | undefined, key: Uint8Array, at: number, batch: Batch): Node | undefined {
  if (node === undefined) return undefined;
  if (node.kind === 0) {
    return node.path.length === key.length - at && prefixLength(node.path, 0, key, at) === node.path.length ? undefined : node;
  }
  if (node.kind === 1) {
    if (prefixLength(node.path, 0, key, at) !== node.path.length) return node;
    const child = remove(node.child, key, at + node.path.length, batch);
    if (child === node.child) return node;
    return child === undefined ? undefined : join(node.path, child, batch);
  }
  let children = node.children;
  let value = node.value;
  if (at === key.length) {
    if (value === undefined) return node;
    value = undefined;
  } else {
    const child = remove(children[key[at]], key, at + 1, batch);
    if (child === children[key[at]]) return node;
    if (node.batch !== batch) children = children.slice();
    children[key[at]] = child;
  }
  return collapse(children, value, batch);
}

/** A path followed by a node, merged into one node. */
function join(path: Uint8Array, child: Node, batch: Batch): Node {
  if (child.kind === 0) return leaf(concat(path, child.path), child.value, batch);
  if (child.kind === 1) return extension(concat(path, child.path), child.child, batch);
  return extension(path, child, batch);
}

/** A branch left with fewer than two entries becomes a leaf or extension. */
function collapse(children: (Node | undefined)[], value: Uint8Array | undefined, batch: Batch): Node | undefined {
  let count = value === undefined ? 0 : 1;
  let only = -1;
  for (let i = 0; i < 16; i++) {
    if (children[i] !== undefined) {
      count++;
      only = i;
    }
  }
  if (count >= 2) return branch(children, value, batch);
  if (count === 0) return undefined;
  if (value !== undefined) return leaf(EMPTY, value, batch);
  return join(Uint8Array.of(only), children[only]!, batch);
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

// ---- encoding -----------------------------------------------------------------
// Nodes are RLP-encoded straight into one buffer each: the generic encoder
// builds nested arrays and concatenates per item, and that garbage cost more
// than the hashing itself on a 2,000-transaction block.

/** A list buffer with its header written; returns the buffer and where the payload starts. */
function listBuffer(payload: number): [Uint8Array, number] {
  const out = new Uint8Array(listHeaderLength(payload) + payload);
  return [out, writeListHeader(out, 0, payload)];
}

function encodePair(first: Uint8Array, secondItem: Uint8Array | undefined, secondString: Uint8Array | undefined): Uint8Array {
  const secondLength = secondItem !== undefined ? secondItem.length : stringItemLength(secondString!);
  const [out, at] = listBuffer(stringItemLength(first) + secondLength);
  const next = writeStringItem(out, at, first);
  if (secondItem !== undefined) out.set(secondItem, next);
  else writeStringItem(out, next, secondString!);
  return out;
}

function encodeBranch(node: Branch): Uint8Array {
  let payload = node.value === undefined ? 1 : stringItemLength(node.value);
  for (let i = 0; i < 16; i++) {
    const c = node.children[i];
    payload += c === undefined ? 1 : refOf(c).length;
  }
  const [out, start] = listBuffer(payload);
  let at = start;
  for (let i = 0; i < 16; i++) {
    const c = node.children[i];
    if (c === undefined) {
      out[at++] = 0x80;
    } else {
      const ref = refOf(c);
      out.set(ref, at);
      at += ref.length;
    }
  }
  if (node.value === undefined) out[at] = 0x80;
  else writeStringItem(out, at, node.value);
  return out;
}

function encodedOf(node: Node): Uint8Array {
  if (node.encoded === undefined) {
    if (node.kind === 0) node.encoded = encodePair(hexPrefix(node.path, true), undefined, node.value);
    else if (node.kind === 1) node.encoded = encodePair(hexPrefix(node.path, false), refOf(node.child), undefined);
    else node.encoded = encodeBranch(node);
  }
  return node.encoded;
}

/**
 * The RLP item a parent embeds for this node: the node's own encoding when
 * it is shorter than 32 bytes, else the 32-byte string of its hash.
 */
function refOf(node: Node): Uint8Array {
  if (node.ref === undefined) {
    const enc = encodedOf(node);
    if (enc.length < 32) {
      node.ref = enc;
    } else {
      const ref = new Uint8Array(33);
      ref[0] = 0xa0;
      ref.set(keccak256(enc), 1);
      node.ref = ref;
    }
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
    const batch: Batch = {};
    for (const [key, value] of entries) {
      const path = nibbles(key);
      top = value === undefined || value.length === 0 ? remove(top, path, 0, batch) : insert(top, path, 0, value, batch);
    }
    return new MerkleTrie(top);
  }

  root(): Uint8Array {
    return this.top === undefined ? KECCAK256_RLP : keccak256(encodedOf(this.top));
  }
}

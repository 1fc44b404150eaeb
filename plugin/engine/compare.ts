/**
 * The one definition of "two executions of a block are identical", used by
 * verification mode (network/chain.ts), parallel-replay, parallel-bench and
 * the tests' differential oracle. Block-STM promises the parallel result
 * equals the sequential one exactly, so everything a client or the next
 * block can observe is compared:
 *
 * - the receipt count, then each receipt in block order, every field of
 *   TxReceipt (the table below is typed so a new field fails to compile
 *   until it is listed): status, gas (own, block, cumulative), logs (address,
 *   each topic, data), bloom, created address, error, return value, sender,
 *   miner value, blob gas, console.log calls, hash and type;
 * - the block's gasUsed, logs bloom, receipts root and requests hash;
 * - the state diff: every entry (balances, storage slots, account info with
 *   nonce, code hash and hasStorage, deleted accounts) present on both sides
 *   with equal values, the same storage wipes, the same code bytes per hash;
 * - the state roots, when either result carries one (computeStateRoot).
 *
 * Not compared: read sets, write sets and stats, which record how the block
 * was executed rather than what it did.
 *
 * The first difference is returned as data naming the field, the
 * transaction or location, and both values, so each caller words its own
 * message (an RPC error, a replay row, a test failure).
 */
import { bytesToHex } from "@ethereumjs/util";

import type { BlockResult, TxReceipt } from "./block-result";
import type { FlatState, StateDiff } from "./flat-state";
import { describeLocation, kindOf } from "./location";
import type { AccountInfo, LocationKey, LocationValue, LogEntry } from "./types";

export interface BlockDifference {
  /** A receipt (txIndex is set), a block-level field, or the state diff (location may be set). */
  part: "receipt" | "block" | "state";
  /** The differing field as a path: "gasUsed", "logs[2].topics[1]", "receiptsRoot", "state diff: balance 0x…". */
  field: string;
  txIndex?: number;
  /** The differing diff entry, when the difference is one. */
  location?: LocationKey;
  /** The compared result's value, readable ("absent" when missing). */
  actual: string;
  /** The reference result's value, readable. */
  expected: string;
  /** One line: the field, both values under their labels, and any diagnostic note. */
  description: string;
}

export interface CompareOptions {
  /** Names of the two results in descriptions. Default { actual: "parallel", expected: "sequential" }. */
  labels?: { actual: string; expected: string };
  /**
   * The block's pre-state. With it, a diff entry found on one side only
   * says whether its value merely restates the pre-state (the trace of a
   * stale write from an aborted incarnation).
   */
  preState?: Pick<FlatState, "read">;
}

/**
 * The first way `actual` differs from `expected` (the reference, usually the
 * sequential executor's result), or undefined when they are identical.
 */
export function firstDifference(actual: BlockResult, expected: BlockResult, opts: CompareOptions = {}): BlockDifference | undefined {
  const labels = opts.labels ?? { actual: "parallel", expected: "sequential" };
  const found = rawDifference(actual, expected);
  if (found === undefined) return undefined;
  const notes = found.location === undefined ? "" : locationNotes(found.location, actual, expected, labels, opts.preState);
  const description = `${found.field} (${labels.actual} ${found.actual}, ${labels.expected} ${found.expected}${notes})`;
  return { ...found, description };
}

type Found = Omit<BlockDifference, "description">;
/** A field's difference before the caller's context is added: an optional sub-path and both values. */
type FieldDifference = { path?: string; actual: string; expected: string };
type Comparer<T> = (a: T, b: T) => FieldDifference | undefined;

function rawDifference(a: BlockResult, b: BlockResult): Found | undefined {
  if (a.receipts.length !== b.receipts.length) return { part: "block", field: "receipt count", actual: String(a.receipts.length), expected: String(b.receipts.length) };
  for (let i = 0; i < b.receipts.length; i++) {
    const d = receiptDifference(a.receipts[i], b.receipts[i]);
    if (d !== undefined) return { part: "receipt", txIndex: i, ...d };
  }
  for (const [field, compare] of BLOCK_FIELDS) {
    const d = compare(a, b);
    if (d !== undefined) return { part: "block", field: field + (d.path ?? ""), actual: d.actual, expected: d.expected };
  }
  const d = diffDifference(a.diff, b.diff);
  if (d !== undefined) return d;
  const root = optionalBytes(a.stateRoot, b.stateRoot);
  if (root !== undefined) return { part: "block", field: "stateRoot", actual: root.actual, expected: root.expected };
  return undefined;
}

// ---- values -----------------------------------------------------------------

const ABSENT = "absent";

function scalar<T extends bigint | number | string | undefined>(a: T, b: T): FieldDifference | undefined {
  return a === b ? undefined : { actual: a === undefined ? ABSENT : String(a), expected: b === undefined ? ABSENT : String(b) };
}

function bytes(a: Uint8Array, b: Uint8Array): FieldDifference | undefined {
  return equalBytes(a, b) ? undefined : { actual: showBytes(a, b), expected: showBytes(b, a) };
}

function optionalBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): FieldDifference | undefined {
  if (a === undefined || b === undefined) return a === b ? undefined : { actual: a === undefined ? ABSENT : showBytes(a, a), expected: b === undefined ? ABSENT : showBytes(b, b) };
  return bytes(a, b);
}

function byteList(a: Uint8Array[], b: Uint8Array[]): FieldDifference | undefined {
  if (a.length !== b.length) return { path: ".length", actual: String(a.length), expected: String(b.length) };
  for (let k = 0; k < b.length; k++) {
    const d = bytes(a[k], b[k]);
    if (d !== undefined) return { ...d, path: `[${k}]` };
  }
  return undefined;
}

function optionalByteList(a: Uint8Array[] | undefined, b: Uint8Array[] | undefined): FieldDifference | undefined {
  if (a === undefined || b === undefined) return a === b ? undefined : { actual: a === undefined ? ABSENT : `${a.length} entries`, expected: b === undefined ? ABSENT : `${b.length} entries` };
  return byteList(a, b);
}

function logs(a: LogEntry[], b: LogEntry[]): FieldDifference | undefined {
  if (a.length !== b.length) return { path: ".length", actual: String(a.length), expected: String(b.length) };
  for (let l = 0; l < b.length; l++) {
    const [addressA, topicsA, dataA] = a[l];
    const [addressB, topicsB, dataB] = b[l];
    const address = bytes(addressA, addressB);
    if (address !== undefined) return { ...address, path: `[${l}].address` };
    const topics = byteList(topicsA, topicsB);
    if (topics !== undefined) return { ...topics, path: `[${l}].topics${topics.path}` };
    const data = bytes(dataA, dataB);
    if (data !== undefined) return { ...data, path: `[${l}].data` };
  }
  return undefined;
}

/**
 * Short byte strings in full; long ones (blooms, return data) as their length
 * and the bytes from the first one that differs from `other`, since a
 * shortened hex of two 256-byte blooms would usually look the same.
 */
function showBytes(x: Uint8Array, other: Uint8Array): string {
  if (x.length <= 32) return bytesToHex(x);
  let k = 0;
  while (k < x.length && k < other.length && x[k] === other[k]) k++;
  if (k === x.length) return `${x.length} bytes`;
  return `${bytesToHex(x.subarray(k, k + 4))}… at byte ${k} of ${x.length}`;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// ---- receipts ---------------------------------------------------------------

/**
 * Every field of a receipt, in the order they are compared. The mapped type
 * makes a field added to TxReceipt (or TxReceiptData) a compile error here
 * until it is compared.
 */
const RECEIPT_FIELDS: { [K in keyof Required<TxReceipt>]: Comparer<TxReceipt[K]> } = {
  txHash: scalar,
  type: scalar,
  status: scalar,
  gasUsed: scalar,
  blockGasUsed: scalar,
  cumulativeGasUsed: scalar,
  logs,
  bloom: bytes,
  createdAddress: scalar,
  error: scalar,
  returnValue: bytes,
  sender: scalar,
  minerValue: scalar,
  blobGasUsed: scalar,
  blobGasPrice: scalar,
  consoleLogs: optionalByteList,
};

function receiptDifference(a: TxReceipt, b: TxReceipt): Omit<Found, "part" | "txIndex"> | undefined {
  for (const field of Object.keys(RECEIPT_FIELDS) as (keyof TxReceipt)[]) {
    const compare = RECEIPT_FIELDS[field] as Comparer<TxReceipt[typeof field]>;
    const d = compare(a[field], b[field]);
    if (d !== undefined) return { field: field + (d.path ?? ""), actual: d.actual, expected: d.expected };
  }
  return undefined;
}

// ---- block fields -----------------------------------------------------------

/**
 * Block-level fields derived from the receipts and the system phases, in
 * order. Receipts come first (a wrong receipts root follows from a wrong
 * receipt, which names the tx), the diff and the state root after these.
 */
const BLOCK_FIELDS: [string, Comparer<BlockResult>][] = [
  ["gasUsed", (a, b) => scalar(a.gasUsed, b.gasUsed)],
  ["logsBloom", (a, b) => bytes(a.logsBloom, b.logsBloom)],
  ["receiptsRoot", (a, b) => bytes(a.receiptsRoot, b.receiptsRoot)],
  ["requestsHash", (a, b) => optionalBytes(a.requestsHash, b.requestsHash)],
];

// ---- state diff -------------------------------------------------------------

function diffDifference(a: StateDiff, b: StateDiff): Found | undefined {
  const entry = (key: LocationKey, x: LocationValue | undefined, y: LocationValue | undefined): Found => ({
    part: "state",
    field: `state diff: ${describeLocation(key)}`,
    location: key,
    actual: x === undefined ? ABSENT : showValue(x),
    expected: y === undefined ? ABSENT : showValue(y),
  });
  for (const [key, value] of b.entries) {
    if (!a.entries.has(key)) return entry(key, undefined, value);
    const other = a.entries.get(key)!;
    if (!sameValue(other, value)) return entry(key, other, value);
  }
  for (const [key, value] of a.entries) if (!b.entries.has(key)) return entry(key, value, undefined);

  for (const addr of b.wiped) if (!a.wiped.has(addr)) return { part: "state", field: `state diff: storage wipe of 0x${addr}`, actual: "not wiped", expected: "wiped" };
  for (const addr of a.wiped) if (!b.wiped.has(addr)) return { part: "state", field: `state diff: storage wipe of 0x${addr}`, actual: "wiped", expected: "not wiped" };

  const code = (hash: string, x: Uint8Array | undefined, y: Uint8Array | undefined): Found | undefined => {
    const d = x === undefined || y === undefined ? optionalBytes(x, y) : bytes(x, y);
    return d === undefined ? undefined : { part: "state", field: `state diff: code ${hash}`, actual: d.actual, expected: d.expected };
  };
  for (const [hash, bytesB] of b.code) {
    const d = code(hash, a.code.get(hash), bytesB);
    if (d !== undefined) return d;
  }
  for (const [hash, bytesA] of a.code) if (!b.code.has(hash)) return code(hash, bytesA, undefined);
  return undefined;
}

function sameValue(a: LocationValue, b: LocationValue): boolean {
  if (a === null || b === null || typeof a === "bigint" || typeof b === "bigint") return a === b;
  return a.nonce === b.nonce && a.codeHash === b.codeHash && a.hasStorage === b.hasStorage;
}

function showValue(v: LocationValue): string {
  if (v === null) return "no account";
  if (typeof v === "bigint") return v.toString();
  const info = v as AccountInfo;
  return `{ nonce ${info.nonce}, codeHash ${info.codeHash}, hasStorage ${info.hasStorage} }`;
}

/**
 * Where a differing diff entry came from: the txs whose write sets hold it in
 * each result (last three), and, with the pre-state, which side's value
 * merely restates the pre-state value.
 */
function locationNotes(key: LocationKey, actual: BlockResult, expected: BlockResult, labels: { actual: string; expected: string }, preState: CompareOptions["preState"]): string {
  const writers = (r: BlockResult): string => {
    const txs: number[] = [];
    (r.writeSets ?? []).forEach((ws, i) => {
      if (ws.writes.some((w) => w.key === key)) txs.push(i);
    });
    return txs.length === 0 ? "none" : txs.slice(-3).join(",");
  };
  let notes = `; txs writing it: ${labels.actual} ${writers(actual)}, ${labels.expected} ${writers(expected)}`;
  if (preState !== undefined) {
    const pre = kindOf(key) === "wipe" ? 0n : preState.read(key);
    for (const [r, label] of [[actual, labels.actual], [expected, labels.expected]] as const) {
      if (r.diff.entries.has(key) && sameValue(r.diff.entries.get(key)!, pre)) notes += `; the ${label} value equals the pre-state value`;
    }
  }
  return notes;
}

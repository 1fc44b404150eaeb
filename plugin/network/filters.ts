/**
 * Log selection (eth_getLogs) and installed filters and subscriptions
 * (eth_newFilter, eth_newBlockFilter, eth_newPendingTransactionFilter,
 * eth_subscribe), kept the way Hardhat's network keeps them:
 *
 * - one id counter for filters and subscriptions, ids from 0x1;
 * - a filter gathers its changes as blocks are mined and transactions arrive,
 *   and eth_getFilterChanges (or, for a log filter, eth_getFilterLogs) hands
 *   them over and empties them;
 * - a block filter starts with the hash of the block that was latest when it
 *   was installed, a log filter with the logs already in its range;
 * - a subscription is told each change at once instead (a `message` event);
 * - a filter nobody polled for five minutes is dropped when the next block
 *   is mined;
 * - reverting to a snapshot leaves filters alone (what they gathered stays).
 */
import { bytesToHex } from "@ethereumjs/util";

import type { MinedBlock } from "./chain";
import { RpcError } from "./errors";
import { formatLogs } from "./format";
import { describe, parseData } from "./params";
import type { Hex, ParamReader } from "./params";

/** Which logs to select: a block range, emitting addresses, topics per position. */
export interface LogCriteria {
  from: number;
  /** Last block; absent: open-ended (a filter keeps collecting from new blocks). */
  to?: number;
  /** Emitters to accept; absent: any. */
  addresses?: Hex[];
  /** Per topic position, the accepted values; null: any. */
  topics: (Hex[] | null)[];
}

/** A block reference in a filter: a number, or absent for "latest" (and pending, safe, finalized). */
export interface BlockResolver {
  latest(): number;
  numberOfHash(hash: string): number | undefined;
}

/**
 * Reads a filter object ({fromBlock, toBlock, blockHash, address, topics}),
 * parameter `index` of the request `reader` holds; a malformed field fails as
 * Hardhat's network's parser fails on it (fields checked in the order they
 * appear). `openEnded`: a missing or "latest" toBlock means no end (filters)
 * rather than the latest block (eth_getLogs).
 */
export function parseLogCriteria(reader: ParamReader, index: number, blocks: BlockResolver, openEnded: boolean): LogCriteria {
  const filter = reader.params[index];
  if (typeof filter !== "object" || filter === null || Array.isArray(filter)) throw reader.fail(index, `invalid type: ${describe(filter)}, expected struct LogFilterOptions`);
  const f = filter as Record<string, unknown>;
  // Where a field's value ends in the parameter's JSON text (for error columns).
  const end = (key: string) => {
    const partial: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(f)) {
      partial[k] = v;
      if (k === key) break;
    }
    return JSON.stringify(partial).length - 1;
  };
  const anyOf = (key: string, offset = end(key)) => reader.failAt(index, offset + 1, "data did not match any variant of untagged enum OneOrMore");
  for (const [key, v] of Object.entries(f)) {
    if (v === undefined || v === null) continue;
    if (key === "fromBlock" || key === "toBlock") {
      if (typeof v === "object" && !Array.isArray(v)) continue;
      if (typeof v === "string" && (["latest", "earliest", "pending", "safe", "finalized"].includes(v) || /^0x[0-9a-fA-F]{1,16}$/.test(v))) continue;
      if (typeof v === "string" && !v.startsWith("0x")) throw reader.unsupported();
      if (typeof v === "string") throw reader.failAt(index, end(key), `invalid value: ${describe(v)}, expected a 8 byte hex string`);
      throw reader.failAt(index, end(key), `invalid type: ${describe(v)}, expected a block specifier`);
    } else if (key === "blockHash") {
      if (typeof v === "string" && /^0x[0-9a-fA-F]{64}$/.test(v)) continue;
      if (typeof v === "string" && /^0x[0-9a-fA-F]*$/.test(v)) throw reader.failAt(index, end(key), "Invalid string length");
      throw reader.failAt(index, end(key), `invalid value: ${describe(v)}, expected a 32 byte hex string`);
    } else if (key === "address") {
      const isAddress = (a: unknown) => typeof a === "string" && /^0x[0-9a-fA-F]{40}$/.test(a);
      if (!(isAddress(v) || (Array.isArray(v) && v.every(isAddress)))) throw anyOf(key);
    } else if (key === "topics") {
      if (!Array.isArray(v)) throw reader.failAt(index, end(key), `invalid type: ${describe(v)}, expected a sequence`);
      const isTopic = (t: unknown) => typeof t === "string" && /^0x[0-9a-fA-F]{64}$/.test(t);
      const start = end(key) - JSON.stringify(v).length;
      v.forEach((t, i) => {
        if (!(t === null || isTopic(t) || (Array.isArray(t) && t.every(isTopic)))) throw anyOf(key, start + JSON.stringify(v.slice(0, i + 1)).length - 1);
      });
    }
  }
  let from: number;
  let to: number | undefined;
  if (f.blockHash !== undefined && f.blockHash !== null) {
    if (f.fromBlock !== undefined || f.toBlock !== undefined) throw new RpcError(-32602, "blockHash is mutually exclusive with fromBlock/toBlock");
    const n = blocks.numberOfHash((f.blockHash as string).toLowerCase());
    if (n === undefined) throw new RpcError(-32602, "blockHash cannot be found");
    from = to = n;
  } else {
    from = blockNumber(f.fromBlock, blocks) ?? blocks.latest();
    to = blockNumber(f.toBlock, blocks) ?? (openEnded ? undefined : blocks.latest());
  }
  const addresses = f.address === undefined || f.address === null ? undefined : (Array.isArray(f.address) ? f.address : [f.address]).map((a: string) => a.toLowerCase() as Hex);
  const topics = Array.isArray(f.topics) ? (f.topics as unknown[]).map((t) => (t === null ? null : (Array.isArray(t) ? t : [t]).map((x: string) => x.toLowerCase() as Hex))) : [];
  return { from, to, addresses, topics };
}

/** A checked block reference: a number, or undefined for latest (and pending, safe, finalized). */
function blockNumber(tag: unknown, blocks: BlockResolver): number | undefined {
  if (tag === undefined || tag === null || tag === "latest" || tag === "pending" || tag === "safe" || tag === "finalized") return undefined;
  if (tag === "earliest") return 0;
  if (typeof tag === "object") {
    const t = tag as { blockNumber?: unknown; blockHash?: unknown };
    if (t.blockHash !== undefined) {
      const n = blocks.numberOfHash(parseData(t.blockHash, "blockHash"));
      if (n === undefined) throw new RpcError(-32602, "blockHash cannot be found");
      return n;
    }
    return blockNumber(t.blockNumber, blocks);
  }
  if (typeof tag === "string" && /^0x[0-9a-fA-F]+$/.test(tag)) return Number(BigInt(tag));
  throw new RpcError(-32602, `Invalid block tag ${JSON.stringify(tag)}`);
}

/** The logs of one block that the criteria select, formatted as eth_getLogs returns them. */
export function selectLogs(mined: MinedBlock, c: LogCriteria): Record<string, unknown>[] {
  const n = Number(mined.block.header.number);
  if (n < c.from || (c.to !== undefined && n > c.to)) return [];
  const out: Record<string, unknown>[] = [];
  let logIndex = 0;
  mined.receipts.forEach((receipt, i) => {
    const first = logIndex;
    logIndex += receipt.logs.length;
    // Match on the raw logs; format only what is returned.
    const wanted = receipt.logs.flatMap(([address, logTopics], k) => {
      if (c.addresses !== undefined && !c.addresses.includes(bytesToHex(address) as Hex)) return [];
      if (c.topics.some((want, t) => want !== null && (logTopics[t] === undefined || !want.includes(bytesToHex(logTopics[t]) as Hex)))) return [];
      return [k];
    });
    if (wanted.length === 0) return;
    const formatted = formatLogs(mined, i, first);
    for (const k of wanted) out.push(formatted[k]);
  });
  return out;
}

export type FilterKind = "logs" | "newHeads" | "newPendingTransactions";

/** Names of the kinds in Hardhat's error messages. */
const KIND_NAMES: Record<FilterKind, string> = { logs: "Logs", newHeads: "NewHeads", newPendingTransactions: "NewPendingTransactions" };

/** A filter nobody polls for this long is dropped (at the next mined block). */
export const FILTER_LIFETIME_MS = 5 * 60 * 1000;

interface Installed {
  kind: FilterKind;
  subscription: boolean;
  criteria?: LogCriteria;
  /** Changes not yet handed over. */
  changes: unknown[];
  deadline: number;
}

export class FilterRegistry {
  private lastId = 0n;
  private readonly installed = new Map<bigint, Installed>();

  /** `notify` delivers one subscription event (a block, a log or a transaction hash). */
  constructor(private readonly notify: (subscription: string, result: unknown) => void) {}

  /** Installs a filter or subscription with what it starts with; returns its id. */
  install(kind: FilterKind, subscription: boolean, initial: unknown[], criteria?: LogCriteria): string {
    const id = ++this.lastId;
    this.installed.set(id, { kind, subscription, criteria, changes: initial, deadline: Date.now() + FILTER_LIFETIME_MS });
    return `0x${id.toString(16)}`;
  }

  /** Whether anything is installed (nothing to do on a block otherwise). */
  get empty(): boolean {
    return this.installed.size === 0;
  }

  /** A block was added: log filters take their logs, block filters the hash, subscriptions are told. */
  blockAdded(mined: MinedBlock, header: () => Record<string, unknown>): void {
    let formatted: Record<string, unknown> | undefined;
    for (const [id, f] of this.installed) {
      if (f.kind === "logs") {
        const logs = selectLogs(mined, f.criteria!);
        if (f.subscription) for (const log of logs) this.notify(hex(id), log);
        else f.changes.push(...logs);
      } else if (f.kind === "newHeads") {
        if (f.subscription) this.notify(hex(id), (formatted ??= header()));
        else f.changes.push(mined.hash);
      }
    }
    const now = Date.now();
    // Subscriptions are never polled; they stay until unsubscribed.
    for (const [id, f] of this.installed) if (!f.subscription && f.deadline < now) this.installed.delete(id);
  }

  /** A transaction entered the mempool (with automine too, just before it is mined). */
  transactionAdded(hash: string): void {
    for (const [id, f] of this.installed) {
      if (f.kind !== "newPendingTransactions") continue;
      if (f.subscription) this.notify(hex(id), hash);
      else f.changes.push(hash);
    }
  }

  /** eth_getFilterChanges: what gathered since the last poll; null for an unknown id. */
  changes(id: bigint): unknown[] | null {
    const f = this.installed.get(id);
    if (f === undefined) return null;
    return this.take(f);
  }

  /** eth_getFilterLogs: the same for a log filter; an error for another kind, null for an unknown id. */
  logs(id: bigint): unknown[] | null {
    const f = this.installed.get(id);
    if (f === undefined) return null;
    if (f.kind !== "logs") throw new RpcError(-32602, `Subscription ${id} is not a Logs subscription, but a ${KIND_NAMES[f.kind]} subscription`);
    return this.take(f);
  }

  private take(f: Installed): unknown[] {
    f.deadline = Date.now() + FILTER_LIFETIME_MS;
    const out = f.changes;
    f.changes = [];
    return out;
  }

  /** eth_uninstallFilter (subscription false) / eth_unsubscribe (true): each removes only its own kind. */
  remove(id: bigint, subscription: boolean): boolean {
    const f = this.installed.get(id);
    if (f === undefined || f.subscription !== subscription) return false;
    return this.installed.delete(id);
  }

  /** hardhat_reset: no filters, ids from 0x1 again. */
  clear(): void {
    this.installed.clear();
    this.lastId = 0n;
  }
}

function hex(id: bigint): string {
  return `0x${id.toString(16)}`;
}

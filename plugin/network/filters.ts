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
import { parseAddress, parseData } from "./params";
import type { Hex } from "./params";

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
 * Reads a filter object ({fromBlock, toBlock, blockHash, address, topics}).
 * `openEnded`: a missing or "latest" toBlock means no end (filters) rather
 * than the latest block (eth_getLogs).
 */
export function parseLogCriteria(filter: unknown, blocks: BlockResolver, openEnded: boolean): LogCriteria {
  if (typeof filter !== "object" || filter === null || Array.isArray(filter)) throw new RpcError(-32602, "Expected a filter object");
  const f = filter as { fromBlock?: unknown; toBlock?: unknown; blockHash?: unknown; address?: unknown; topics?: unknown };
  let from: number;
  let to: number | undefined;
  if (f.blockHash !== undefined && f.blockHash !== null) {
    if (f.fromBlock !== undefined || f.toBlock !== undefined) throw new RpcError(-32602, "blockHash is mutually exclusive with fromBlock/toBlock");
    const n = blocks.numberOfHash(parseData(f.blockHash, "blockHash"));
    if (n === undefined) throw new RpcError(-32602, "blockHash cannot be found");
    from = to = n;
  } else {
    from = blockNumber(f.fromBlock, blocks) ?? blocks.latest();
    to = blockNumber(f.toBlock, blocks) ?? (openEnded ? undefined : blocks.latest());
  }
  const addresses = f.address === undefined || f.address === null ? undefined : (Array.isArray(f.address) ? f.address : [f.address]).map(parseAddress);
  const topics = Array.isArray(f.topics)
    ? (f.topics as unknown[]).map((t) => (t === null ? null : (Array.isArray(t) ? t : [t]).map((x) => parseData(x, "topic"))))
    : [];
  return { from, to, addresses, topics };
}

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
  if (typeof tag === "number" && Number.isSafeInteger(tag) && tag >= 0) return tag;
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

/**
 * eth_getLogs, filters and subscriptions, as Hardhat's network has them
 * (the registry is filters.ts).
 */
import { RpcError } from "../errors";
import type { FilterKind } from "../filters";
import { parseLogCriteria, selectLogs } from "../filters";
import type { Handlers, NetworkNode } from "../node";
import { ParamReader } from "../params";

export function ethFilterHandlers(node: NetworkNode): Handlers {
  /** Installs a block or pending-transaction filter or subscription; a block one starts with the latest block's hash. */
  const installFilter = (kind: Exclude<FilterKind, "logs">, subscription: boolean): string =>
    node.filters.install(kind, subscription, kind === "newHeads" ? [node.chain.head.hash] : []);

  /** Installs a log filter or subscription; it starts with the logs already in its range. */
  const installLogFilter = (reader: ParamReader, index: number, subscription: boolean): string => {
    const criteria = parseLogCriteria(reader, index, node.blocks, true);
    const initial: Record<string, unknown>[] = [];
    for (const mined of node.chain.executedBlocks(criteria.from, criteria.to ?? node.chain.height)) initial.push(...selectLogs(mined, criteria));
    return node.filters.install("logs", subscription, initial, criteria);
  };

  return {
    eth_getLogs: (params: unknown[], method: string) => {
      const criteria = parseLogCriteria(new ParamReader(method, params).count(1), 0, node.blocks, false);
      const out: Record<string, unknown>[] = [];
      for (const mined of node.chain.executedBlocks(criteria.from, criteria.to!)) out.push(...selectLogs(mined, criteria));
      return out;
    },
    eth_newFilter: (params: unknown[], method: string) => installLogFilter(new ParamReader(method, params).count(1), 0, false),
    eth_newBlockFilter: (params: unknown[], method: string) => {
      new ParamReader(method, params).count(0);
      return installFilter("newHeads", false);
    },
    eth_newPendingTransactionFilter: (params: unknown[], method: string) => {
      new ParamReader(method, params).count(0);
      return installFilter("newPendingTransactions", false);
    },
    eth_getFilterChanges: (params: unknown[], method: string) => node.filters.changes(new ParamReader(method, params).count(1).filterId(0)),
    eth_getFilterLogs: (params: unknown[], method: string) => node.filters.logs(new ParamReader(method, params).count(1).filterId(0)),
    eth_uninstallFilter: (params: unknown[], method: string) => node.filters.remove(new ParamReader(method, params).count(1).filterId(0), false),
    eth_subscribe: (params: unknown[], method: string) => {
      const p = new ParamReader(method, params).count(1, 2);
      const [type, filter] = params;
      if (type === "newHeads" || type === "newPendingTransactions") return installFilter(type, true);
      if (type !== "logs") throw p.fail(0, "Invalid subscription type");
      if (filter === undefined) throw new RpcError(-32602, "Missing params argument");
      return installLogFilter(p, 1, true);
    },
    eth_unsubscribe: (params: unknown[], method: string) => node.filters.remove(new ParamReader(method, params).count(1).filterId(0), true),
  };
}

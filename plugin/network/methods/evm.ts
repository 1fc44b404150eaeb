/** The evm_ methods: mining, automine and interval mining, the clock, the block gas limit, snapshots. */
import { RpcError } from "../errors";
import { quantity } from "../format";
import type { Handlers, NetworkNode } from "../node";
import { ParamReader, parseQuantity } from "../params";

export function evmHandlers(node: NetworkNode): Handlers {
  return {
    evm_mine: async (params: unknown[], method: string) => {
      if (params[0] !== undefined) node.clock.nextTimestamp = new ParamReader(method, params).count(0, 1).seconds(0);
      await node.miner.mineMempool();
      return "0";
    },
    evm_setAutomine: ([enabled]: unknown[]) => {
      node.miner.automine = enabled === true;
      return true;
    },
    evm_setIntervalMining: ([interval]: unknown[]) => {
      const valid = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
      if (!(valid(interval) || (Array.isArray(interval) && interval.length === 2 && interval.every(valid) && interval[0] <= interval[1]))) {
        throw new RpcError(-32602, `Interval must be a number of milliseconds or a [min, max] pair, got ${JSON.stringify(interval)}`);
      }
      node.miner.setIntervalMining(interval as number | [number, number]);
      return true;
    },
    evm_setBlockGasLimit: ([limit]: unknown[]) => {
      const l = parseQuantity(limit, "block gas limit");
      if (l === 0n) throw new RpcError(-32602, "Block gas limit must be greater than 0");
      node.options.blockGasLimit = l;
      return true;
    },
    evm_increaseTime: (params: unknown[], method: string) => {
      node.clock.timeOffset += new ParamReader(method, params).count(1).seconds(0);
      return String(node.clock.timeOffset);
    },
    evm_setNextBlockTimestamp: (params: unknown[], method: string) => {
      const t = new ParamReader(method, params).count(1).seconds(0);
      const parent = node.chain.head.block.header.timestamp;
      if (t < parent) throw new RpcError(-32000, `Timestamp ${t} is lower than the previous block's timestamp ${parent}`);
      if (t === parent && node.options.allowBlocksWithSameTimestamp !== true) {
        throw new RpcError(-32000, `Timestamp ${t} is equal to the previous block's timestamp. Enable the 'allowBlocksWithSameTimestamp' option to allow this`);
      }
      node.clock.nextTimestamp = t;
      // Hardhat's network answers with the timestamp, in decimal.
      return t.toString();
    },
    evm_snapshot: () => quantity(node.snapshots.take()),
    evm_revert: ([id]: unknown[]) => node.snapshots.revert(Number(parseQuantity(id, "snapshot id"))),
  };
}

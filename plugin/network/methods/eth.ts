/**
 * The eth_ methods that read the chain (accounts, blocks, transactions,
 * fees, state at a block tag), with net_ and web3_. Sending, calls and
 * signing are in eth-transactions.ts; logs, filters and subscriptions in
 * eth-filters.ts.
 */
import { bytesToHex, hexToBytes } from "@ethereumjs/util";

import { keccak256 } from "../../engine/hash";
import { balanceKey, infoKey, storageKey } from "../../engine/location";
import type { AccountInfo } from "../../engine/types";
import { EMPTY_ACCOUNT } from "../accounts";
import { Chain } from "../chain";
import type { MinedBlock } from "../chain";
import { RpcError } from "../errors";
import { effectiveGasPrice, formatBlock, formatPendingBlock, formatPendingTransaction, formatReceipt, formatTransaction, quantity } from "../format";
import type { Handlers, NetworkNode } from "../node";
import { ParamReader, parseQuantity } from "../params";

export function ethHandlers(node: NetworkNode): Handlers {
  return {
    web3_clientVersion: () => node.options.clientVersion,
    // Status queries Hardhat's network answers with constants (and its test runner asks at exit).
    eth_mining: () => false,
    eth_syncing: () => false,
    net_listening: () => true,
    net_peerCount: () => "0x0",
    net_version: () => node.chain.common.chainId().toString(),
    eth_chainId: () => quantity(node.chain.common.chainId()),
    eth_accounts: () => node.accounts.local,
    eth_blockNumber: () => quantity(node.chain.height),
    eth_coinbase: () => node.options.coinbase,
    eth_gasPrice: () => quantity(node.chain.pendingBaseFee() + 1_000_000_000n),
    eth_maxPriorityFeePerGas: () => quantity(1_000_000_000n),
    eth_feeHistory: async ([count, newest, percentiles]: unknown[]) => {
      const n = Number(parseQuantity(count, "block count"));
      if (n < 1 || n > 1024) throw new RpcError(-32602, `Block count must be from 1 to 1024, got ${n}`);
      // Like Hardhat's network, "pending" ends with the pending block (its rewards reported as 0).
      const pending = newest === "pending" ? (await node.miner.pendingBlock()).mined : undefined;
      const last = pending === undefined ? node.blockNumberOf(newest) : node.chain.height + 1;
      const first = Math.max(0, last - n + 1);
      const wanted = percentiles === undefined ? [] : (percentiles as unknown[]).map(Number);
      if (wanted.some((p, i) => !(p >= 0 && p <= 100) || (i > 0 && p < wanted[i - 1]))) {
        throw new RpcError(-32602, "Reward percentiles must be numbers from 0 to 100 in ascending order");
      }
      const baseFees: string[] = [];
      const ratios: number[] = [];
      const rewards: string[][] = [];
      let mined: MinedBlock | undefined;
      for (let b = first; b <= last; b++) {
        mined = b > node.chain.height ? pending! : node.chain.blockByNumber(b)!;
        const h = mined.block.header;
        baseFees.push(quantity(h.baseFeePerGas ?? 0n));
        ratios.push(Number(h.gasUsed) / Number(h.gasLimit));
        rewards.push(mined === pending ? wanted.map(() => "0x0") : rewardPercentiles(mined, wanted).map(quantity));
      }
      baseFees.push(quantity(mined!.block.header.calcNextBaseFee()));
      const out: Record<string, unknown> = { oldestBlock: quantity(first), baseFeePerGas: baseFees, gasUsedRatio: ratios };
      if (wanted.length > 0) out.reward = rewards;
      return out;
    },

    eth_getBalance: async (params: unknown[], method: string) => {
      const r = new ParamReader(method, params).count(1, 2);
      return quantity((await node.readAt(balanceKey(Chain.engineAddress(r.legacyAddress(0))), r.stateTag(1))) as bigint);
    },
    eth_getTransactionCount: (params: unknown[], method: string) => {
      const r = new ParamReader(method, params).count(1, 2);
      const [a, tag] = [r.legacyAddress(0), r.stateTag(1)];
      if (tag === "pending") return quantity(node.mempool.pendingNonce(a));
      return quantity((node.infoAt(a, node.positionAt(tag)) ?? EMPTY_ACCOUNT).nonce);
    },
    eth_getCode: async (params: unknown[], method: string) => {
      const r = new ParamReader(method, params).count(1, 2);
      const key = infoKey(Chain.engineAddress(r.legacyAddress(0)));
      const at = await node.stateFor(r.stateTag(1));
      const info = (typeof at === "number" ? node.chain.journal.readAt(key, at) : at.read(key)) as AccountInfo | null;
      const code = typeof at === "number" ? node.chain.state.code : at.code;
      return bytesToHex(info === null ? new Uint8Array() : (code.get(info.codeHash) ?? new Uint8Array()));
    },
    eth_getStorageAt: async (params: unknown[], method: string) => {
      const r = new ParamReader(method, params).count(2, 3);
      const key = storageKey(Chain.engineAddress(r.legacyAddress(0)), r.slot(1).toString(16).padStart(64, "0"));
      return bytesToHex(bigintTo32((await node.readAt(key, r.stateTag(2))) as bigint));
    },

    eth_getBlockByNumber: async (params: unknown[], method: string) => {
      const r = new ParamReader(method, params).count(2);
      r.blockTag(0);
      const [tag, full] = [params[0], r.boolean(1)];
      if (tag === "pending") return formatPendingBlock((await node.miner.pendingBlock()).mined, full);
      // Like Hardhat's network: a number above the latest block is not an error here (it is for state queries).
      if ((typeof tag === "string" || typeof tag === "number") && /^(0x[0-9a-fA-F]+|\d+)$/.test(String(tag)) && BigInt(tag) > BigInt(node.chain.height)) return null;
      return formatBlock(node.chain.blockByNumber(node.blockNumberOf(tag))!, full);
    },
    eth_getBlockByHash: (params: unknown[], method: string) => {
      const r = new ParamReader(method, params).count(2);
      const mined = node.chain.blockByHash(r.hash(0));
      const full = r.boolean(1);
      return mined === undefined ? null : formatBlock(mined, full);
    },
    eth_getTransactionByHash: (params: unknown[], method: string) => {
      const h = new ParamReader(method, params).count(1).hash(0);
      const found = node.chain.transaction(h);
      if (found !== undefined) return formatTransaction(found.mined.block.transactions[found.index], found.mined, found.index);
      const pending = node.mempool.byHash(h);
      return pending === undefined ? null : formatTransaction(pending);
    },
    eth_getTransactionReceipt: (params: unknown[], method: string) => {
      const found = node.chain.transaction(new ParamReader(method, params).count(1).hash(0));
      return found === undefined ? null : formatReceipt(found.mined, found.index);
    },

    eth_pendingTransactions: (params: unknown[], method: string) => {
      new ParamReader(method, params).count(0);
      return node.mempool.txs.map((tx) => formatTransaction(tx, undefined, undefined, node.mempool.senderOf(tx)));
    },
    eth_getBlockTransactionCountByNumber: async (params: unknown[], method: string) => {
      const found = await node.blockForTag(new ParamReader(method, params).count(1).blockTag(0));
      return found === null ? null : quantity(found.mined.block.transactions.length);
    },
    eth_getBlockTransactionCountByHash: (params: unknown[], method: string) => {
      const mined = node.chain.blockByHash(new ParamReader(method, params).count(1).hash(0));
      return mined === undefined ? null : quantity(mined.block.transactions.length);
    },
    eth_getTransactionByBlockNumberAndIndex: async (params: unknown[], method: string) => {
      const p = new ParamReader(method, params).count(2);
      const tag = p.blockTag(0);
      const index = p.quantity(1);
      const found = await node.blockForTag(tag);
      if (found === null || index >= BigInt(found.mined.block.transactions.length)) return null;
      return found.pending ? formatPendingTransaction(found.mined, Number(index)) : formatTransaction(found.mined.block.transactions[Number(index)], found.mined, Number(index));
    },
    eth_getTransactionByBlockHashAndIndex: (params: unknown[], method: string) => {
      const p = new ParamReader(method, params).count(2);
      const mined = node.chain.blockByHash(p.hash(0));
      const index = p.quantity(1);
      if (mined === undefined || index >= BigInt(mined.block.transactions.length)) return null;
      return formatTransaction(mined.block.transactions[Number(index)], mined, Number(index));
    },
    // Not in Hardhat's network (it answers -32004); here because scripts written for other clients call them. Blocks have no uncles.
    eth_getUncleCountByBlockNumber: async (params: unknown[], method: string) => ((await node.blockForTag(new ParamReader(method, params).count(1).blockTag(0))) === null ? null : "0x0"),
    eth_getUncleCountByBlockHash: (params: unknown[], method: string) => (node.chain.blockByHash(new ParamReader(method, params).count(1).hash(0)) === undefined ? null : "0x0"),
    web3_sha3: (params: unknown[], method: string) => bytesToHex(keccak256(hexToBytes(new ParamReader(method, params).count(1).bytes(0)))),
  };
}

/**
 * The effective priority fees paid at the given percentiles of a block's gas
 * limit (eth_feeHistory, as Hardhat's network computes them): transactions
 * sorted by tip, each weighted by its gas used.
 */
function rewardPercentiles(mined: MinedBlock, percentiles: number[]): bigint[] {
  const baseFee = mined.block.header.baseFeePerGas ?? 0n;
  const tips = mined.block.transactions
    .map((tx, i) => ({ tip: effectiveGasPrice(tx, baseFee) - baseFee, gas: mined.receipts[i].gasUsed }))
    .sort((a, b) => (a.tip < b.tip ? -1 : a.tip > b.tip ? 1 : 0));
  if (tips.length === 0) return percentiles.map(() => 0n);
  // Like Hardhat's network, the percentile is of the block's gas limit, not of the gas used: a block
  // that is not full answers with its highest tip at most percentiles.
  const gasLimit = Number(mined.block.header.gasLimit);
  return percentiles.map((p) => {
    const threshold = BigInt(Math.floor((p / 100) * gasLimit));
    let sum = 0n;
    for (const t of tips) {
      sum += t.gas;
      if (sum >= threshold) return t.tip;
    }
    return tips[tips.length - 1].tip;
  });
}

function bigintTo32(v: bigint): Uint8Array {
  return hexToBytes(`0x${v.toString(16).padStart(64, "0")}`);
}

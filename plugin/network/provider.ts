/**
 * The parallel network as an EIP-1193 provider: JSON-RPC over the Chain.
 * Transactions are mined as Hardhat mines them: with automine, each one in
 * its own block as it arrives; without, they wait in the mempool until
 * evm_mine / hardhat_mine mine them as one block (executed in parallel when
 * it holds enough transactions).
 *
 * Filters and subscriptions follow Hardhat's (filters.ts); the "pending"
 * block tag reads the block the mempool would make now (Chain.preview).
 *
 * The layout follows Hardhat's own network: this file is only the provider
 * (the request queue, dispatch to the method tables, close, notifications).
 * The state and the operations handlers share are a NetworkNode (node.ts),
 * made of the mempool (mempool.ts), the clock (clock.ts), the miner
 * (mining.ts), calls and estimates (calls.ts), snapshots (snapshots.ts) and
 * the accounts it signs for (accounts.ts). The handlers are tables by
 * namespace in methods/: eth_ is three files (reads with net_ and web3_;
 * transactions, calls and signing with personal_; logs and filters), since
 * one would be twice the size of the others.
 */
import { EventEmitter } from "node:events";

import type { Chain } from "./chain";
import { RpcError } from "./errors";
import { ethFilterHandlers } from "./methods/eth-filters";
import { ethTransactionHandlers } from "./methods/eth-transactions";
import { ethHandlers } from "./methods/eth";
import { evmHandlers } from "./methods/evm";
import { hardhatHandlers } from "./methods/hardhat";
import { parallelHandlers } from "./methods/parallel";
import { NetworkNode } from "./node";
import type { Handlers, NetworkOptions } from "./node";
import { RequestQueue } from "./queue";

export { RpcError, INTERNAL_ERROR, VERIFICATION_FAILED } from "./errors";
export type { NetworkOptions } from "./node";

/** Methods besides eth_get* that change nothing (so the pending block stays valid across them). */
const READS = new Set([
  "eth_call",
  "eth_estimateGas",
  "eth_blockNumber",
  "eth_chainId",
  "eth_accounts",
  "eth_coinbase",
  "eth_gasPrice",
  "eth_maxPriorityFeePerGas",
  "eth_feeHistory",
  "eth_pendingTransactions",
  "eth_mining",
  "eth_syncing",
  "net_version",
  "net_listening",
  "net_peerCount",
  "web3_clientVersion",
  "web3_sha3",
  "hardhat_metadata",
  "hardhat_getAutomine",
  "parallel_getBlockReport",
  "parallel_getVerification",
]);

export class ParallelNetworkProvider extends EventEmitter {
  /** Serializes requests that change the chain, so a block never interleaves with another request's edits. */
  private readonly queue = new RequestQueue();
  private readonly node: NetworkNode;
  private readonly handlers: Handlers;

  constructor(readonly options: NetworkOptions) {
    // An event emitter like every Hardhat provider: the wrappers Hardhat puts around it forward listener calls.
    super();
    this.node = new NetworkNode(options, (subscription, result) => this.notify(subscription, result), this.queue);
    this.handlers = {
      ...ethHandlers(this.node),
      ...ethTransactionHandlers(this.node),
      ...ethFilterHandlers(this.node),
      ...evmHandlers(this.node),
      ...hardhatHandlers(this.node),
      ...parallelHandlers(this.node),
    };
  }

  /** The chain (a new one after hardhat_reset). */
  get chain(): Chain {
    return this.node.chain;
  }

  /** EIP-1193 entry point. */
  request(args: { method: string; params?: unknown[] }): Promise<unknown> {
    return this.queue.run(() => this.dispatch(args.method, args.params ?? []));
  }

  async close(): Promise<void> {
    this.node.miner.setIntervalMining(undefined);
    await this.node.chain.close();
  }

  private async dispatch(method: string, params: unknown[]): Promise<unknown> {
    const handler = (this.handlers as Record<string, Handlers[string] | undefined>)[method];
    // -32004 and this text are what Hardhat's network answers for a method it does not know.
    if (handler === undefined) throw new RpcError(-32004, `Method ${method} is not supported`, { method, params });
    // Anything but a read may change what the pending block would be.
    if (!method.startsWith("eth_get") && !READS.has(method)) this.node.miner.forgetPending();
    return handler.call(this, params, method);
  }

  /** A subscription event, delivered as Hardhat's provider delivers it: a legacy `notification` and an EIP-1193 `message`. */
  private notify(subscription: string, result: unknown): void {
    // After the current step, never inside mining: a throwing listener cannot break a request.
    queueMicrotask(() => {
      this.emit("notification", { subscription, result });
      this.emit("message", { type: "eth_subscription", data: { subscription, result } });
    });
  }
}

/**
 * The parallel network as an EIP-1193 provider: JSON-RPC over the Chain.
 * Transactions are mined as Hardhat mines them: with automine, each one in
 * its own block as it arrives; without, they wait in the mempool until
 * evm_mine / hardhat_mine mine them as one block (executed in parallel when
 * it holds enough transactions).
 *
 * This is the network's first increment: the methods below, local accounts
 * (signed here) and raw transactions. Impersonation, filters, console.log
 * and Hardhat's exact error texts come next (issue 4).
 */
import { createBlock } from "@ethereumjs/block";
import { EventEmitter } from "node:events";
import { createTx, createTxFromRLP } from "@ethereumjs/tx";
import type { TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex, hexToBytes, privateToAddress } from "@ethereumjs/util";

import { BlockOverlay } from "../engine/block-overlay";
import { EMPTY_CODE_HASH, StateDiff } from "../engine/flat-state";
import { balanceKey, infoKey, storageKey } from "../engine/location";
import { TxExecutor } from "../engine/tx-executor";
import { withSender } from "../engine/prepare";
import { Wallet, getAddress } from "ethers";
import type { TypedDataDomain, TypedDataField } from "ethers";
import type { AccountInfo } from "../engine/types";
import { Chain } from "./chain";
import type { ChainOptions } from "./chain";
import { effectiveGasPrice, formatBlock, formatLogs, formatReceipt, formatTransaction, quantity } from "./format";
import type { MinedBlock } from "./chain";
import { keccak256 } from "../engine/hash";
import { RpcError, executionFailure } from "./errors";
import type { CustomErrorDecoder } from "./errors";

export { RpcError } from "./errors";

export interface NetworkOptions extends ChainOptions {
  /** Private keys (0x hex) of the accounts eth_sendTransaction may sign for. */
  localAccounts: string[];
  automine: boolean;
  /** Client string for web3_clientVersion. */
  clientVersion: string;
  /** Names custom errors in revert messages (from the project's artifacts). */
  errorDecoder?: CustomErrorDecoder;
  /** Prints Solidity console.log calls (their calldata), as Hardhat's network does; absent: not printed. */
  printConsoleLogs?: (calls: Uint8Array[]) => void;
  /** Interval mining: a block every this many ms, or a random delay in [min, max] ms; 0 or absent: off. */
  intervalMining?: number | [number, number];
  /** Block order across senders (Hardhat's `mining.mempool.order`): highest tip first (default) or arrival. */
  mempoolOrder?: "priority" | "fifo";
}

interface Snapshot {
  block: number;
  position: number;
  mempool: TypedTransaction[];
  timeOffset: bigint;
  nextTimestamp?: bigint;
}

/** EIP-7825's per-transaction gas cap (Osaka). */
const MAX_TX_GAS = 16_777_216n;

const EMPTY_ACCOUNT: AccountInfo = { nonce: 0n, codeHash: EMPTY_CODE_HASH, hasStorage: false };

export class ParallelNetworkProvider extends EventEmitter {
  chain: Chain;
  /** The options as given, for hardhat_reset (evm_setBlockGasLimit changes the live ones). */
  private readonly initial: NetworkOptions;
  private automine: boolean;
  private readonly mempool: TypedTransaction[] = [];
  private readonly signers = new Map<string, Uint8Array>();
  /** Accounts eth_sendTransaction may send from without a key (hardhat_impersonateAccount). */
  private readonly impersonated = new Set<string>();
  /** Senders of transactions sent from impersonated accounts (their signatures are placeholders). */
  private readonly givenSenders = new WeakMap<TypedTransaction, string>();
  private readonly snapshots = new Map<number, Snapshot>();
  private nextSnapshotId = 1;
  /** Seconds added to the wall clock (evm_increaseTime). */
  private timeOffset = 0n;
  private nextTimestamp?: bigint;
  private callExecutor?: Promise<TxExecutor>;
  /** Serializes requests that change the chain, so a block never interleaves with another request's edits. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly options: NetworkOptions) {
    // An event emitter like every Hardhat provider: the wrappers Hardhat puts around it forward listener calls.
    super();
    this.initial = { ...options };
    this.chain = new Chain(options);
    this.automine = options.automine;
    this.setIntervalMining(options.intervalMining);
    for (const key of options.localAccounts) {
      const bytes = hexToBytes(key as `0x${string}`);
      this.signers.set(bytesToHex(privateToAddress(bytes)), bytes);
    }
  }

  private intervalTimer?: NodeJS.Timeout;
  /** Bumped by every change of the interval, so a timer of an older setting never reschedules itself. */
  private intervalGeneration = 0;

  /** Mines a block (the mempool, or an empty one) every interval, as Hardhat's interval mining does. */
  private setIntervalMining(interval: number | [number, number] | undefined): void {
    clearTimeout(this.intervalTimer);
    this.intervalTimer = undefined;
    const generation = ++this.intervalGeneration;
    const [min, max] = interval === undefined ? [0, 0] : typeof interval === "number" ? [interval, interval] : interval;
    if (max <= 0) return;
    const schedule = () => {
      this.intervalTimer = setTimeout(() => {
        this.queue = this.queue.then(() => this.mineMempool()).catch(() => undefined);
        void this.queue.then(() => generation === this.intervalGeneration && schedule());
      }, min + Math.floor(Math.random() * (max - min + 1)));
      // Interval mining never keeps the process alive on its own.
      this.intervalTimer.unref();
    };
    schedule();
  }

  /** EIP-1193 entry point. */
  request(args: { method: string; params?: unknown[] }): Promise<unknown> {
    const run = this.queue.then(() => this.dispatch(args.method, args.params ?? []));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.setIntervalMining(undefined);
    await this.chain.close();
  }

  private async dispatch(method: string, params: unknown[]): Promise<unknown> {
    const handler = (this.handlers as Record<string, ((p: unknown[]) => unknown) | undefined>)[method];
    // -32004 and this text are what Hardhat's network answers for a method it does not know.
    if (handler === undefined) throw new RpcError(-32004, `Method ${method} is not supported`, { method, params });
    return handler.call(this, params);
  }

  // ---- helpers ---------------------------------------------------------------

  private now(): bigint {
    return BigInt(Math.floor(Date.now() / 1000)) + this.timeOffset;
  }

  /** Timestamp the next block would get: the one set with evm_setNextBlockTimestamp, else the clock, always after the parent. */
  private peekTimestamp(): bigint {
    const parent = this.chain.head.block.header.timestamp;
    const wanted = this.nextTimestamp ?? this.now();
    return wanted > parent ? wanted : parent + 1n;
  }

  /** The next block's timestamp, for a block being mined now (a set timestamp is used once). */
  private takeTimestamp(): bigint {
    const t = this.peekTimestamp();
    this.nextTimestamp = undefined;
    return t;
  }

  /** Journal position of a block tag ("latest", "pending", "earliest", a number or a block hash). */
  private positionAt(tag: unknown): number {
    return this.chain.positionOf(this.blockNumberOf(tag ?? "latest"));
  }

  private blockNumberOf(tag: unknown): number {
    if (tag === "latest" || tag === "pending" || tag === "safe" || tag === "finalized") return this.chain.height;
    if (tag === "earliest") return 0;
    if (typeof tag === "object" && tag !== null) {
      const t = tag as { blockNumber?: string; blockHash?: string };
      if (t.blockHash !== undefined) return this.blockNumberOf(t.blockHash);
      if (t.blockNumber !== undefined) return this.blockNumberOf(t.blockNumber);
    }
    if (typeof tag === "string" && /^0x[0-9a-fA-F]{64}$/.test(tag)) {
      const mined = this.chain.blockByHash(tag);
      if (mined === undefined) throw new RpcError(-32000, `Block with hash ${tag} not found`);
      return Number(mined.block.header.number);
    }
    const n = Number(parseQuantity(tag, "block tag"));
    if (n > this.chain.height) throw new RpcError(-32000, `Received invalid block tag ${n}. Latest block number is ${this.chain.height}`);
    return n;
  }

  private infoAt(address: string, position: number): AccountInfo | null {
    return this.chain.journal.readAt(infoKey(Chain.engineAddress(address)), position) as AccountInfo | null;
  }

  private readonly senders = new WeakMap<TypedTransaction, string>();

  /** The sender as lowercase hex, recovered once per transaction (the mempool asks for it on every request). */
  private senderOf(tx: TypedTransaction): string {
    let sender = this.senders.get(tx);
    if (sender === undefined) this.senders.set(tx, (sender = tx.getSenderAddress().toString()));
    return sender;
  }

  private pendingNonce(address: string): bigint {
    let nonce = (this.infoAt(address, this.chain.journal.position) ?? EMPTY_ACCOUNT).nonce;
    for (const tx of this.mempool) if (this.senderOf(tx) === address && tx.nonce >= nonce) nonce = tx.nonce + 1n;
    return nonce;
  }

  /** Runs a message against the latest state without keeping its effects (eth_call, eth_estimateGas). */
  private async simulate(call: CallRequest, requestedGas: bigint) {
    // Osaka caps a transaction's gas (EIP-7825); a call with more would not even parse.
    const gasLimit = this.chain.common.isActivatedEIP(7825) && requestedGas > MAX_TX_GAS ? MAX_TX_GAS : requestedGas;
    const executor = await (this.callExecutor ??= TxExecutor.create(this.chain.common, new Map()));
    const header = this.chain.pendingHeader(this.peekTimestamp());
    // Calls pay nothing: a zero base fee lets a zero gas price through.
    const block = createBlock({ header: { ...header, baseFeePerGas: 0n } }, { common: this.chain.common, setHardfork: false });
    const tx = createTx(
      { type: 2, to: call.to, data: call.data, value: call.value, gasLimit, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n, nonce: this.pendingNonce(call.from) },
      { common: this.chain.common, freeze: false },
    );
    withSender(tx, call.from);
    const overlay = new BlockOverlay(this.chain.stateAt(call.blockNumber ?? this.chain.height));
    const outcome = await executor.run(block, tx, 0, 0, overlay.sourceFor(), { skipNonce: true, skipBalance: true });
    if (outcome.kind !== "executed") throw new RpcError(-32000, outcome.kind === "invalid" ? outcome.error : "call could not run");
    return outcome.receipt;
  }

  /** Checks a transaction against the pending state before it enters the mempool. */
  private validate(tx: TypedTransaction): void {
    if (!tx.isSigned()) throw new RpcError(-32000, "Transaction is not signed");
    if (tx.common.chainId() !== this.chain.common.chainId()) {
      throw new RpcError(-32602, `Trying to send a raw transaction with an invalid chainId. The expected chainId is ${this.chain.common.chainId()}`);
    }
    const sender = this.senderOf(tx);
    const expected = this.pendingNonce(sender);
    if (tx.nonce < expected) throw new RpcError(-32000, `Nonce too low. Expected nonce to be ${expected} but got ${tx.nonce}.`);
    if (tx.gasLimit > this.options.blockGasLimit) {
      throw new RpcError(-32000, `Transaction gas limit is ${tx.gasLimit} and exceeds block gas limit of ${this.options.blockGasLimit}`);
    }
    const intrinsic = tx.getIntrinsicGas();
    if (tx.gasLimit < intrinsic) throw new RpcError(-32000, `Transaction requires at least ${intrinsic} gas but got ${tx.gasLimit}`);
    const balance = this.chain.state.balance(Chain.engineAddress(sender));
    const cost = tx.getUpfrontCost();
    if (balance < cost) {
      throw new RpcError(-32000, `Sender doesn't have enough funds to send tx. The max upfront cost is: ${cost} and the sender's balance is: ${balance}.`);
    }
  }

  private async submit(tx: TypedTransaction): Promise<string> {
    this.validate(tx);
    const hash = bytesToHex(tx.hash());
    this.mempool.push(tx);
    if (!this.automine) return hash;
    await this.mineMempool();
    // Like Hardhat: a failed transaction is mined (status 0), then reported.
    const mined = this.chain.transaction(hash);
    const receipt = mined?.mined.receipts[mined.index];
    if (receipt !== undefined && receipt.status === 0) throw executionFailure(receipt.error, receipt.returnValue, hash, this.options.errorDecoder);
    return hash;
  }

  /**
   * Mines the mempool's ready transactions as one block, in Hardhat's order:
   * each sender's transactions in nonce order; across senders, the highest
   * miner tip (for the next block's base fee) first, ties in arrival order
   * (`mempoolOrder: "priority"`, Hardhat's default), or arrival order only
   * ("fifo").
   */
  private async mineMempool(): Promise<void> {
    const baseFee = (this.chain.pendingHeader(this.peekTimestamp()).baseFeePerGas as bigint | undefined) ?? 0n;
    const byTip = this.options.mempoolOrder !== "fifo";
    const arrival = new Map(this.mempool.map((tx, i) => [tx, i]));
    // Each sender's transactions by nonce (nonces are unique in the mempool), with the next one to include.
    const queues = new Map<string, { txs: TypedTransaction[]; next: number; nonce: bigint }>();
    for (const tx of this.mempool) {
      const sender = this.senderOf(tx);
      let queue = queues.get(sender);
      if (queue === undefined) {
        queue = { txs: [], next: 0, nonce: (this.infoAt(sender, this.chain.journal.position) ?? EMPTY_ACCOUNT).nonce };
        queues.set(sender, queue);
      }
      queue.txs.push(tx);
    }
    for (const queue of queues.values()) {
      queue.txs.sort((a, b) => (a.nonce < b.nonce ? -1 : a.nonce > b.nonce ? 1 : 0));
      while (queue.next < queue.txs.length && queue.txs[queue.next].nonce < queue.nonce) queue.next++;
    }
    const ready: TypedTransaction[] = [];
    let gas = 0n;
    for (;;) {
      let best: { tx: TypedTransaction; queue: { next: number; nonce: bigint }; tip: bigint } | undefined;
      for (const queue of queues.values()) {
        const tx = queue.txs[queue.next];
        if (tx === undefined || tx.nonce !== queue.nonce || gas + tx.gasLimit > this.options.blockGasLimit) continue;
        const tip = byTip ? effectiveGasPrice(tx, baseFee) - baseFee : 0n;
        if (best === undefined || tip > best.tip || (tip === best.tip && arrival.get(tx)! < arrival.get(best.tx)!)) best = { tx, queue, tip };
      }
      if (best === undefined) break;
      ready.push(best.tx);
      gas += best.tx.gasLimit;
      best.queue.next++;
      best.queue.nonce++;
    }
    const included = new Set(ready);
    const waiting = this.mempool.filter((tx) => !included.has(tx));
    this.mempool.length = 0;
    this.mempool.push(...waiting);
    const given = new Map<number, string>();
    ready.forEach((tx, i) => {
      const sender = this.givenSenders.get(tx);
      if (sender !== undefined) given.set(i, sender);
    });
    const mined = await this.chain.mine(ready, this.takeTimestamp(), ready.map((tx) => this.senderOf(tx)), given.size > 0 ? given : undefined);
    for (const r of mined.receipts) this.printLogs(r.consoleLogs);
  }

  /** A local account's key as an ethers wallet, for the signing methods. */
  private wallet(address: unknown): Wallet {
    const a = parseAddress(address);
    const key = this.signers.get(a);
    if (key === undefined) throw new RpcError(-32000, `Unknown account ${getAddress(a)}`);
    return new Wallet(bytesToHex(key));
  }

  private printLogs(calls: Uint8Array[] | undefined): void {
    if (calls !== undefined && calls.length > 0) this.options.printConsoleLogs?.(calls);
  }

  private editAccount(address: string, edit: (diff: StateDiff, addr: string, info: AccountInfo) => void): void {
    const addr = Chain.engineAddress(parseAddress(address));
    const info = this.chain.state.info(addr) ?? EMPTY_ACCOUNT;
    const diff = new StateDiff();
    if (this.chain.state.info(addr) === null) {
      diff.entries.set(infoKey(addr), info);
      diff.entries.set(balanceKey(addr), 0n);
    }
    edit(diff, addr, info);
    this.chain.edit(diff);
  }

  // ---- methods ---------------------------------------------------------------

  private readonly handlers = {
    web3_clientVersion: () => this.options.clientVersion,
    // Status queries Hardhat's network answers with constants (and its test runner asks at exit).
    eth_mining: () => false,
    eth_syncing: () => false,
    net_listening: () => true,
    net_peerCount: () => "0x0",
    hardhat_getStackTraceFailuresCount: () => 0,
    net_version: () => this.chain.common.chainId().toString(),
    eth_chainId: () => quantity(this.chain.common.chainId()),
    eth_accounts: () => [...this.signers.keys()],
    eth_blockNumber: () => quantity(this.chain.height),
    eth_coinbase: () => this.options.coinbase,
    eth_gasPrice: () => quantity(this.chain.pendingHeader(this.peekTimestamp()).baseFeePerGas as bigint + 1_000_000_000n),
    eth_maxPriorityFeePerGas: () => quantity(1_000_000_000n),
    eth_feeHistory: ([count, newest, percentiles]: unknown[]) => {
      const n = Number(parseQuantity(count, "block count"));
      if (n < 1 || n > 1024) throw new RpcError(-32602, `Block count must be from 1 to 1024, got ${n}`);
      const last = this.blockNumberOf(newest);
      const first = Math.max(0, last - n + 1);
      const wanted = percentiles === undefined ? [] : (percentiles as unknown[]).map(Number);
      if (wanted.some((p, i) => !(p >= 0 && p <= 100) || (i > 0 && p < wanted[i - 1]))) {
        throw new RpcError(-32602, "Reward percentiles must be numbers from 0 to 100 in ascending order");
      }
      const baseFees: string[] = [];
      const ratios: number[] = [];
      const rewards: string[][] = [];
      for (let b = first; b <= last; b++) {
        const mined = this.chain.blockByNumber(b)!;
        const h = mined.block.header;
        baseFees.push(quantity(h.baseFeePerGas ?? 0n));
        ratios.push(Number(h.gasUsed) / Number(h.gasLimit));
        rewards.push(rewardPercentiles(mined, wanted).map(quantity));
      }
      baseFees.push(quantity(this.chain.blockByNumber(last)!.block.header.calcNextBaseFee()));
      const out: Record<string, unknown> = { oldestBlock: quantity(first), baseFeePerGas: baseFees, gasUsedRatio: ratios };
      if (wanted.length > 0) out.reward = rewards;
      return out;
    },

    eth_getBalance: ([address, tag]: unknown[]) => quantity(this.chain.journal.readAt(balanceKey(Chain.engineAddress(parseAddress(address))), this.positionAt(tag)) as bigint),
    eth_getTransactionCount: ([address, tag]: unknown[]) => {
      const a = parseAddress(address);
      if (tag === "pending") return quantity(this.pendingNonce(a));
      return quantity((this.infoAt(a, this.positionAt(tag)) ?? EMPTY_ACCOUNT).nonce);
    },
    eth_getCode: ([address, tag]: unknown[]) => {
      const info = this.infoAt(parseAddress(address), this.positionAt(tag));
      return bytesToHex(info === null ? new Uint8Array() : (this.chain.state.code.get(info.codeHash) ?? new Uint8Array()));
    },
    eth_getStorageAt: ([address, slot, tag]: unknown[]) => {
      const key = storageKey(Chain.engineAddress(parseAddress(address)), parseQuantity(slot, "storage slot").toString(16).padStart(64, "0"));
      return bytesToHex(bigintTo32(this.chain.journal.readAt(key, this.positionAt(tag)) as bigint));
    },

    eth_getBlockByNumber: ([tag, full]: unknown[]) => {
      // Like Hardhat's network: a number above the latest block is not an error here (it is for state queries).
      if ((typeof tag === "string" || typeof tag === "number") && /^(0x[0-9a-fA-F]+|\d+)$/.test(String(tag)) && BigInt(tag) > BigInt(this.chain.height)) return null;
      const n = tag === "pending" ? undefined : this.blockNumberOf(tag);
      return n === undefined ? null : formatBlock(this.chain.blockByNumber(n)!, full === true);
    },
    eth_getBlockByHash: ([hash, full]: unknown[]) => {
      const mined = this.chain.blockByHash(parseData(hash, "block hash"));
      return mined === undefined ? null : formatBlock(mined, full === true);
    },
    eth_getTransactionByHash: ([hash]: unknown[]) => {
      const h = parseData(hash, "transaction hash");
      const found = this.chain.transaction(h);
      if (found !== undefined) return formatTransaction(found.mined.block.transactions[found.index], found.mined, found.index);
      const pending = this.mempool.find((tx) => bytesToHex(tx.hash()) === h);
      return pending === undefined ? null : formatTransaction(pending);
    },
    eth_getTransactionReceipt: ([hash]: unknown[]) => {
      const found = this.chain.transaction(parseData(hash, "transaction hash"));
      return found === undefined ? null : formatReceipt(found.mined, found.index);
    },

    eth_sendRawTransaction: async ([raw]: unknown[]) => {
      let tx: TypedTransaction;
      const bytes = hexToBytes(parseData(raw, "raw transaction"));
      try {
        tx = createTxFromRLP(bytes, { common: this.chain.common });
      } catch (e) {
        const message = (e as Error).message;
        if (/chain ?id/i.test(message)) {
          throw new RpcError(-32602, `Trying to send a raw transaction with an invalid chainId. The expected chainId is ${this.chain.common.chainId()}`);
        }
        throw new RpcError(-32602, `Invalid raw transaction: ${message}`);
      }
      return this.submit(tx);
    },
    eth_sendTransaction: async ([request]: unknown[]) => {
      const r = parseCallRequest(request, true);
      const key = this.signers.get(r.from);
      if (key === undefined && !this.impersonated.has(r.from)) throw new RpcError(-32000, `Unknown account ${getAddress(r.from)}`);
      const header = this.chain.pendingHeader(this.peekTimestamp());
      const gasLimit = r.gas ?? (await this.estimate(r));
      const common = { to: r.to, data: r.data, value: r.value, gasLimit, nonce: r.nonce ?? this.pendingNonce(r.from) };
      // Only a gasPrice: a legacy (EIP-155) transaction, as Hardhat's network sends it; otherwise EIP-1559.
      // Impersonated senders get a placeholder signature (unique per sender, so hashes do not collide) and a given sender.
      const txOptions = { common: this.chain.common, freeze: key !== undefined };
      const unsigned =
        r.gasPrice !== undefined && r.maxFeePerGas === undefined
          ? createTx({ type: 0, ...common, gasPrice: r.gasPrice }, txOptions)
          : createTx(
              {
                type: 2,
                ...common,
                maxPriorityFeePerGas: r.maxPriorityFeePerGas ?? 1_000_000_000n,
                maxFeePerGas: r.maxFeePerGas ?? (header.baseFeePerGas as bigint) * 2n + 1_000_000_000n,
                chainId: this.chain.common.chainId(),
              },
              txOptions,
            );
      if (key !== undefined) return this.submit(unsigned.sign(key));
      const placeholder = withSender(unsigned.addSignature(0n, BigInt(r.from), 1n, true), r.from);
      this.givenSenders.set(placeholder, r.from);
      return this.submit(placeholder);
    },
    eth_getLogs: ([filter]: unknown[]) => {
      if (typeof filter !== "object" || filter === null) throw new RpcError(-32602, "eth_getLogs expects a filter object");
      const f = filter as { fromBlock?: unknown; toBlock?: unknown; blockHash?: unknown; address?: unknown; topics?: unknown };
      let from: number;
      let to: number;
      if (f.blockHash !== undefined) {
        const mined = this.chain.blockByHash(parseData(f.blockHash, "blockHash"));
        if (mined === undefined) throw new RpcError(-32000, `Block with hash ${String(f.blockHash)} not found`);
        from = to = Number(mined.block.header.number);
      } else {
        from = this.blockNumberOf(f.fromBlock ?? "latest");
        to = this.blockNumberOf(f.toBlock ?? "latest");
      }
      const addresses = f.address === undefined || f.address === null ? undefined : (Array.isArray(f.address) ? f.address : [f.address]).map(parseAddress);
      const topics = Array.isArray(f.topics) ? (f.topics as unknown[]).map((t) => (t === null ? null : (Array.isArray(t) ? t : [t]).map((x) => parseData(x, "topic")))) : [];
      const out: Record<string, unknown>[] = [];
      for (const mined of this.chain.executedBlocks(from, to)) {
        let logIndex = 0;
        mined.receipts.forEach((receipt, i) => {
          const first = logIndex;
          logIndex += receipt.logs.length;
          // Match on the raw logs; format only what is returned.
          const wanted = receipt.logs.flatMap(([address, logTopics], k) => {
            if (addresses !== undefined && !addresses.includes(bytesToHex(address) as Hex)) return [];
            if (topics.some((want, t) => want !== null && (logTopics[t] === undefined || !want.includes(bytesToHex(logTopics[t]) as Hex)))) return [];
            return [k];
          });
          if (wanted.length === 0) return;
          const formatted = formatLogs(mined, i, first);
          for (const k of wanted) out.push(formatted[k]);
        });
      }
      return out;
    },
    eth_call: async ([request, tag]: unknown[]) => {
      const r = { ...parseCallRequest(request, false), blockNumber: this.blockNumberOf(tag ?? "latest") };
      const receipt = await this.simulate(r, r.gas ?? this.options.blockGasLimit);
      this.printLogs(receipt.consoleLogs);
      if (receipt.status === 0) throw executionFailure(receipt.error, receipt.returnValue, undefined, this.options.errorDecoder);
      return bytesToHex(receipt.returnValue);
    },
    eth_estimateGas: async ([request]: unknown[]) => quantity(await this.estimate(parseCallRequest(request, false))),

    evm_mine: async ([timestamp]: unknown[]) => {
      if (timestamp !== undefined) this.nextTimestamp = parseQuantity(timestamp, "timestamp");
      await this.mineMempool();
      return "0";
    },
    hardhat_mine: async ([count, interval]: unknown[]) => {
      const n = Number(count === undefined ? 1n : parseQuantity(count, "block count"));
      const step = interval === undefined ? 1n : parseQuantity(interval, "interval");
      if (n === 0) return true;
      // As Hardhat's network mines them: the first block as usual (with the mempool's transactions), the
      // ones in between reserved (built on demand, all with the base fee that follows the first), the last
      // as usual again, `interval` seconds after the one before it.
      await this.mineMempool();
      if (n === 1) return true;
      const first = this.chain.head.block.header.timestamp;
      await this.chain.reserve(n - 2, first + step, step);
      this.nextTimestamp = first + BigInt(n - 1) * step;
      await this.mineMempool();
      return true;
    },
    evm_setAutomine: ([enabled]: unknown[]) => {
      this.automine = enabled === true;
      return true;
    },
    hardhat_getAutomine: () => this.automine,
    evm_setIntervalMining: ([interval]: unknown[]) => {
      const valid = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
      if (!(valid(interval) || (Array.isArray(interval) && interval.length === 2 && interval.every(valid) && interval[0] <= interval[1]))) {
        throw new RpcError(-32602, `Interval must be a number of milliseconds or a [min, max] pair, got ${JSON.stringify(interval)}`);
      }
      this.setIntervalMining(interval as number | [number, number]);
      return true;
    },
    hardhat_impersonateAccount: ([address]: unknown[]) => {
      this.impersonated.add(parseAddress(address));
      return true;
    },
    hardhat_stopImpersonatingAccount: ([address]: unknown[]) => this.impersonated.delete(parseAddress(address)),
    evm_setBlockGasLimit: ([limit]: unknown[]) => {
      const l = parseQuantity(limit, "block gas limit");
      if (l === 0n) throw new RpcError(-32602, "Block gas limit must be greater than 0");
      this.options.blockGasLimit = l;
      return true;
    },
    evm_increaseTime: ([seconds]: unknown[]) => {
      this.timeOffset += BigInt(Number(seconds));
      return String(this.timeOffset);
    },
    evm_setNextBlockTimestamp: ([timestamp]: unknown[]) => {
      const t = parseQuantity(timestamp, "timestamp");
      if (t <= this.chain.head.block.header.timestamp) {
        throw new RpcError(-32000, `Timestamp ${t} is lower than or equal to previous block's timestamp ${this.chain.head.block.header.timestamp}`);
      }
      this.nextTimestamp = t;
      return null;
    },
    evm_snapshot: () => {
      const id = this.nextSnapshotId++;
      this.snapshots.set(id, {
        block: this.chain.height,
        position: this.chain.journal.position,
        mempool: [...this.mempool],
        timeOffset: this.timeOffset,
        nextTimestamp: this.nextTimestamp,
      });
      return quantity(id);
    },
    evm_revert: ([id]: unknown[]) => {
      const n = Number(parseQuantity(id, "snapshot id"));
      const snap = this.snapshots.get(n);
      if (snap === undefined) return false;
      this.chain.rewind(snap.block, snap.position);
      this.mempool.length = 0;
      this.mempool.push(...snap.mempool);
      this.timeOffset = snap.timeOffset;
      this.nextTimestamp = snap.nextTimestamp;
      // A snapshot is used up by reverting to it, and so is every later one.
      for (const k of [...this.snapshots.keys()]) if (k >= n) this.snapshots.delete(k);
      return true;
    },

    hardhat_setBalance: ([address, balance]: unknown[]) => {
      this.editAccount(parseAddress(address), (diff, addr) => diff.entries.set(balanceKey(addr), parseQuantity(balance, "balance")));
      return true;
    },
    hardhat_setNonce: ([address, nonce]: unknown[]) => {
      this.editAccount(parseAddress(address), (diff, addr, info) => diff.entries.set(infoKey(addr), { ...info, nonce: parseQuantity(nonce, "nonce") }));
      return true;
    },
    hardhat_setCode: ([address, code]: unknown[]) => {
      const bytes = hexToBytes(parseData(code, "code") as `0x${string}`);
      const codeHash = bytesToHex(keccak256(bytes));
      this.editAccount(parseAddress(address), (diff, addr, info) => {
        diff.code.set(codeHash, bytes);
        diff.entries.set(infoKey(addr), { ...info, codeHash });
      });
      return true;
    },
    hardhat_setStorageAt: ([address, slot, value]: unknown[]) => {
      const v = parseData(value, "storage value");
      if (v.length !== 66) throw new RpcError(-32602, `Storage value must be exactly 32 bytes, got ${(v.length - 2) / 2}`);
      this.editAccount(parseAddress(address), (diff, addr) =>
        diff.entries.set(storageKey(addr, parseQuantity(slot, "storage slot").toString(16).padStart(64, "0")), BigInt(v)),
      );
      return true;
    },
    /** A fresh chain from the configured genesis (same accounts, same genesis block), as Hardhat's reset does without forking. */
    hardhat_reset: async ([params]: unknown[]) => {
      if (typeof params === "object" && params !== null && "forking" in params) {
        throw new RpcError(-32602, "hardhat_reset with forking is not supported by the parallel network yet; run without HARDHAT_PARALLEL to fork");
      }
      await this.chain.close();
      Object.assign(this.options, this.initial);
      this.chain = new Chain(this.options);
      this.automine = this.initial.automine;
      this.mempool.length = 0;
      this.snapshots.clear();
      this.nextSnapshotId = 1;
      this.timeOffset = 0n;
      this.nextTimestamp = undefined;
      this.impersonated.clear();
      this.setIntervalMining(this.initial.intervalMining);
      return true;
    },
    hardhat_setNextBlockBaseFeePerGas: ([fee]: unknown[]) => {
      this.chain.nextBaseFee = parseQuantity(fee, "base fee");
      return true;
    },
    personal_sign: async ([message, address]: unknown[]) => this.wallet(address).signMessage(hexToBytes(parseData(message, "message"))),
    eth_sign: async ([address, message]: unknown[]) => this.wallet(address).signMessage(hexToBytes(parseData(message, "message"))),
    eth_signTypedData_v4: async ([address, typedData]: unknown[]) => {
      let data: { domain: TypedDataDomain; types: Record<string, TypedDataField[]>; message: Record<string, unknown> };
      try {
        data = typeof typedData === "string" ? JSON.parse(typedData) : (typedData as typeof data);
      } catch (e) {
        throw new RpcError(-32602, `Invalid typed data: ${(e as Error).message}`);
      }
      // ethers derives the domain type itself and rejects an explicit one.
      const { EIP712Domain: _domain, ...types } = data.types ?? {};
      return this.wallet(address).signTypedData(data.domain ?? {}, types, data.message ?? {});
    },
    hardhat_metadata: () => ({
      clientVersion: this.options.clientVersion,
      chainId: Number(this.chain.common.chainId()),
      instanceId: bytesToHex(this.chain.hashOf(0)),
      latestBlockNumber: this.chain.height,
      latestBlockHash: this.chain.head.hash,
    }),

    /** The engine's report for a block: how it executed and what each transaction read and wrote. */
    parallel_getBlockReport: ([tag]: unknown[]) => {
      const mined = this.chain.blockByNumber(this.blockNumberOf(tag ?? "latest"))!;
      const stats = mined.result.stats;
      return {
        number: quantity(mined.block.header.number),
        mode: stats?.mode ?? "genesis",
        fallbackReason: stats?.fallbackReason ?? null,
        workers: stats?.workers ?? 0,
        reexecutions: stats?.reexecutions ?? 0,
        executionMs: stats?.executionMs ?? 0,
        transactions: mined.receipts.map((r, i) => ({
          hash: r.txHash,
          incarnations: stats?.txs[i]?.incarnations ?? 1,
          reads: mined.result.reads[i]?.length ?? 0,
          writes: mined.result.writeSets[i]?.writes.length ?? 0,
        })),
      };
    },
  };

  private async estimate(r: CallRequest): Promise<bigint> {
    const requested = r.gas ?? this.options.blockGasLimit;
    const cap = this.chain.common.isActivatedEIP(7825) && requested > MAX_TX_GAS ? MAX_TX_GAS : requested;
    const first = await this.simulate(r, cap);
    // Like Hardhat: an estimate prints its console.log output only when it fails.
    if (first.status === 0) this.printLogs(first.consoleLogs);
    if (first.status === 0) throw executionFailure(first.error, first.returnValue, undefined, this.options.errorDecoder);
    // The smallest limit that still succeeds: refunds and the 63/64 rule make gasUsed alone too low.
    let low = first.gasUsed - 1n;
    let high = cap;
    if ((await this.simulate(r, first.gasUsed)).status === 1) return first.gasUsed;
    while (high - low > 1n) {
      const mid = (low + high) / 2n;
      if ((await this.simulate(r, mid)).status === 1) high = mid;
      else low = mid;
    }
    return high;
  }
}

type Hex = `0x${string}`;

interface CallRequest {
  /** The block whose state a call runs on (default: latest). */
  blockNumber?: number;
  from: Hex;
  to?: Hex;
  data?: Hex;
  value?: bigint;
  gas?: bigint;
  nonce?: bigint;
  gasPrice?: bigint;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
}

const ZERO_ADDRESS: Hex = "0x0000000000000000000000000000000000000000";

function parseCallRequest(request: unknown, needFrom: boolean): CallRequest {
  if (typeof request !== "object" || request === null) throw new RpcError(-32602, "Invalid transaction request: expected an object");
  const r = request as Record<string, unknown>;
  if (needFrom && r.from === undefined) throw new RpcError(-32602, "Missing \"from\" field in the transaction request");
  return {
    from: r.from === undefined ? ZERO_ADDRESS : parseAddress(r.from),
    to: r.to === undefined || r.to === null ? undefined : parseAddress(r.to),
    data: r.data !== undefined ? parseData(r.data, "data") : r.input !== undefined ? parseData(r.input, "input") : undefined,
    value: r.value === undefined ? undefined : parseQuantity(r.value, "value"),
    gas: r.gas === undefined ? undefined : parseQuantity(r.gas, "gas"),
    nonce: r.nonce === undefined ? undefined : parseQuantity(r.nonce, "nonce"),
    gasPrice: r.gasPrice === undefined ? undefined : parseQuantity(r.gasPrice, "gasPrice"),
    maxFeePerGas: r.maxFeePerGas === undefined ? undefined : parseQuantity(r.maxFeePerGas, "maxFeePerGas"),
    maxPriorityFeePerGas: r.maxPriorityFeePerGas === undefined ? undefined : parseQuantity(r.maxPriorityFeePerGas, "maxPriorityFeePerGas"),
  };
}

function parseAddress(v: unknown): Hex {
  if (typeof v !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(v)) throw new RpcError(-32602, `Invalid address ${JSON.stringify(v)}: expected 0x followed by 40 hex digits`);
  return v.toLowerCase() as Hex;
}

function parseData(v: unknown, what: string): Hex {
  if (typeof v !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(v)) throw new RpcError(-32602, `Invalid ${what} ${JSON.stringify(v)}: expected 0x-prefixed hex bytes`);
  return v.toLowerCase() as Hex;
}

function parseQuantity(v: unknown, what: string): bigint {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v !== "string" || !/^0x[0-9a-fA-F]+$/.test(v)) throw new RpcError(-32602, `Invalid ${what} ${JSON.stringify(v)}: expected a 0x-prefixed hex quantity`);
  return BigInt(v);
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



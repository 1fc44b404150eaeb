/**
 * The parallel network as an EIP-1193 provider: JSON-RPC over the Chain.
 * Transactions are mined as Hardhat mines them: with automine, each one in
 * its own block as it arrives; without, they wait in the mempool until
 * evm_mine / hardhat_mine mine them as one block (executed in parallel when
 * it holds enough transactions).
 *
 * Filters and subscriptions follow Hardhat's (filters.ts); the "pending"
 * block tag reads the block the mempool would make now (Chain.preview).
 */
import type { Block } from "@ethereumjs/block";
import { EventEmitter } from "node:events";
import { createTx, createTxFromRLP } from "@ethereumjs/tx";
import type { TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex, hexToBytes, privateToAddress } from "@ethereumjs/util";

import { BlockOverlay } from "../engine/block-overlay";
import { EMPTY_CODE_HASH, StateDiff } from "../engine/flat-state";
import { balanceKey, infoKey, storageKey } from "../engine/location";
import { TxExecutor } from "../engine/tx-executor";
import type { Common } from "@ethereumjs/common";
import { sharedTxCommon, withSender } from "../engine/prepare";
import { BlockGasLimitExceededError, ExecutionBugError, InvalidBlockError } from "../engine/block-result";
import { Wallet, getAddress } from "ethers";
import type { TypedDataDomain, TypedDataField } from "ethers";
import type { AccountInfo } from "../engine/types";
import { Chain, VerificationError } from "./chain";
import type { ChainOptions, PendingBlock } from "./chain";
import { FilterRegistry, parseLogCriteria, selectLogs } from "./filters";
import type { BlockResolver, FilterKind } from "./filters";
import { ParamReader, parseAddress, parseData, parseQuantity } from "./params";
import type { Hex } from "./params";
import type { FlatState } from "../engine/flat-state";
import { effectiveGasPrice, formatBlock, formatPendingBlock, formatPendingTransaction, formatReceipt, formatTransaction, quantity } from "./format";
import type { MinedBlock } from "./chain";
import { blockReport } from "./block-report";
import { Heap } from "../engine/heap";
import { keccak256 } from "../engine/hash";
import { RpcError, executionFailure } from "./errors";
import type { CustomErrorDecoder } from "./errors";

export { RpcError } from "./errors";

/** A block built from the mempool: what executing it gave, the transactions it holds, and those dropped as invalid. */
interface Built<T> {
  block: T;
  txs: TypedTransaction[];
  dropped: TypedTransaction[];
}

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
  /**
   * Order of pending transactions in a mined block (Hardhat's
   * mining.mempool.order): "priority" (default) takes the highest miner tip
   * first, "fifo" the order they arrived in; a sender's nonce order always holds.
   */
  mempoolOrder?: "priority" | "fifo";
  /** A block may have its parent's timestamp (Hardhat's allowBlocksWithSameTimestamp). Default false. */
  allowBlocksWithSameTimestamp?: boolean;
  /** A failed transaction makes its send fail (it is still mined). Default true, as in Hardhat. */
  throwOnTransactionFailures?: boolean;
  /** A failed eth_call throws; false returns its return data instead. Default true, as in Hardhat. */
  throwOnCallFailures?: boolean;
}

interface Snapshot {
  block: number;
  position: number;
  mempool: TypedTransaction[];
  timeOffset: bigint;
  nextTimestamp?: bigint;
  randomness: ReturnType<Chain["saveRandomness"]>;
}

/** hardhat_mine mines runs shorter than this block by block, as Hardhat's network does. */
const SHORT_MINE_RUN = 8;

/** EIP-7825's per-transaction gas cap (Osaka). */
const MAX_TX_GAS = 16_777_216n;

const EMPTY_ACCOUNT: AccountInfo = { nonce: 0n, codeHash: EMPTY_CODE_HASH, hasStorage: false };

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

/** JSON-RPC "internal error": a bug of the engine surfaced while mining. */
export const INTERNAL_ERROR = -32603;
/** Code of the error a block refused by verification gives (an internal error too). */
export const VERIFICATION_FAILED = INTERNAL_ERROR;

export class ParallelNetworkProvider extends EventEmitter {
  chain: Chain;
  /** The options as given, for hardhat_reset (evm_setBlockGasLimit changes the live ones). */
  private readonly initial: NetworkOptions;
  private automine: boolean;
  private readonly mempoolOrder: "priority" | "fifo";
  private readonly mempool: TypedTransaction[] = [];
  private readonly signers = new Map<string, Uint8Array>();
  /** Accounts eth_sendTransaction may send from without a key (hardhat_impersonateAccount). */
  private readonly impersonated = new Set<string>();
  private readonly snapshots = new Map<number, Snapshot>();
  private nextSnapshotId = 1;
  /** Seconds added to the wall clock (evm_increaseTime). */
  private timeOffset = 0n;
  private nextTimestamp?: bigint;
  private callExecutor?: Promise<TxExecutor>;
  /** Serializes requests that change the chain, so a block never interleaves with another request's edits. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Installed filters and subscriptions. */
  private readonly filters = new FilterRegistry((subscription, result) => this.notify(subscription, result));
  /** The pending block, until the chain, the mempool or the clock settings change. */
  private pendingCache?: Promise<PendingBlock>;

  constructor(readonly options: NetworkOptions) {
    // An event emitter like every Hardhat provider: the wrappers Hardhat puts around it forward listener calls.
    super();
    this.initial = { ...options };
    this.mempoolOrder = options.mempoolOrder ?? "priority";
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
    const handler = (this.handlers as Record<string, ((p: unknown[], method: string) => unknown) | undefined>)[method];
    // -32004 and this text are what Hardhat's network answers for a method it does not know.
    if (handler === undefined) throw new RpcError(-32004, `Method ${method} is not supported`, { method, params });
    // Anything but a read may change what the pending block would be.
    if (!method.startsWith("eth_get") && !READS.has(method)) this.pendingCache = undefined;
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

  /** Tells filters and subscriptions about a new block. */
  private announce(mined: MinedBlock): void {
    if (!this.filters.empty) this.filters.blockAdded(mined, () => formatBlock(mined, false));
  }

  private readonly blocks: BlockResolver = {
    latest: () => this.chain.height,
    numberOfHash: (hash) => {
      const mined = this.chain.blockByHash(hash);
      return mined === undefined ? undefined : Number(mined.block.header.number);
    },
  };

  /** The block the mempool would make now (cached until something changes). */
  private pendingBlock(): Promise<PendingBlock> {
    if (this.pendingCache === undefined) {
      const timestamp = this.peekTimestamp();
      this.pendingCache = this.buildBlock(timestamp, (txs) => this.chain.preview(txs, timestamp, txs.map((tx) => this.senderOf(tx)))).then((built) => built.block);
      this.pendingCache.catch(() => (this.pendingCache = undefined));
    }
    return this.pendingCache;
  }

  /** The state a block tag reads: for "pending" with transactions waiting, the pending block's. */
  private async stateFor(tag: unknown): Promise<FlatState | number> {
    if (tag === "pending" && this.mempool.length > 0) return (await this.pendingBlock()).state;
    return this.positionAt(tag);
  }

  private async readAt(key: string, tag: unknown) {
    const at = await this.stateFor(tag);
    return typeof at === "number" ? this.chain.journal.readAt(key, at) : at.read(key);
  }

  /** A block by tag for the block methods: the pending block for "pending", null for a number beyond the chain. */
  private async blockForTag(tag: bigint | string): Promise<{ mined: MinedBlock; pending: boolean } | null> {
    if (tag === "pending") return { mined: (await this.pendingBlock()).mined, pending: true };
    const n = tag === "earliest" ? 0 : typeof tag === "bigint" ? Number(tag) : this.chain.height;
    const mined = this.chain.blockByNumber(n);
    return mined === undefined ? null : { mined, pending: false };
  }

  // ---- helpers ---------------------------------------------------------------

  private now(): bigint {
    return wallClock() + this.timeOffset;
  }

  /** Timestamp the next block would get: the one set with evm_setNextBlockTimestamp, else the clock, always after the parent. */
  private peekTimestamp(): bigint {
    const parent = this.chain.head.block.header.timestamp;
    const wanted = this.nextTimestamp ?? this.now();
    if (wanted > parent) return wanted;
    // A clock behind the parent (time travel, a set timestamp) reuses the parent's timestamp when that is allowed.
    return this.options.allowBlocksWithSameTimestamp === true ? parent : parent + 1n;
  }

  /**
   * The next block's timestamp, for a block being mined now. A set
   * timestamp is used once and, as on Hardhat's network, moves the clock:
   * later blocks count on from it (the offset to the wall clock becomes
   * timestamp - now), so evm_increaseTime after time.increaseTo adds to the
   * set time.
   */
  private takeTimestamp(): bigint {
    const t = this.peekTimestamp();
    if (this.nextTimestamp !== undefined) this.timeOffset = this.nextTimestamp - wallClock();
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
  private sharedCommon: { of: Common; shared: Common } | undefined;

  /** One Common for every transaction the network parses or builds (see sharedTxCommon: a copy per transaction cost about 0.2 ms). */
  private txCommon(): Common {
    if (this.sharedCommon?.of !== this.chain.common) this.sharedCommon = { of: this.chain.common, shared: sharedTxCommon(this.chain.common) };
    return this.sharedCommon.shared;
  }

  /** The sender as lowercase hex, recovered once per transaction (the mempool asks for it on every request). */
  private senderOf(tx: TypedTransaction): string {
    let sender = this.senders.get(tx);
    if (sender === undefined) this.senders.set(tx, (sender = tx.getSenderAddress().toString()));
    return sender;
  }

  /** The account's nonce after the mempool's transactions that can be mined in a row (a nonce gap stops the count). */
  private pendingNonce(address: string): bigint {
    let nonce = (this.infoAt(address, this.chain.journal.position) ?? EMPTY_ACCOUNT).nonce;
    const queued = new Set<bigint>();
    for (const tx of this.mempool) if (this.senderOf(tx) === address) queued.add(tx.nonce);
    while (queued.has(nonce)) nonce++;
    return nonce;
  }

  /**
   * The block a call or a gas estimate runs in and the state it reads, by
   * Hardhat's rules: at "pending", the block the mempool would make now
   * (next number, next timestamp, the pending state); at "latest", a number,
   * a hash or an EIP-1898 object, that block itself, with its own header
   * (number, timestamp, base fee, coinbase, PREVRANDAO, gas limit, blob gas)
   * and the state right after it.
   */
  private async callContext(tag: unknown): Promise<CallContext> {
    if (tag === "pending") {
      const state = this.mempool.length > 0 ? (await this.pendingBlock()).state : this.chain.state;
      return { block: this.chain.callBlock("pending", this.peekTimestamp()), state };
    }
    const n = this.blockNumberOf(tag ?? "latest");
    return { block: this.chain.callBlock(n, 0n), state: this.chain.stateAt(n) };
  }

  /** BLOCKHASH inside calls: any block of the chain (the EVM keeps to the 256 below the call's block). */
  private readonly callBlockHashes = (n: bigint): Uint8Array | undefined => (n <= BigInt(this.chain.height) ? this.chain.hashOf(Number(n)) : undefined);

  /** Runs a message in a block context without keeping its effects (eth_call, eth_estimateGas). */
  private async simulate(call: CallRequest, requestedGas: bigint, context: CallContext) {
    // Osaka caps a transaction's gas (EIP-7825); a call with more would not even parse.
    const gasLimit = this.chain.common.isActivatedEIP(7825) && requestedGas > MAX_TX_GAS ? MAX_TX_GAS : requestedGas;
    const executor = await (this.callExecutor ??= TxExecutor.create(this.chain.common, this.callBlockHashes, this.options.rules));
    const from = Chain.engineAddress(call.from);
    const nonce = ((context.state.read(infoKey(from)) as AccountInfo | null) ?? EMPTY_ACCOUNT).nonce;
    const tx = createTx(
      // GASPRICE as on Hardhat's network: the price the call names (a legacy gas price, or the priority
      // fee capped by the fee cap over a zero base fee), else 0.
      { type: 2, to: call.to, data: call.data, value: call.value, gasLimit, nonce, ...callFees(call) },
      { common: this.txCommon(), freeze: false },
    );
    withSender(tx, call.from);
    const overlay = new BlockOverlay(context.state);
    const outcome = await executor.run(context.block, tx, 0, 0, overlay.sourceFor(), { skipNonce: true, skipBalance: true });
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
    // Hardhat's network queues a future nonce only when it is not automining.
    const queueNote = this.automine ? " Note that transactions can't be queued when automining." : "";
    if (tx.nonce < expected) throw new RpcError(-32000, `Nonce too low. Expected nonce to be ${expected} but got ${tx.nonce}.${queueNote}`);
    if (tx.nonce > expected && this.automine) throw new RpcError(-32000, `Nonce too high. Expected nonce to be ${expected} but got ${tx.nonce}.${queueNote}`);
    this.checkGasCap(tx.gasLimit);
    if (tx.gasLimit > this.options.blockGasLimit) {
      throw new RpcError(-32000, `Transaction gas limit is ${tx.gasLimit} and exceeds block gas limit of ${this.options.blockGasLimit}`);
    }
    const intrinsic = tx.getIntrinsicGas();
    if (tx.gasLimit < intrinsic) throw new RpcError(-32000, `Transaction requires at least ${intrinsic} gas but got ${tx.gasLimit}`);
    const feeCap = "maxFeePerGas" in tx ? (tx.maxFeePerGas as bigint) : (tx as { gasPrice: bigint }).gasPrice;
    const baseFee = (this.chain.pendingHeader(this.peekTimestamp()).baseFeePerGas as bigint | undefined) ?? 0n;
    if (this.automine && feeCap < baseFee) {
      const field = "maxFeePerGas" in tx ? "maxFeePerGas" : "gasPrice";
      throw new RpcError(-32000, `Transaction ${field} (${feeCap}) is too low for the next block, which has a baseFeePerGas of ${baseFee}`);
    }
    const balance = this.chain.state.balance(Chain.engineAddress(sender));
    // The most the sender can be charged: the whole gas limit at the fee cap, plus value and blob fees.
    const blobCost = "getBlobGas" in tx && "maxFeePerBlobGas" in tx ? (tx as { getBlobGas(): bigint }).getBlobGas() * (tx.maxFeePerBlobGas as bigint) : 0n;
    const cost = tx.gasLimit * feeCap + tx.value + blobCost;
    if (balance < cost) {
      throw new RpcError(-32000, `Sender doesn't have enough funds to send tx. The max upfront cost is: ${cost} and the sender's balance is: ${balance}.`);
    }
  }

  /** EIP-7825 (Osaka): no transaction may have a gas limit above 2^24. */
  private checkGasCap(gasLimit: bigint): void {
    if (this.chain.common.isActivatedEIP(7825) && gasLimit > MAX_TX_GAS) {
      throw new RpcError(-32000, `Transaction gas limit is ${gasLimit} and exceeds transaction gas cap of ${MAX_TX_GAS}`);
    }
  }

  private async submit(tx: TypedTransaction): Promise<string> {
    this.validate(tx);
    const hash = bytesToHex(tx.hash());
    this.mempool.push(tx);
    this.filters.transactionAdded(hash);
    if (!this.automine) return hash;
    try {
      await this.mineMempool();
    } catch (e) {
      // A block refused by verification: the call changes nothing, the transaction included.
      // A block refused by verification changes nothing, the transaction included; after an internal
      // error the transaction stays in the mempool (it is not the transaction's fault).
      if (e instanceof RpcError && e.code === VERIFICATION_FAILED && (e.data as { field?: string } | undefined)?.field !== undefined) {
        this.mempool.splice(this.mempool.indexOf(tx), 1);
      }
      throw e;
    }
    // Like Hardhat: a failed transaction is mined (status 0), then reported.
    const mined = this.chain.transaction(hash);
    const receipt = mined?.mined.receipts[mined.index];
    if (receipt !== undefined && receipt.status === 0 && this.options.throwOnTransactionFailures !== false) throw await executionFailure(receipt.error, receipt.returnValue, hash, this.options.errorDecoder);
    return hash;
  }

  /**
   * Mines the mempool's ready transactions as one block, in the mempool's
   * order (blockOrder). A block refused by verification
   * (parallel_setVerification) changes nothing: no block, the mempool and
   * the next timestamp as they were.
   */
  private async mineMempool(): Promise<MinedBlock> {
    this.pendingCache = undefined;
    const [nextTimestamp, timeOffset] = [this.nextTimestamp, this.timeOffset];
    const timestamp = this.takeTimestamp();
    let built: Built<MinedBlock>;
    try {
      built = await this.buildBlock(timestamp, (txs) => this.chain.mine(txs, timestamp, txs.map((tx) => this.senderOf(tx))));
    } catch (e) {
      // Nothing was mined: the clock and the mempool stay as they were (the transaction too).
      [this.nextTimestamp, this.timeOffset] = [nextTimestamp, timeOffset];
      if (e instanceof VerificationError) {
        throw new RpcError(VERIFICATION_FAILED, e.message, { blockNumber: quantity(e.blockNumber), transactionIndex: e.txIndex ?? null, transactionHash: e.txHash ?? null, field: e.field });
      }
      if (e instanceof ExecutionBugError) {
        throw new RpcError(INTERNAL_ERROR, e.message, { blockNumber: quantity(e.blockNumber), transactionIndex: e.txIndex, transactionHash: e.txHash });
      }
      throw e;
    }
    const gone = new Set([...built.txs, ...built.dropped]);
    const left = this.mempool.filter((tx) => !gone.has(tx));
    this.mempool.length = 0;
    this.mempool.push(...left);
    const mined = built.block;
    for (const r of mined.receipts) this.printLogs(r.consoleLogs);
    this.announce(mined);
    return mined;
  }

  /**
   * Executes the block the mempool makes at `timestamp` with `execute`
   * (mining it, or previewing the pending block). Which transactions fit
   * depends on the gas they use, known only once executed: the block rule is
   * that a transaction's gas limit fits in what the transactions before it
   * left. So the block is executed with every ready transaction, and when one
   * does not fit, it and its sender's later transactions wait for a later
   * block (Hardhat's miner skips such a sender too); one that turns out
   * invalid when executed (its sender's funds spent by its own earlier
   * transactions) is dropped from the mempool with its sender's later ones.
   * Then the block is executed again without them.
   */
  private async buildBlock<T>(timestamp: bigint, execute: (txs: TypedTransaction[]) => Promise<T>): Promise<Built<T>> {
    let txs = this.blockOrder(this.chain.pendingHeader(timestamp).baseFeePerGas as bigint | undefined);
    const dropped: TypedTransaction[] = [];
    for (;;) {
      try {
        return { block: await execute(txs), txs, dropped };
      } catch (e) {
        if (!(e instanceof InvalidBlockError)) throw e;
        const sender = this.senderOf(txs[e.txIndex]);
        const removed = txs.filter((tx, i) => i >= e.txIndex && this.senderOf(tx) === sender);
        if (!(e instanceof BlockGasLimitExceededError)) dropped.push(...removed);
        txs = txs.filter((tx) => !removed.includes(tx));
      }
    }
  }

  /**
   * The pending transactions that can go into the next block, in the order
   * they go in: each sender's run of consecutive nonces from its account's
   * nonce, senders interleaved by the mempool order. "priority" repeatedly
   * takes, among the senders' next transactions, the one paying the miner
   * most per gas (min(max priority fee, fee cap - base fee), or gas price -
   * base fee), the earlier arrival on ties; "fifo" takes them as they
   * arrived.
   */
  private blockOrder(baseFee: bigint | undefined): TypedTransaction[] {
    const queues = new Map<string, TypedTransaction[]>();
    for (const tx of this.mempool) {
      const sender = this.senderOf(tx);
      let queue = queues.get(sender);
      if (queue === undefined) queues.set(sender, (queue = []));
      queue.push(tx);
    }
    const arrival = new Map(this.mempool.map((tx, i) => [tx, i]));
    // Per sender: the transactions runnable in nonce order.
    const runs: TypedTransaction[][] = [];
    for (const [sender, queue] of queues) {
      queue.sort((a, b) => (a.nonce < b.nonce ? -1 : a.nonce > b.nonce ? 1 : arrival.get(a)! - arrival.get(b)!));
      const run: TypedTransaction[] = [];
      let next = (this.infoAt(sender, this.chain.journal.position) ?? EMPTY_ACCOUNT).nonce;
      for (const tx of queue) if (tx.nonce === next) (run.push(tx), next++);
      if (run.length > 0) runs.push(run);
    }
    const tip = (tx: TypedTransaction): bigint => effectiveGasPrice(tx, baseFee) - (baseFee ?? 0n);
    // A heap of each sender's next transaction.
    const priority = this.mempoolOrder === "priority";
    const heads = new Heap<{ run: TypedTransaction[]; at: number; tip: bigint; arrival: number }>((a, b) =>
      priority && a.tip !== b.tip ? a.tip > b.tip : a.arrival < b.arrival,
    );
    const enter = (run: TypedTransaction[], at: number) => heads.push({ run, at, tip: tip(run[at]), arrival: arrival.get(run[at])! });
    for (const run of runs) enter(run, 0);
    const ordered: TypedTransaction[] = [];
    for (let head = heads.pop(); head !== undefined; head = heads.pop()) {
      ordered.push(head.run[head.at]);
      if (head.at + 1 < head.run.length) enter(head.run, head.at + 1);
    }
    return ordered;
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
    eth_feeHistory: async ([count, newest, percentiles]: unknown[]) => {
      const n = Number(parseQuantity(count, "block count"));
      if (n < 1 || n > 1024) throw new RpcError(-32602, `Block count must be from 1 to 1024, got ${n}`);
      // Like Hardhat's network, "pending" ends with the pending block (its rewards reported as 0).
      const pending = newest === "pending" ? (await this.pendingBlock()).mined : undefined;
      const last = pending === undefined ? this.blockNumberOf(newest) : this.chain.height + 1;
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
        mined = b > this.chain.height ? pending! : this.chain.blockByNumber(b)!;
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
      return quantity((await this.readAt(balanceKey(Chain.engineAddress(r.legacyAddress(0))), r.stateTag(1))) as bigint);
    },
    eth_getTransactionCount: (params: unknown[], method: string) => {
      const r = new ParamReader(method, params).count(1, 2);
      const [a, tag] = [r.legacyAddress(0), r.stateTag(1)];
      if (tag === "pending") return quantity(this.pendingNonce(a));
      return quantity((this.infoAt(a, this.positionAt(tag)) ?? EMPTY_ACCOUNT).nonce);
    },
    eth_getCode: async (params: unknown[], method: string) => {
      const r = new ParamReader(method, params).count(1, 2);
      const key = infoKey(Chain.engineAddress(r.legacyAddress(0)));
      const at = await this.stateFor(r.stateTag(1));
      const info = (typeof at === "number" ? this.chain.journal.readAt(key, at) : at.read(key)) as AccountInfo | null;
      const code = typeof at === "number" ? this.chain.state.code : at.code;
      return bytesToHex(info === null ? new Uint8Array() : (code.get(info.codeHash) ?? new Uint8Array()));
    },
    eth_getStorageAt: async (params: unknown[], method: string) => {
      const r = new ParamReader(method, params).count(2, 3);
      const key = storageKey(Chain.engineAddress(r.legacyAddress(0)), r.slot(1).toString(16).padStart(64, "0"));
      return bytesToHex(bigintTo32((await this.readAt(key, r.stateTag(2))) as bigint));
    },

    eth_getBlockByNumber: async (params: unknown[], method: string) => {
      const r = new ParamReader(method, params).count(2);
      r.blockTag(0);
      const [tag, full] = [params[0], r.boolean(1)];
      if (tag === "pending") return formatPendingBlock((await this.pendingBlock()).mined, full);
      // Like Hardhat's network: a number above the latest block is not an error here (it is for state queries).
      if ((typeof tag === "string" || typeof tag === "number") && /^(0x[0-9a-fA-F]+|\d+)$/.test(String(tag)) && BigInt(tag) > BigInt(this.chain.height)) return null;
      return formatBlock(this.chain.blockByNumber(this.blockNumberOf(tag))!, full);
    },
    eth_getBlockByHash: (params: unknown[], method: string) => {
      const r = new ParamReader(method, params).count(2);
      const mined = this.chain.blockByHash(r.hash(0));
      const full = r.boolean(1);
      return mined === undefined ? null : formatBlock(mined, full);
    },
    eth_getTransactionByHash: (params: unknown[], method: string) => {
      const h = new ParamReader(method, params).count(1).hash(0);
      const found = this.chain.transaction(h);
      if (found !== undefined) return formatTransaction(found.mined.block.transactions[found.index], found.mined, found.index);
      const pending = this.mempool.find((tx) => bytesToHex(tx.hash()) === h);
      return pending === undefined ? null : formatTransaction(pending);
    },
    eth_getTransactionReceipt: (params: unknown[], method: string) => {
      const found = this.chain.transaction(new ParamReader(method, params).count(1).hash(0));
      return found === undefined ? null : formatReceipt(found.mined, found.index);
    },

    eth_sendRawTransaction: async (params: unknown[], method: string) => {
      let tx: TypedTransaction;
      const bytes = hexToBytes(new ParamReader(method, params).count(1).bytes(0));
      try {
        tx = createTxFromRLP(bytes, { common: this.txCommon() });
      } catch (e) {
        // @ethereumjs rejects these while decoding; say it as Hardhat's network does.
        const message = (e as Error).message;
        if (/chain ?id/i.test(message)) {
          throw new RpcError(-32602, `Trying to send a raw transaction with an invalid chainId. The expected chainId is ${this.chain.common.chainId()}`);
        }
        const capped = /gas limit (\d+) exceeds the maximum allowed by EIP-7825/.exec(message);
        if (capped !== null) this.checkGasCap(BigInt(capped[1]));
        if (/^Invalid Signature/.test(message)) throw new RpcError(-32602, "Invalid Signature");
        const type = /TypedTransaction with ID (\d+) unknown/.exec(message);
        if (type !== null) throw new RpcError(-32602, `Invalid transaction type ${type[1]}.`);
        throw new RpcError(-32602, `Invalid raw transaction: ${message}`);
      }
      return this.submit(tx);
    },
    eth_sendTransaction: async (params: unknown[], method: string) => {
      const r = parseCallRequest(params[0], true, new ParamReader(method, params).count(1));
      const key = this.signers.get(r.from);
      if (key === undefined && !this.impersonated.has(r.from)) throw new RpcError(-32000, `Unknown account ${getAddress(r.from)}`);
      const header = this.chain.pendingHeader(this.peekTimestamp());
      if (r.gas !== undefined) this.checkGasCap(r.gas);
      const gasLimit = r.gas ?? (await this.estimate(r, await this.callContext("pending")));
      const common = { to: r.to, data: r.data, value: r.value, gasLimit, nonce: r.nonce ?? this.pendingNonce(r.from) };
      // Only a gasPrice: a legacy (EIP-155) transaction, as Hardhat's network sends it; otherwise EIP-1559.
      // Impersonated senders get a placeholder signature (unique per sender, so hashes do not collide) and a given sender.
      const txOptions = { common: this.txCommon(), freeze: key !== undefined };
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
      if (key !== undefined) {
        const signed = unsigned.sign(key);
        // Signed here with the sender's own key: recovering the sender again cost a tenth of an automined send.
        this.senders.set(signed, r.from);
        return this.submit(signed);
      }
      const placeholder = withSender(unsigned.addSignature(0n, BigInt(r.from), 1n, true), r.from);
      return this.submit(placeholder);
    },
    eth_getLogs: (params: unknown[], method: string) => {
      const criteria = parseLogCriteria(new ParamReader(method, params).count(1), 0, this.blocks, false);
      const out: Record<string, unknown>[] = [];
      for (const mined of this.chain.executedBlocks(criteria.from, criteria.to!)) out.push(...selectLogs(mined, criteria));
      return out;
    },
    eth_newFilter: (params: unknown[], method: string) => this.installLogFilter(new ParamReader(method, params).count(1), 0, false),
    eth_newBlockFilter: (params: unknown[], method: string) => {
      new ParamReader(method, params).count(0);
      return this.installFilter("newHeads", false);
    },
    eth_newPendingTransactionFilter: (params: unknown[], method: string) => {
      new ParamReader(method, params).count(0);
      return this.installFilter("newPendingTransactions", false);
    },
    eth_getFilterChanges: (params: unknown[], method: string) => this.filters.changes(new ParamReader(method, params).count(1).filterId(0)),
    eth_getFilterLogs: (params: unknown[], method: string) => this.filters.logs(new ParamReader(method, params).count(1).filterId(0)),
    eth_uninstallFilter: (params: unknown[], method: string) => this.filters.remove(new ParamReader(method, params).count(1).filterId(0), false),
    eth_subscribe: (params: unknown[], method: string) => {
      const p = new ParamReader(method, params).count(1, 2);
      const [type, filter] = params;
      if (type === "newHeads" || type === "newPendingTransactions") return this.installFilter(type, true);
      if (type !== "logs") throw p.fail(0, "Invalid subscription type");
      if (filter === undefined) throw new RpcError(-32602, "Missing params argument");
      return this.installLogFilter(p, 1, true);
    },
    eth_unsubscribe: (params: unknown[], method: string) => this.filters.remove(new ParamReader(method, params).count(1).filterId(0), true),

    eth_pendingTransactions: (params: unknown[], method: string) => {
      new ParamReader(method, params).count(0);
      return this.mempool.map((tx) => formatTransaction(tx, undefined, undefined, this.senderOf(tx)));
    },
    eth_getBlockTransactionCountByNumber: async (params: unknown[], method: string) => {
      const found = await this.blockForTag(new ParamReader(method, params).count(1).blockTag(0));
      return found === null ? null : quantity(found.mined.block.transactions.length);
    },
    eth_getBlockTransactionCountByHash: (params: unknown[], method: string) => {
      const mined = this.chain.blockByHash(new ParamReader(method, params).count(1).hash(0));
      return mined === undefined ? null : quantity(mined.block.transactions.length);
    },
    eth_getTransactionByBlockNumberAndIndex: async (params: unknown[], method: string) => {
      const p = new ParamReader(method, params).count(2);
      const tag = p.blockTag(0);
      const index = p.quantity(1);
      const found = await this.blockForTag(tag);
      if (found === null || index >= BigInt(found.mined.block.transactions.length)) return null;
      return found.pending ? formatPendingTransaction(found.mined, Number(index)) : formatTransaction(found.mined.block.transactions[Number(index)], found.mined, Number(index));
    },
    eth_getTransactionByBlockHashAndIndex: (params: unknown[], method: string) => {
      const p = new ParamReader(method, params).count(2);
      const mined = this.chain.blockByHash(p.hash(0));
      const index = p.quantity(1);
      if (mined === undefined || index >= BigInt(mined.block.transactions.length)) return null;
      return formatTransaction(mined.block.transactions[Number(index)], mined, Number(index));
    },
    // Not in Hardhat's network (it answers -32004); here because scripts written for other clients call them. Blocks have no uncles.
    eth_getUncleCountByBlockNumber: async (params: unknown[], method: string) => ((await this.blockForTag(new ParamReader(method, params).count(1).blockTag(0))) === null ? null : "0x0"),
    eth_getUncleCountByBlockHash: (params: unknown[], method: string) => (this.chain.blockByHash(new ParamReader(method, params).count(1).hash(0)) === undefined ? null : "0x0"),
    web3_sha3: (params: unknown[], method: string) => bytesToHex(keccak256(hexToBytes(new ParamReader(method, params).count(1).bytes(0)))),

    eth_call: async (params: unknown[], method: string) => {
      const reader = new ParamReader(method, params).count(1, 3);
      const r = parseCallRequest(params[0], false, reader);
      const tag = params.length > 1 ? reader.callTag(1) : undefined;
      const receipt = await this.simulate(r, r.gas ?? this.options.blockGasLimit, await this.callContext(tag ?? "latest"));
      this.printLogs(receipt.consoleLogs);
      if (receipt.status === 0 && this.options.throwOnCallFailures !== false) throw await executionFailure(receipt.error, receipt.returnValue, undefined, this.options.errorDecoder);
      return bytesToHex(receipt.returnValue);
    },
    eth_estimateGas: async (params: unknown[], method: string) => {
      const reader = new ParamReader(method, params).count(1, 2);
      const request = parseCallRequest(params[0], false, reader);
      const tag = params.length > 1 ? reader.callTag(1) : undefined;
      // Hardhat's network estimates at the pending block unless told otherwise.
      return quantity(await this.estimate(request, await this.callContext(tag ?? "pending")));
    },

    evm_mine: async (params: unknown[], method: string) => {
      if (params[0] !== undefined) this.nextTimestamp = new ParamReader(method, params).count(0, 1).seconds(0);
      await this.mineMempool();
      return "0";
    },
    hardhat_mine: async (params: unknown[], method: string) => {
      const r = new ParamReader(method, params).count(0, 2);
      const n = Number(params[0] === undefined ? 1n : r.u64(0));
      const step = params[1] === undefined ? 1n : r.u64(1);
      if (n === 0) return true;
      // As Hardhat's network mines them: a run of fewer than 8 blocks block by block; a longer one as its
      // first two blocks, the ones in between reserved (built on demand, all with the base fee that
      // follows the second, no PREVRANDAO of their own) and the last, each `step` seconds after the one
      // before. Only the blocks mined for real reach filters and subscriptions.
      const real = n < SHORT_MINE_RUN ? n : 2;
      for (let i = 0; i < real; i++) {
        if (i > 0) this.nextTimestamp = this.chain.head.block.header.timestamp + step;
        await this.mineMempool();
      }
      if (real === n) return true;
      const second = this.chain.head.block.header.timestamp;
      await this.chain.reserve(n - 3, second + step, step);
      this.nextTimestamp = second + BigInt(n - 2) * step;
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
    hardhat_impersonateAccount: (params: unknown[], method: string) => {
      this.impersonated.add(new ParamReader(method, params).count(1).legacyAddress(0));
      return true;
    },
    hardhat_stopImpersonatingAccount: ([address]: unknown[]) => this.impersonated.delete(parseAddress(address)),
    evm_setBlockGasLimit: ([limit]: unknown[]) => {
      const l = parseQuantity(limit, "block gas limit");
      if (l === 0n) throw new RpcError(-32602, "Block gas limit must be greater than 0");
      this.options.blockGasLimit = l;
      return true;
    },
    evm_increaseTime: (params: unknown[], method: string) => {
      this.timeOffset += new ParamReader(method, params).count(1).seconds(0);
      return String(this.timeOffset);
    },
    evm_setNextBlockTimestamp: (params: unknown[], method: string) => {
      const t = new ParamReader(method, params).count(1).seconds(0);
      const parent = this.chain.head.block.header.timestamp;
      if (t < parent) throw new RpcError(-32000, `Timestamp ${t} is lower than the previous block's timestamp ${parent}`);
      if (t === parent && this.options.allowBlocksWithSameTimestamp !== true) {
        throw new RpcError(-32000, `Timestamp ${t} is equal to the previous block's timestamp. Enable the 'allowBlocksWithSameTimestamp' option to allow this`);
      }
      this.nextTimestamp = t;
      // Hardhat's network answers with the timestamp, in decimal.
      return t.toString();
    },
    evm_snapshot: () => {
      const id = this.nextSnapshotId++;
      this.snapshots.set(id, {
        block: this.chain.height,
        position: this.chain.journal.position,
        mempool: [...this.mempool],
        timeOffset: this.timeOffset,
        nextTimestamp: this.nextTimestamp,
        randomness: this.chain.saveRandomness(),
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
      this.chain.restoreRandomness(snap.randomness);
      // A snapshot is used up by reverting to it, and so is every later one.
      for (const k of [...this.snapshots.keys()]) if (k >= n) this.snapshots.delete(k);
      return true;
    },

    hardhat_setBalance: (params: unknown[], method: string) => {
      const r = new ParamReader(method, params).count(2);
      const [address, balance] = [r.legacyAddress(0), r.legacyQuantity(1)];
      this.editAccount(address, (diff, addr) => diff.entries.set(balanceKey(addr), balance));
      return true;
    },
    hardhat_setNonce: (params: unknown[], method: string) => {
      const r = new ParamReader(method, params).count(2);
      const [address, nonce] = [r.legacyAddress(0), r.legacyQuantity(1)];
      this.editAccount(address, (diff, addr, info) => diff.entries.set(infoKey(addr), { ...info, nonce }));
      return true;
    },
    hardhat_setCode: (params: unknown[], method: string) => {
      const r = new ParamReader(method, params).count(2);
      const address = r.legacyAddress(0);
      const bytes = hexToBytes(r.legacyData(1));
      const codeHash = bytesToHex(keccak256(bytes));
      this.editAccount(parseAddress(address), (diff, addr, info) => {
        diff.code.set(codeHash, bytes);
        diff.entries.set(infoKey(addr), { ...info, codeHash });
      });
      return true;
    },
    hardhat_setStorageAt: (params: unknown[], method: string) => {
      const r = new ParamReader(method, params).count(3);
      const [address, slot, v] = [r.legacyAddress(0), r.legacyQuantity(1), r.legacyData(2)];
      if (v.length !== 66) {
        // Hardhat's network answers this one with -32000, after the parser's position.
        const e = r.fail(2, `Storage value must be exactly 32 bytes long. Received ${v}, which is ${(v.length - 2) / 2} bytes long.`, 1);
        throw new RpcError(-32000, e.message, e.data);
      }
      this.editAccount(address, (diff, addr) => diff.entries.set(storageKey(addr, slot.toString(16).padStart(64, "0")), BigInt(v)));
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
      this.filters.clear();
      this.setIntervalMining(this.initial.intervalMining);
      return true;
    },
    /** Removes a transaction from the mempool: true if it was there; mined ones are refused. */
    hardhat_dropTransaction: (params: unknown[], method: string) => {
      const hash = new ParamReader(method, params).count(1).hash(0);
      const index = this.mempool.findIndex((tx) => bytesToHex(tx.hash()) === hash);
      if (index >= 0) {
        this.mempool.splice(index, 1);
        return true;
      }
      if (this.chain.transaction(hash) !== undefined) throw new RpcError(-32602, `Transaction ${hash} cannot be dropped because it's already mined`);
      return false;
    },
    hardhat_setCoinbase: (params: unknown[], method: string) => {
      this.options.coinbase = new ParamReader(method, params).count(1).address(0);
      return true;
    },
    hardhat_setPrevRandao: (params: unknown[], method: string) => {
      this.chain.setNextPrevRandao(hexToBytes(new ParamReader(method, params).count(1).hash(0)));
      return true;
    },
    hardhat_setMinGasPrice: () => {
      throw new RpcError(-32000, "hardhat_setMinGasPrice is not supported when EIP-1559 is active");
    },
    // Hardhat's RPC logging has no counterpart here; accepted so `hardhat node`-style callers work.
    hardhat_setLoggingEnabled: (params: unknown[], method: string) => {
      new ParamReader(method, params).count(1).boolean(0);
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

    /**
     * Verification: every block executed in parallel is executed again
     * sequentially and must give the same receipts, gas, logs bloom, roots
     * and state diff, or the call that mined it fails and the chain stays as
     * it was.
     */
    parallel_setVerification: (params: unknown[], method: string) => {
      this.options.verify = new ParamReader(method, params).count(1).boolean(0);
      return true;
    },
    parallel_getVerification: (params: unknown[], method: string) => {
      new ParamReader(method, params).count(0);
      return this.options.verify === true;
    },
    /** Replaces the worker pool (closing the old one) with one of `n` threads, 1 to 256. */
    parallel_setWorkers: async (params: unknown[], method: string) => {
      const n = new ParamReader(method, params).count(1).params[0];
      if (!(typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= 256)) throw new RpcError(-32602, `Workers must be an integer from 1 to 256, got ${JSON.stringify(n)}`);
      await this.chain.setWorkers(n);
      return true;
    },

    /** The engine's report for a block: how it executed and what each transaction read and wrote. */
    parallel_getBlockReport: ([tag, options]: unknown[]) => {
      if (options !== undefined && (typeof options !== "object" || options === null)) {
        throw new RpcError(-32602, 'parallel_getBlockReport options must be an object such as { "details": true }');
      }
      const mined = this.chain.blockByNumber(this.blockNumberOf(tag ?? "latest"))!;
      return blockReport(mined, { details: (options as { details?: unknown } | undefined)?.details === true });
    },
  };

  /** Installs a block or pending-transaction filter or subscription; a block one starts with the latest block's hash. */
  private installFilter(kind: Exclude<FilterKind, "logs">, subscription: boolean): string {
    return this.filters.install(kind, subscription, kind === "newHeads" ? [this.chain.head.hash] : []);
  }

  /** Installs a log filter or subscription; it starts with the logs already in its range. */
  private installLogFilter(reader: ParamReader, index: number, subscription: boolean): string {
    const criteria = parseLogCriteria(reader, index, this.blocks, true);
    const initial: Record<string, unknown>[] = [];
    for (const mined of this.chain.executedBlocks(criteria.from, criteria.to ?? this.chain.height)) initial.push(...selectLogs(mined, criteria));
    return this.filters.install("logs", subscription, initial, criteria);
  }

  private async estimate(r: CallRequest, context: CallContext): Promise<bigint> {
    const requested = r.gas ?? this.options.blockGasLimit;
    const cap = this.chain.common.isActivatedEIP(7825) && requested > MAX_TX_GAS ? MAX_TX_GAS : requested;
    const first = await this.simulate(r, cap, context);
    // Like Hardhat: an estimate prints its console.log output only when it fails.
    if (first.status === 0) this.printLogs(first.consoleLogs);
    if (first.status === 0) throw await executionFailure(first.error, first.returnValue, undefined, this.options.errorDecoder);
    // The smallest limit that still succeeds: refunds and the 63/64 rule make gasUsed alone too low.
    let low = first.gasUsed - 1n;
    let high = cap;
    if ((await this.simulate(r, first.gasUsed, context)).status === 1) return first.gasUsed;
    while (high - low > 1n) {
      const mid = (low + high) / 2n;
      if ((await this.simulate(r, mid, context)).status === 1) high = mid;
      else low = mid;
    }
    return high;
  }
}

/** Where a call runs: its block (header fields, zero base fee) and the state it reads. */
interface CallContext {
  block: Block;
  state: FlatState;
}

interface CallRequest {
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

/** The fee fields of a call's transaction, over a block whose base fee is 0. */
function callFees(call: CallRequest): { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } {
  if (call.gasPrice !== undefined && call.maxFeePerGas === undefined) return { maxFeePerGas: call.gasPrice, maxPriorityFeePerGas: call.gasPrice };
  const maxFeePerGas = call.maxFeePerGas ?? 0n;
  const tip = call.maxPriorityFeePerGas ?? 0n;
  return { maxFeePerGas, maxPriorityFeePerGas: tip < maxFeePerGas ? tip : maxFeePerGas };
}

/** Seconds since the epoch, now. */
function wallClock(): bigint {
  return BigInt(Math.floor(Date.now() / 1000));
}

const ZERO_ADDRESS: Hex = "0x0000000000000000000000000000000000000000";

/** A transaction object (eth_call, eth_estimateGas, eth_sendTransaction); with a reader, address fields fail as Hardhat's parser does. */
function parseCallRequest(request: unknown, needFrom: boolean, reader?: ParamReader): CallRequest {
  if (typeof request !== "object" || request === null) throw new RpcError(-32602, "Invalid transaction request: expected an object");
  const r = request as Record<string, unknown>;
  if (needFrom && r.from === undefined) throw new RpcError(-32602, "Missing \"from\" field in the transaction request");
  const address = (field: "from" | "to") => (reader !== undefined ? reader.objectAddress(0, field) : r[field] === undefined || r[field] === null ? undefined : parseAddress(r[field]));
  return {
    from: address("from") ?? ZERO_ADDRESS,
    to: address("to"),
    data: r.data !== undefined ? parseData(r.data, "data") : r.input !== undefined ? parseData(r.input, "input") : undefined,
    value: r.value === undefined ? undefined : parseQuantity(r.value, "value"),
    gas: r.gas === undefined ? undefined : parseQuantity(r.gas, "gas"),
    nonce: r.nonce === undefined ? undefined : parseQuantity(r.nonce, "nonce"),
    gasPrice: r.gasPrice === undefined ? undefined : parseQuantity(r.gasPrice, "gasPrice"),
    maxFeePerGas: r.maxFeePerGas === undefined ? undefined : parseQuantity(r.maxFeePerGas, "maxFeePerGas"),
    maxPriorityFeePerGas: r.maxPriorityFeePerGas === undefined ? undefined : parseQuantity(r.maxPriorityFeePerGas, "maxPriorityFeePerGas"),
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



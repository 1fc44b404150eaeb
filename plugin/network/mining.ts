/**
 * Mining, as Hardhat mines: with automine, each transaction in its own block
 * as it arrives; without, they wait in the mempool until evm_mine /
 * hardhat_mine (or interval mining) mine them as one block (executed in
 * parallel when it holds enough transactions). Also the pending block: the
 * block the mempool would make now.
 */
import type { TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";

import { BlockGasLimitExceededError, ExecutionBugError, InvalidBlockError } from "../engine/block-result";
import { Chain, VerificationError } from "./chain";
import type { MinedBlock, PendingBlock } from "./chain";
import { INTERNAL_ERROR, RpcError, VERIFICATION_FAILED, executionFailure } from "./errors";
import { quantity } from "./format";
import type { NetworkNode } from "./node";
import type { RequestQueue } from "./queue";
import { checkGasCap } from "./tx-gas-cap";

/** A block built from the mempool: what executing it gave, the transactions it holds, and those dropped as invalid. */
interface Built<T> {
  block: T;
  txs: TypedTransaction[];
  dropped: TypedTransaction[];
}

/** hardhat_mine mines runs shorter than this block by block, as Hardhat's network does. */
const SHORT_MINE_RUN = 8;

export class Miner {
  /** The pending block, until the chain, the mempool or the clock settings change. */
  private pendingCache?: Promise<PendingBlock>;
  private intervalTimer?: NodeJS.Timeout;
  /** Bumped by every change of the interval, so a timer of an older setting never reschedules itself. */
  private intervalGeneration = 0;

  constructor(
    private readonly node: NetworkNode,
    /** Where interval mining queues its blocks, in line with the requests. */
    private readonly queue: RequestQueue,
    public automine: boolean,
  ) {}

  /** Forgets the pending block: something may have changed what it would be. */
  forgetPending(): void {
    this.pendingCache = undefined;
  }

  /** The block the mempool would make now (cached until something changes). */
  pendingBlock(): Promise<PendingBlock> {
    if (this.pendingCache === undefined) {
      const timestamp = this.node.clock.peekTimestamp();
      this.pendingCache = this.buildBlock(timestamp, (txs) => this.node.chain.preview(txs, timestamp, txs.map((tx) => this.node.mempool.senderOf(tx)))).then((built) => built.block);
      this.pendingCache.catch(() => (this.pendingCache = undefined));
    }
    return this.pendingCache;
  }

  /** Mines a block (the mempool, or an empty one) every interval, as Hardhat's interval mining does. */
  setIntervalMining(interval: number | [number, number] | undefined): void {
    clearTimeout(this.intervalTimer);
    this.intervalTimer = undefined;
    const generation = ++this.intervalGeneration;
    const [min, max] = interval === undefined ? [0, 0] : typeof interval === "number" ? [interval, interval] : interval;
    if (max <= 0) return;
    const schedule = () => {
      this.intervalTimer = setTimeout(() => {
        void this.queue.run(() => this.mineMempool());
        void this.queue.settled.then(() => generation === this.intervalGeneration && schedule());
      }, min + Math.floor(Math.random() * (max - min + 1)));
      // Interval mining never keeps the process alive on its own.
      this.intervalTimer.unref();
    };
    schedule();
  }

  /** Checks a transaction against the pending state before it enters the mempool. */
  private validate(tx: TypedTransaction): void {
    const { chain, options } = this.node;
    if (!tx.isSigned()) throw new RpcError(-32000, "Transaction is not signed");
    if (tx.common.chainId() !== chain.common.chainId()) {
      throw new RpcError(-32602, `Trying to send a raw transaction with an invalid chainId. The expected chainId is ${chain.common.chainId()}`);
    }
    const sender = this.node.mempool.senderOf(tx);
    const expected = this.node.mempool.pendingNonce(sender);
    // Hardhat's network queues a future nonce only when it is not automining.
    const queueNote = this.automine ? " Note that transactions can't be queued when automining." : "";
    if (tx.nonce < expected) throw new RpcError(-32000, `Nonce too low. Expected nonce to be ${expected} but got ${tx.nonce}.${queueNote}`);
    if (tx.nonce > expected && this.automine) throw new RpcError(-32000, `Nonce too high. Expected nonce to be ${expected} but got ${tx.nonce}.${queueNote}`);
    checkGasCap(chain.common, tx.gasLimit);
    if (tx.gasLimit > options.blockGasLimit) {
      throw new RpcError(-32000, `Transaction gas limit is ${tx.gasLimit} and exceeds block gas limit of ${options.blockGasLimit}`);
    }
    const intrinsic = tx.getIntrinsicGas();
    if (tx.gasLimit < intrinsic) throw new RpcError(-32000, `Transaction requires at least ${intrinsic} gas but got ${tx.gasLimit}`);
    const feeCap = "maxFeePerGas" in tx ? (tx.maxFeePerGas as bigint) : (tx as { gasPrice: bigint }).gasPrice;
    const baseFee = chain.pendingBaseFee();
    if (this.automine && feeCap < baseFee) {
      const field = "maxFeePerGas" in tx ? "maxFeePerGas" : "gasPrice";
      throw new RpcError(-32000, `Transaction ${field} (${feeCap}) is too low for the next block, which has a baseFeePerGas of ${baseFee}`);
    }
    const balance = chain.state.balance(Chain.engineAddress(sender));
    // The most the sender can be charged: the whole gas limit at the fee cap, plus value and blob fees.
    const blobCost = "getBlobGas" in tx && "maxFeePerBlobGas" in tx ? (tx as { getBlobGas(): bigint }).getBlobGas() * (tx.maxFeePerBlobGas as bigint) : 0n;
    const cost = tx.gasLimit * feeCap + tx.value + blobCost;
    if (balance < cost) {
      throw new RpcError(-32000, `Sender doesn't have enough funds to send tx. The max upfront cost is: ${cost} and the sender's balance is: ${balance}.`);
    }
  }

  /** Puts a transaction in the mempool (checked first) and, with automine, mines it: its hash. */
  async submit(tx: TypedTransaction): Promise<string> {
    this.validate(tx);
    const hash = bytesToHex(tx.hash());
    const mempool = this.node.mempool.txs;
    mempool.push(tx);
    this.node.filters.transactionAdded(hash);
    if (!this.automine) return hash;
    try {
      await this.mineMempool();
    } catch (e) {
      // A block refused by verification: the call changes nothing, the transaction included.
      // A block refused by verification changes nothing, the transaction included; after an internal
      // error the transaction stays in the mempool (it is not the transaction's fault).
      if (e instanceof RpcError && e.code === VERIFICATION_FAILED && (e.data as { field?: string } | undefined)?.field !== undefined) {
        mempool.splice(mempool.indexOf(tx), 1);
      }
      throw e;
    }
    // Like Hardhat: a failed transaction is mined (status 0), then reported.
    const mined = this.node.chain.transaction(hash);
    const receipt = mined?.mined.receipts[mined.index];
    const { options } = this.node;
    if (receipt !== undefined && receipt.status === 0 && options.throwOnTransactionFailures !== false) {
      throw await executionFailure(receipt.error, receipt.returnValue, hash, options.errorDecoder, mined?.mined.block.transactions[mined.index].to?.toString());
    }
    return hash;
  }

  /**
   * Mines the mempool's ready transactions as one block, in the mempool's
   * order (blockOrder). A block refused by verification
   * (parallel_setVerification) changes nothing: no block, the mempool and
   * the next timestamp as they were.
   */
  async mineMempool(): Promise<MinedBlock> {
    this.pendingCache = undefined;
    const clock = this.node.clock.read();
    const timestamp = this.node.clock.takeTimestamp();
    let built: Built<MinedBlock>;
    try {
      built = await this.buildBlock(timestamp, (txs) => this.node.chain.mine(txs, timestamp, txs.map((tx) => this.node.mempool.senderOf(tx))));
    } catch (e) {
      // Nothing was mined: the clock and the mempool stay as they were (the transaction too).
      this.node.clock.restore(clock);
      if (e instanceof VerificationError) {
        throw new RpcError(VERIFICATION_FAILED, e.message, { blockNumber: quantity(e.blockNumber), transactionIndex: e.txIndex ?? null, transactionHash: e.txHash ?? null, field: e.field });
      }
      if (e instanceof ExecutionBugError) {
        throw new RpcError(INTERNAL_ERROR, e.message, { blockNumber: quantity(e.blockNumber), transactionIndex: e.txIndex, transactionHash: e.txHash });
      }
      throw e;
    }
    this.node.mempool.remove(new Set([...built.txs, ...built.dropped]));
    const mined = built.block;
    for (const r of mined.receipts) this.node.printLogs(r.consoleLogs);
    this.node.announce(mined);
    await this.node.observe(mined);
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
    const { mempool } = this.node;
    let txs = mempool.blockOrder(this.node.chain.pendingBaseFee());
    const dropped: TypedTransaction[] = [];
    for (;;) {
      try {
        return { block: await execute(txs), txs, dropped };
      } catch (e) {
        if (!(e instanceof InvalidBlockError)) throw e;
        const sender = mempool.senderOf(txs[e.txIndex]);
        const removed = txs.filter((tx, i) => i >= e.txIndex && mempool.senderOf(tx) === sender);
        if (!(e instanceof BlockGasLimitExceededError)) dropped.push(...removed);
        txs = txs.filter((tx) => !removed.includes(tx));
      }
    }
  }

  /** hardhat_mine: `n` blocks, each `step` seconds after the one before. */
  async mineRun(n: number, step: bigint): Promise<void> {
    // As Hardhat's network mines them: a run of fewer than 8 blocks block by block; a longer one as its
    // first two blocks, the ones in between reserved (built on demand, all with the base fee that
    // follows the second, no PREVRANDAO of their own) and the last, each `step` seconds after the one
    // before. Only the blocks mined for real reach filters and subscriptions.
    const real = n < SHORT_MINE_RUN ? n : 2;
    for (let i = 0; i < real; i++) {
      if (i > 0) this.node.clock.nextTimestamp = this.node.chain.head.block.header.timestamp + step;
      await this.mineMempool();
    }
    if (real === n) return;
    const second = this.node.chain.head.block.header.timestamp;
    await this.node.chain.reserve(n - 3, second + step, step);
    this.node.clock.nextTimestamp = second + BigInt(n - 2) * step;
    await this.mineMempool();
  }
}

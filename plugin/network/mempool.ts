/**
 * The mempool: transactions sent but not mined yet, in the order they
 * arrived, and the order a block takes them in (Hardhat's
 * mining.mempool.order).
 */
import { bytesToHex } from "@ethereumjs/util";
import type { TypedTransaction } from "@ethereumjs/tx";

import { Heap } from "../engine/heap";
import { effectiveGasPrice } from "./format";

export class Mempool {
  /** Pending transactions in the order they arrived. */
  readonly txs: TypedTransaction[] = [];
  private readonly senders = new WeakMap<TypedTransaction, string>();

  constructor(
    private readonly order: "priority" | "fifo",
    /** An account's nonce at the latest block. */
    private readonly accountNonce: (address: string) => bigint,
  ) {}

  get length(): number {
    return this.txs.length;
  }

  /** The sender as lowercase hex, recovered once per transaction (the mempool asks for it on every request). */
  /** Records the sender of a transaction the network signed itself with that sender's key (no recovery needed). */
  knownSender(tx: TypedTransaction, sender: string): TypedTransaction {
    this.senders.set(tx, sender);
    return tx;
  }

  senderOf(tx: TypedTransaction): string {
    let sender = this.senders.get(tx);
    if (sender === undefined) this.senders.set(tx, (sender = tx.getSenderAddress().toString()));
    return sender;
  }

  /** The account's nonce after the mempool's transactions that can be mined in a row (a nonce gap stops the count). */
  pendingNonce(address: string): bigint {
    let nonce = this.accountNonce(address);
    const queued = new Set<bigint>();
    for (const tx of this.txs) if (this.senderOf(tx) === address) queued.add(tx.nonce);
    while (queued.has(nonce)) nonce++;
    return nonce;
  }

  byHash(hash: string): TypedTransaction | undefined {
    return this.txs.find((tx) => bytesToHex(tx.hash()) === hash);
  }

  /** Removes the transaction with this hash: true if it was there. */
  drop(hash: string): boolean {
    const index = this.txs.findIndex((tx) => bytesToHex(tx.hash()) === hash);
    if (index < 0) return false;
    this.txs.splice(index, 1);
    return true;
  }

  /** Keeps only the transactions that are not in `gone` (those a block took or dropped). */
  remove(gone: Set<TypedTransaction>): void {
    this.replace(this.txs.filter((tx) => !gone.has(tx)));
  }

  /** Makes `txs` the mempool (a snapshot's, or none). */
  replace(txs: TypedTransaction[]): void {
    this.txs.length = 0;
    this.txs.push(...txs);
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
  blockOrder(baseFee: bigint | undefined): TypedTransaction[] {
    const queues = new Map<string, TypedTransaction[]>();
    for (const tx of this.txs) {
      const sender = this.senderOf(tx);
      let queue = queues.get(sender);
      if (queue === undefined) queues.set(sender, (queue = []));
      queue.push(tx);
    }
    const arrival = new Map(this.txs.map((tx, i) => [tx, i]));
    // Per sender: the transactions runnable in nonce order.
    const runs: TypedTransaction[][] = [];
    for (const [sender, queue] of queues) {
      queue.sort((a, b) => (a.nonce < b.nonce ? -1 : a.nonce > b.nonce ? 1 : arrival.get(a)! - arrival.get(b)!));
      const run: TypedTransaction[] = [];
      let next = this.accountNonce(sender);
      for (const tx of queue) if (tx.nonce === next) (run.push(tx), next++);
      if (run.length > 0) runs.push(run);
    }
    const tip = (tx: TypedTransaction): bigint => effectiveGasPrice(tx, baseFee) - (baseFee ?? 0n);
    // A heap of each sender's next transaction.
    const priority = this.order === "priority";
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
}

/**
 * evm_snapshot / evm_revert: what the network was at a point (the chain's
 * height and journal position, the mempool, the clock, the chain's
 * randomness) and putting it back.
 */
import type { TypedTransaction } from "@ethereumjs/tx";

import type { Chain } from "./chain";
import type { ClockReading } from "./clock";
import type { NetworkNode } from "./node";

interface Snapshot {
  block: number;
  position: number;
  mempool: TypedTransaction[];
  clock: ClockReading;
  randomness: ReturnType<Chain["saveRandomness"]>;
}

export class Snapshots {
  private readonly taken = new Map<number, Snapshot>();
  private nextId = 1;

  constructor(private readonly node: NetworkNode) {}

  /** Takes a snapshot and gives its id. */
  take(): number {
    this.node.stateMoved();
    const id = this.nextId++;
    this.taken.set(id, {
      block: this.node.chain.height,
      position: this.node.chain.journal.position,
      mempool: [...this.node.mempool.txs],
      clock: this.node.clock.read(),
      randomness: this.node.chain.saveRandomness(),
    });
    return id;
  }

  /** Puts the network back as it was at snapshot `id`: false if there is no such snapshot. */
  revert(id: number): boolean {
    const snap = this.taken.get(id);
    if (snap === undefined) return false;
    this.node.stateMoved();
    this.node.chain.rewind(snap.block, snap.position);
    this.node.mempool.replace(snap.mempool);
    this.node.clock.restore(snap.clock);
    this.node.chain.restoreRandomness(snap.randomness);
    // A snapshot is used up by reverting to it, and so is every later one.
    for (const k of [...this.taken.keys()]) if (k >= id) this.taken.delete(k);
    return true;
  }

  /** Forgets every snapshot and starts the ids again from 1 (hardhat_reset). */
  clear(): void {
    this.node.stateMoved();
    this.taken.clear();
    this.nextId = 1;
  }
}

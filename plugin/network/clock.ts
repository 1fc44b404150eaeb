/**
 * The network's clock: block timestamps are the wall clock plus an offset
 * (evm_increaseTime), unless evm_setNextBlockTimestamp set the next one.
 */
import type { NetworkNode } from "./node";

/** What evm_snapshot keeps of the clock, and what a block refused while mining puts back. */
export interface ClockReading {
  timeOffset: bigint;
  nextTimestamp?: bigint;
}

export class Clock {
  /** Seconds added to the wall clock (evm_increaseTime). */
  timeOffset = 0n;
  /** The next block's timestamp, set with evm_setNextBlockTimestamp (or evm_mine / hardhat_mine). */
  nextTimestamp?: bigint;

  constructor(private readonly node: NetworkNode) {}

  now(): bigint {
    return wallClock() + this.timeOffset;
  }

  /** Timestamp the next block would get: the one set with evm_setNextBlockTimestamp, else the clock, always after the parent. */
  peekTimestamp(): bigint {
    const parent = this.node.chain.head.block.header.timestamp;
    const wanted = this.nextTimestamp ?? this.now();
    if (wanted > parent) return wanted;
    // A clock behind the parent (time travel, a set timestamp) reuses the parent's timestamp when that is allowed.
    return this.node.options.allowBlocksWithSameTimestamp === true ? parent : parent + 1n;
  }

  /**
   * The next block's timestamp, for a block being mined now. A set
   * timestamp is used once and, as on Hardhat's network, moves the clock:
   * later blocks count on from it (the offset to the wall clock becomes
   * timestamp - now), so evm_increaseTime after time.increaseTo adds to the
   * set time.
   */
  takeTimestamp(): bigint {
    const t = this.peekTimestamp();
    if (this.nextTimestamp !== undefined) this.timeOffset = this.nextTimestamp - wallClock();
    this.nextTimestamp = undefined;
    return t;
  }

  read(): ClockReading {
    return { timeOffset: this.timeOffset, nextTimestamp: this.nextTimestamp };
  }

  restore(reading: ClockReading): void {
    this.timeOffset = reading.timeOffset;
    this.nextTimestamp = reading.nextTimestamp;
  }
}

/** Seconds since the epoch, now. */
function wallClock(): bigint {
  return BigInt(Math.floor(Date.now() / 1000));
}

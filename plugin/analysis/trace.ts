/**
 * What the conflict analysis needs of one executed block, whatever its
 * source (a workload preset, a recorded mainnet block, a block mined on the
 * parallel network): per transaction its read and write sets as the
 * sequential executor saw them, its execution time and gas, and optionally
 * the keccak preimages of the run and the wasted incarnations a parallel run
 * measured.
 */
import type { StorageSiteSink } from "../engine/prepare";
import type { Read, WastedIncarnation, Write } from "../engine/types";

export interface TxTrace {
  /** 0x-prefixed transaction hash. */
  hash: string;
  /** Sender, 40 lowercase hex digits without 0x (the engine's address form). */
  from: string;
  /** Recipient in the same form, null for a contract creation. */
  to: string | null;
  /** First four bytes of the calldata (8 hex digits, no 0x), when a call carries them: the function called. */
  selector?: string;
  /** The contract a creation made (40 hex digits, no 0x). */
  created?: string;
  reads: readonly Read[];
  writes: readonly Write[];
  /** Execution time on the sequential executor, microseconds. */
  micros: number;
  gasUsed: bigint;
}

export interface BlockTrace {
  number: number;
  /** 0x-prefixed block hash, when the block has one. */
  hash?: string;
  /** Fee recipient, 40 lowercase hex digits without 0x. */
  beneficiary: string;
  timestamp: bigint;
  /** The block's number as the EVM sees it (NUMBER), for recognising `lastUpdated` writes. */
  blockNumber?: bigint;
  txs: readonly TxTrace[];
  /** Time the block spends outside transaction execution, microseconds (the scheduler model's serial part). */
  serialMicros: number;
  /** Where each transaction read and wrote each storage slot (see StorageSiteSink), when recorded. */
  storageSites?: StorageSiteSink;
  /** When the block also ran on the parallel executor: what that run wasted, and on which location. */
  measured?: MeasuredRun;
}

export interface MeasuredRun {
  workers: number;
  mode: "sequential" | "parallel";
  /** Incarnations beyond the first, summed over the block's transactions. */
  reexecutions: number;
  wasted: readonly WastedIncarnation[];
  /** Calling-thread time per finished incarnation, microseconds (feeds the scheduler model). */
  coordinatorMicros?: number;
}

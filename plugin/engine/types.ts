/**
 * The engine's vocabulary. Everything the scheduler, the multi-version memory
 * and the workers exchange is named here; nothing in this file knows the EVM.
 *
 * A *location* is one independently versioned piece of state. Locations are
 * encoded as short strings (see location.ts) so they can be Map keys and cross
 * thread boundaries without conversion.
 */

/** Position of a transaction in its block: the preset order is ground truth. */
export type TxIndex = number;

/** How many times a transaction has been (re-)started. Starts at 0. */
export type Incarnation = number;

/** Encoded location key, see location.ts. */
export type LocationKey = string;

/** Account fields that are not the balance: they change far less often. */
export interface AccountInfo {
  nonce: bigint;
  /** keccak256 of the code, 0x-prefixed hex. */
  codeHash: string;
  /** Whether the account holds any storage (only needed for EIP-7610 collisions). */
  hasStorage: boolean;
}

/**
 * Values stored at a location:
 * - balance and storage locations hold a bigint;
 * - info locations hold an AccountInfo, or null when the account does not exist;
 * - wipe locations hold the index (plus one) of the tx that last wiped the
 *   account's storage; 0 means never wiped in this block.
 */
export type LocationValue = bigint | AccountInfo | null;

/** Who produced a value a transaction read. */
export type ReadOrigin =
  /** The state before the block (after the block's system pre-phase). */
  | { kind: "base" }
  /** A lower transaction of this block, at the given incarnation. */
  | { kind: "tx"; tx: TxIndex; incarnation: Incarnation };

/**
 * One logical read. `key` is the location read; the value is the *effective*
 * value (after applying storage wipes or beneficiary fee deltas), and
 * validation recomputes it with the same resolver. `predicate` marks a read
 * that only observed whether the balance is non-zero (the beneficiary's fee
 * payment), which stays valid as long as that answer does.
 */
export interface Read {
  key: LocationKey;
  value: LocationValue;
  origin: ReadOrigin;
  predicate?: "nonzero";
}

/**
 * One write. `delta` marks a balance increment that commutes with other
 * increments (fees paid to the block beneficiary): it adds to whatever the
 * balance is rather than replacing it.
 */
export interface Write {
  key: LocationKey;
  value: LocationValue;
  delta?: boolean;
}

export interface TxWriteSet {
  writes: Write[];
  code: [string, Uint8Array][];
}

/** A log entry as the EVM emits it: [address, topics, data]. */
export type LogEntry = [Uint8Array, Uint8Array[], Uint8Array];

/** What the receipt of one transaction holds before cumulative gas is known. */
export interface TxReceiptData {
  /** 1 success, 0 failure (post-Byzantium). */
  status: 0 | 1;
  /** Gas the receipt reports (after refunds); cumulative gas is summed from it. */
  gasUsed: bigint;
  /** Gas counted towards the block's gasUsed (differs from gasUsed only from EIP-7778 on). */
  blockGasUsed: bigint;
  logs: LogEntry[];
  /** The tx's own logs bloom (256 bytes). */
  bloom: Uint8Array;
  /** Blob gas used (EIP-4844), when the tx carries blobs. */
  blobGasUsed?: bigint;
  blobGasPrice?: bigint;
  /** Address created by a contract-creation tx. */
  createdAddress?: string;
  /** Revert or halt reason from the EVM, when status is 0. */
  error?: string;
  /** Raw return data (revert data included). */
  returnValue: Uint8Array;
  /** Sender recovered from the signature, 0x-prefixed lowercase. */
  sender: string;
  /** Fee paid to the beneficiary. */
  minerValue: bigint;
  /** Calldata of Solidity console.log calls, in order (only when there were some). */
  consoleLogs?: Uint8Array[];
}

/** The result of one incarnation of one transaction. */
export type ExecutionOutcome =
  | {
      kind: "executed";
      tx: TxIndex;
      incarnation: Incarnation;
      reads: Read[];
      writeSet: TxWriteSet;
      receipt: TxReceiptData;
      /** Wall time of this incarnation in microseconds. */
      micros: number;
    }
  /** The tx read an ESTIMATE of a lower tx and must wait for it. */
  | { kind: "blocked"; tx: TxIndex; incarnation: Incarnation; dependency: TxIndex; key?: LocationKey; micros: number }
  /**
   * The tx is invalid (bad nonce, insufficient funds, ...): the block is
   * invalid if this holds when committed. With `internal`, execution threw
   * something that is not a validity error: a bug of the engine (or, in a
   * speculative incarnation, of inconsistent reads that validation will
   * discard); if it holds when committed it is reported as a bug, never as an
   * invalid transaction.
   */
  | { kind: "invalid"; tx: TxIndex; incarnation: Incarnation; reads: Read[]; error: string; internal?: boolean; sender?: string; micros: number };

/** Why a block ran sequentially although parallel execution was asked for. */
export type FallbackReason =
  | "small-block"
  /** One sender's nonce chain holds nearly the whole block: nothing to run side by side. */
  | "nonce-chain"
  | "runaway-reexecution"
  | "worker-failure";

export interface TxStats {
  incarnations: number;
  /** Execution time of the final incarnation, microseconds. */
  micros: number;
  /** Execution time of all incarnations, microseconds. */
  totalMicros: number;
  /**
   * Parallel mode: the thread that ran each incarnation whose outcome
   * arrived, in arrival order (0 the calling thread, i the worker thread i - 1,
   * as in BlockStats.executedBy).
   */
  executedBy?: number[];
}

/**
 * Why one incarnation was wasted: the location whose value it read had
 * changed (an abort at validation) or was an ESTIMATE (it stopped). The
 * conflict analysis blames re-executions on these locations.
 */
export interface WastedIncarnation {
  tx: TxIndex;
  key: LocationKey;
  /** Execution time of the wasted incarnation, microseconds. */
  micros: number;
  cause: "abort" | "estimate";
}

export interface BlockStats {
  mode: "sequential" | "parallel";
  workers: number;
  fallbackReason?: FallbackReason;
  /** Human-readable detail for the fallback or any recovered fault. */
  events: string[];
  txs: TxStats[];
  /** Incarnations beyond the first, summed over txs. */
  reexecutions: number;
  /** Incarnations that ended on an ESTIMATE (or stopped at a read a lower, unfinished tx likely writes). */
  blocked: number;
  /** Parallel mode: re-executions held back, without running, until a lower tx they would read from has executed. */
  waits?: number;
  /** Every wasted incarnation and the location that wasted it (parallel mode). */
  wasted: WastedIncarnation[];
  /** Read-set validations performed by the coordinator. */
  validations: number;
  /** Validations that failed (the tx was aborted). */
  aborts: number;
  /** Wall time of transaction execution, ms. */
  executionMs: number;
  /** Calling-thread time spent coordinating (results, validation, commits, dispatch), ms. */
  coordinatorMs: number;
  /**
   * Incarnations each executing thread ran, the calling thread first (parallel
   * mode only). A worker thread still starting up runs none: small blocks can
   * finish on the calling thread alone.
   */
  executedBy?: number[];
  /** Execution time of those incarnations per thread (same order), ms: how busy each thread was. */
  busyMsBy?: number[];
  /** Wall time of the state-root computation, ms (0 when not computed). */
  stateRootMs: number;
  /** executionMs + stateRootMs + pre/post phases. */
  wallMs: number;
}

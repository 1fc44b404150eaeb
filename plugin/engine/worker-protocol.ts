/**
 * Messages between the coordinator and a worker session. One piscina task is
 * one block on one worker: it receives a MessagePort and exchanges these
 * until "end". The worker takes first executions off the block's claim board
 * itself; "exec" tasks (re-executions, chain links) and "updates" messages
 * carry the memory updates it has not seen yet, so its mirror only lags,
 * never diverges.
 */
import type { FlatStateSnapshot, StateDiff } from "./flat-state";
import type { MVUpdate } from "./mv-memory";
import type { ExecutionOutcome, Incarnation, TxIndex, TxWriteSet } from "./types";
import type { ExecutionRules } from "./prepare";
import type { ForcedEstimate } from "./test-hooks";

export interface SessionConfig {
  port: import("node:worker_threads").MessagePort;
  /** RLP of the block header (the execution environment). */
  headerRlp: Uint8Array;
  /** Whether the block has a withdrawals list (Shanghai and later). */
  withdrawals: boolean;
  /** Serialized transactions, parsed by the worker when it first runs each. */
  txs: Uint8Array[];
  /** Transactions whose sender is given, not recovered (BlockInput.knownSenders). */
  knownSenders?: [TxIndex, string][];
  rules?: ExecutionRules;
  chain: unknown;
  hardfork: string;
  eips: number[];
  needsKzg: boolean;
  blockHashes: [bigint, Uint8Array][];
  /** Writes of the block's pre phase (beacon root, history), applied over the replica. */
  prePhase: TxWriteSet;
  /** Random delays before each execution, for tests: [seed, max microseconds]. */
  jitter?: [number, number];
  /** The block's ClaimBoard (SharedArrayBuffer): first executions this worker may take itself. */
  claims?: SharedArrayBuffer;
  /** This worker's id on the board (2 and up). */
  claimId?: number;
  /** For tests: a read that hits an ESTIMATE (ParallelOptions.forceEstimate). */
  forceEstimate?: ForcedEstimate;
  /** For tests: fail (see crashMode) when executing this tx, once per session. */
  crashAt?: TxIndex;
  crashMode?: "throw" | "exit";
}

export type ToWorker =
  /** The worker's replica is current (neither field), or is replaced (snapshot), or catches up (diffs, in order). */
  | { type: "state"; snapshot?: FlatStateSnapshot; diffs?: StateDiffMessage[] }
  | { type: "exec"; tx: TxIndex; incarnation: Incarnation; updates: MVUpdate[] }
  /** Memory updates to apply to the mirror (sent between tasks, since workers claim first executions themselves). */
  | { type: "updates"; updates: MVUpdate[] }
  /** Recover the senders' public keys of txs [from, to) (in-order mode: the calling thread will need them). */
  | { type: "recover"; from: TxIndex; to: TxIndex }
  | { type: "end" };

export type FromWorker =
  | { type: "hello"; stateId: string; stateVersion: number }
  | { type: "ready" }
  /** `claimed`: the worker took this first execution off the claim board itself (not an "exec" task). */
  | { type: "outcome"; outcome: ExecutionOutcome; claimed: boolean }
  /** Public keys (64 bytes) of txs from `from` on; an empty array where the signature did not recover. */
  | { type: "recovered"; from: TxIndex; keys: Uint8Array[] };

/** A StateDiff in structured-clone form. */
export interface StateDiffMessage {
  entries: StateDiff["entries"];
  wiped: StateDiff["wiped"];
  code: StateDiff["code"];
}

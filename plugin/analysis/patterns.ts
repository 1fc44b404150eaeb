/**
 * Why a location makes transactions conflict, and what to change. The rules
 * read the block's behaviour first (how writers changed the value) and the
 * variable's name and type second, so they also work on contracts compiled
 * elsewhere (real chain blocks), where only the address and slot are known.
 *
 * Protocol conflicts (one sender's nonce chain, the fee recipient) are kept
 * apart from application ones: a contract's author can do nothing about them.
 */
import type { LocationFacts } from "./location-facts";

export type ConflictPattern =
  /** One sender's transactions follow each other through its nonce. */
  | "nonce-chain"
  /** Fee payments to the block's beneficiary observed by a later transaction. */
  | "beneficiary"
  /** A contract's own nonce (each CREATE from it bumps it). */
  | "creator-nonce"
  /** A slot written and restored within the transaction (a reentrancy guard). */
  | "reentrancy-lock"
  /** A counter every call bumps by one (next id, total count). */
  | "counter"
  /** The length of a dynamic array every call pushes to. */
  | "array-length"
  /** A running total every call adds to or subtracts from (supplies, fees, totals). */
  | "accumulator"
  /** A `lastUpdated` time or block written with the block's timestamp or number. */
  | "timestamp"
  /** An AMM pool's reserves: every swap on the pool reads and rewrites them. */
  | "amm-reserves"
  /** One account's balance (ether, or a token's balance entry) that many transactions change. */
  | "hot-balance"
  /** Unrelated variables packed in one slot, changed by different transactions. */
  | "packed-slot"
  /** Any other shared state read and written by many transactions. */
  | "shared-state";

export interface Classification {
  pattern: ConflictPattern;
  /** Protocol conflicts come from the chain's rules, not from the contract. */
  origin: "protocol" | "application";
  /** Every writer changed the value by an amount (no writer set it blindly): delta writes would make it commute. */
  commutative: boolean;
  remedy: string;
}

/** What the classifier knows of the variable, when the contract's storage layout named it. */
export interface VariableHint {
  /** Full path, e.g. `markets[0x…].totalBorrows`. */
  variable: string;
  /** Solidity type of the leaf, e.g. `uint112`. */
  type: string;
  /** Labels of every variable packed in the slot (more than one: packed). */
  packed: string[];
  /** Whether the slot is a dynamic array's length. */
  arrayLength: boolean;
}

export interface ClassifyInput {
  facts: LocationFacts;
  beneficiary: string;
  /** Whether every dependency through the location joins two transactions of the sender the location belongs to. */
  sameSenderChain: boolean;
  /** Whether the account at the address has code (a contract). */
  isContract: boolean;
  /** Packed fields each writer changed, when the layout names them (labels). */
  changedFields?: string[][];
  hint?: VariableHint;
}

/** Patterns whose updates are additions that a delta write would make commute. */
const COMMUTING = new Set<ConflictPattern>(["counter", "array-length", "accumulator", "hot-balance"]);

const REMEDIES: Record<ConflictPattern, string> = {
  "nonce-chain": "Protocol: one sender's transactions run in nonce order. Spread work over several sending accounts if throughput from one sender matters.",
  beneficiary: "Protocol: a transaction read the fee recipient's balance. Avoid reading block.coinbase's balance in contracts.",
  "creator-nonce": "Each CREATE bumps the deploying contract's nonce. Deploy through several factories, or let users deploy their own instances (clones with CREATE2 from per-user factories).",
  "reentrancy-lock": "A guard written and restored in storage orders every call. Keep it in transient storage (EIP-1153, e.g. OpenZeppelin's ReentrancyGuardTransient): it then conflicts with nothing.",
  counter: "A shared counter orders every call that bumps it. Derive ids from the caller (hash of sender and a per-user nonce), keep counts per user, or let the chain apply the increment as a commutative delta.",
  "array-length": "Pushing to one array orders every call. Use a mapping keyed by a per-user id, or per-user arrays.",
  accumulator: "A running total updated by every call. Keep per-user (or per-shard) totals and sum them when read, or update it as a commutative delta where the chain offers one.",
  timestamp: "A last-updated timestamp or block number rewritten by every call. Write it only when it changes (once per block) and read it only where needed, or keep it per user.",
  "amm-reserves": "Every swap on one pool reads and rewrites its reserves: inherent to a constant-product pool. Parallelism comes from many pools; batch swaps of one pool (one settlement per block) to avoid the chain.",
  "hot-balance": "One account's balance changed by many transactions (a popular recipient, a fee collector). Let the recipient pull (claim) instead of pushing to it, or collect fees per payer and sweep later.",
  "packed-slot": "Unrelated variables share one storage slot, so writing one conflicts with readers of the others. Move the frequently written variable into a slot of its own.",
  "shared-state": "Shared state read and written by many transactions. Partition it by user, asset or id so unrelated transactions touch different slots.",
};

export function classify(input: ClassifyInput): Classification {
  const pattern = patternOf(input);
  const { facts } = input;
  // Reserves, timestamps, locks and packed slots change by amounts too, but not as updates that commute.
  const commutative = COMMUTING.has(pattern) && facts.writers.length > 0 && facts.blindWriters === 0 && facts.deltas.some((d) => d !== 0n);
  return {
    pattern,
    origin: pattern === "nonce-chain" || pattern === "beneficiary" ? "protocol" : "application",
    commutative,
    remedy: REMEDIES[pattern],
  };
}

function patternOf({ facts, beneficiary, sameSenderChain, isContract, changedFields, hint }: ClassifyInput): ConflictPattern {
  if (facts.kind === "info" || facts.kind === "wipe") return isContract ? "creator-nonce" : sameSenderChain ? "nonce-chain" : "shared-state";
  if (facts.kind === "balance") return facts.address === beneficiary ? "beneficiary" : "hot-balance";
  const label = (hint?.variable ?? "").toLowerCase();
  const writers = facts.writers.length;
  if (writers > 0 && facts.restoringWriters === writers) return "reentrancy-lock";
  if (changedFields !== undefined && changedFields.length > 1 && disjointFields(changedFields)) return "packed-slot";
  // A pool's reserve0/reserve1 (or reserves), not any total named "reserves" (a lending market's totalReserves).
  const isReserve = (name: string): boolean => /^_?reserves?[01]?$/i.test(name.slice(name.lastIndexOf(".") + 1));
  if (isReserve(label) || (hint?.packed ?? []).some(isReserve)) return "amm-reserves";
  const increments = facts.blindWriters === 0 && facts.deltas.length > 0;
  const byOne = increments && facts.deltas.every((d) => d === 1n || d === -1n);
  if (byOne && hint?.arrayLength === true) return "array-length";
  if (facts.timestampWriters === writers && writers > 0) return "timestamp";
  // A balance entry stays a balance even when every transfer moves one unit.
  if (/balance/.test(label)) return "hot-balance";
  if (byOne) return "counter";
  if (increments) return "accumulator";
  return "shared-state";
}

/** Whether no packed field was changed by every writer: the writers touch different variables of the slot. */
function disjointFields(changed: string[][]): boolean {
  const all = new Set(changed.flat());
  if (all.size < 2) return false;
  for (const field of all) if (changed.every((c) => c.includes(field))) return false;
  return true;
}

/**
 * Workload knobs and the presets built from them. Every knob is validated
 * with an error naming it and its valid range (WorkloadParameterError).
 */
import { WorkloadParameterError } from "./errors";

/** One kind of transaction a workload can put in its block. */
export const ACTIONS = [
  "eth-transfer",
  "erc20-transfer",
  "swap",
  "swap-multihop",
  "add-liquidity",
  "supply",
  "withdraw",
  "borrow",
  "repay",
  "nft-mint",
  "nft-buy",
] as const;
export type Action = (typeof ACTIONS)[number];

export type ActionMix = Partial<Record<Action, number>>;

export interface WorkloadKnobs {
  /** Transactions in the measured block. */
  txs: number;
  /** User accounts (senders, recipients, sellers); the deployer comes on top. */
  accounts: number;
  /** Transactions each sender sends in the block (a nonce chain of this length). */
  txsPerSender: number;
  /** AMM pools (pool i trades token i against token i+1). */
  pools: number;
  /** Lending markets. */
  markets: number;
  /** NFT collections. */
  collections: number;
  /** Zipf exponent of popularity over pools, markets, collections and recipients: 0 uniform, larger hotter. */
  skew: number;
  /** Share of each action in the block (normalized; zero or absent means never). */
  mix: ActionMix;
  seed: number;
}

export interface Preset {
  name: PresetName;
  /** What the block does. */
  description: string;
  /** The contention to expect, and why. */
  expectedContention: string;
  knobs: Omit<WorkloadKnobs, "txs" | "accounts" | "seed" | "txsPerSender">;
}

export const PRESET_NAMES = ["transfers", "amm", "amm-hot", "lending", "nft-mint", "nft-market", "mixed"] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

const NO_PROTOCOL = { pools: 1, markets: 1, collections: 1 };

export const PRESETS: Record<PresetName, Preset> = {
  transfers: {
    name: "transfers",
    description: "Plain ETH transfers and ERC-20 transfers of one token among many accounts, recipients uniform.",
    expectedContention:
      "Low, in short chains: each transaction writes only its sender's and recipient's balances (the beneficiary's fee is a commutative delta), so two conflict only when they share an account: the same recipient (about txs / (2 x accounts) of transactions at skew 0) or a sender that received earlier in the block (about senders / (2 x accounts)). With 2,000 transactions over 10,000 accounts about 17% depend on an earlier one, but chains stay two or three long, so the ideal speedup is far above any worker count. Raise `skew` to make some recipients hot.",
    knobs: { ...NO_PROTOCOL, skew: 0, mix: { "eth-transfer": 0.5, "erc20-transfer": 0.5 } },
  },
  amm: {
    name: "amm",
    description: "Token swaps over many constant-product pools with moderate popularity skew; a tenth are two-hop swaps.",
    expectedContention:
      "Per pool: every swap reads and writes its pair's reserve0/reserve1 (one slot) and the pair's token balances, so swaps on one pool form a chain while different pools run side by side. With Zipf skew 1 the busiest pools dominate the critical path; two-hop swaps join two pools' chains.",
    knobs: { pools: 16, markets: 1, collections: 1, skew: 1, mix: { swap: 0.9, "swap-multihop": 0.1 } },
  },
  "amm-hot": {
    name: "amm-hot",
    description: "Every transaction swaps on the same pool, in both directions.",
    expectedContention:
      "Total: each swap depends on the previous one through the pair's reserves, so the block is one dependency chain and the ideal speedup is 1x whatever the worker count; a good executor stays close to sequential speed.",
    knobs: { pools: 1, markets: 1, collections: 1, skew: 0, mix: { swap: 1 } },
  },
  lending: {
    name: "lending",
    description: "Supplies, borrows, repayments and withdrawals over a few lending markets.",
    expectedContention:
      "High within a market: every action updates the market's totals (totalSupplyShares or totalBorrows) and the pool's token balance, and the first action in a market in the block accrues interest (borrowIndex, accrualBlockNumber) that the others read. Markets are mostly independent, so the ideal speedup is near the number of busy markets; borrows and withdrawals also read the user's positions in all markets and the oracle.",
    knobs: { pools: 1, markets: 3, collections: 1, skew: 0.5, mix: { supply: 0.4, borrow: 0.25, repay: 0.25, withdraw: 0.1 } },
  },
  "nft-mint": {
    name: "nft-mint",
    description: "Public mints from one NFT collection, each paying the mint price.",
    expectedContention:
      "Total: every mint increments the collection's token counter and its ETH balance (the mint proceeds), so mints form one chain — the classic hot counter. Partitioned counters or pre-assigned ids remove it.",
    knobs: { pools: 1, markets: 1, collections: 1, skew: 0, mix: { "nft-mint": 1 } },
  },
  "nft-market": {
    name: "nft-market",
    description: "Purchases of distinct marketplace listings (paid in ETH) across a few collections.",
    expectedContention:
      "The tokens are distinct, yet every purchase adds to the marketplace's protocol-fee accumulator (accruedFees) and its ETH balance, and pays the collection's royalty receiver: fee accumulators serialize otherwise independent sales. The conflict analysis should name accruedFees and suggest per-seller or delta accounting.",
    knobs: { pools: 1, markets: 1, collections: 4, skew: 0.5, mix: { "nft-buy": 1 } },
  },
  mixed: {
    name: "mixed",
    description:
      "A mainnet-like mix: about 30% ETH transfers, 25% ERC-20 transfers, 23% swaps, 12% lending actions and 10% NFT mints and purchases.",
    expectedContention:
      "Moderate: transfers are nearly independent, swaps contend on the popular pools, lending on its markets and NFT actions on collection counters and marketplace fees; the ideal speedup is set by the longest of those chains.",
    knobs: {
      pools: 16,
      markets: 3,
      collections: 4,
      skew: 1,
      mix: { "eth-transfer": 0.3, "erc20-transfer": 0.25, swap: 0.2, "swap-multihop": 0.03, supply: 0.04, borrow: 0.03, repay: 0.03, withdraw: 0.02, "nft-mint": 0.05, "nft-buy": 0.05 },
    },
  },
};

/** Defaults for the knobs presets leave to the caller. */
export const DEFAULT_SIZE = { txs: 1000, accounts: 4000, txsPerSender: 1, seed: 1 } as const;

const LIMITS = {
  txs: [1, 100_000],
  accounts: [2, 1_000_000],
  pools: [1, 1000],
  markets: [1, 16],
  collections: [1, 100],
} as const;
export const MAX_SKEW = 4;

/** A preset's knobs with the caller's overrides, validated. */
export function resolveKnobs(preset: string, overrides: Partial<WorkloadKnobs> = {}): WorkloadKnobs & { preset: PresetName } {
  if (!(PRESET_NAMES as readonly string[]).includes(preset)) {
    throw new WorkloadParameterError("preset", `one of ${PRESET_NAMES.join(", ")}`, preset);
  }
  const base = PRESETS[preset as PresetName];
  const knobs = { ...DEFAULT_SIZE, ...base.knobs, ...stripUndefined(overrides), preset: preset as PresetName };
  validateKnobs(knobs);
  return knobs;
}

export function validateKnobs(k: WorkloadKnobs): void {
  for (const [name, [min, max]] of Object.entries(LIMITS)) {
    const v = k[name as keyof typeof LIMITS];
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new WorkloadParameterError(name, `an integer from ${min} to ${max}`, v);
    }
  }
  if (!Number.isInteger(k.txsPerSender) || k.txsPerSender < 1 || k.txsPerSender > k.txs) {
    throw new WorkloadParameterError("txsPerSender", `an integer from 1 to txs (${k.txs})`, k.txsPerSender);
  }
  const senders = Math.ceil(k.txs / k.txsPerSender);
  if (senders > k.accounts) {
    throw new WorkloadParameterError(
      "accounts",
      `at least the number of senders, txs / txsPerSender = ${senders} (raise accounts or txsPerSender)`,
      k.accounts,
    );
  }
  if (typeof k.skew !== "number" || !Number.isFinite(k.skew) || k.skew < 0 || k.skew > MAX_SKEW) {
    throw new WorkloadParameterError("skew", `a number from 0 (uniform) to ${MAX_SKEW} (nearly all on one item)`, k.skew);
  }
  if (!Number.isInteger(k.seed) || k.seed < 0 || k.seed > 0xffffffff) {
    throw new WorkloadParameterError("seed", "an integer from 0 to 4294967295", k.seed);
  }
  let total = 0;
  for (const [action, share] of Object.entries(k.mix)) {
    if (!(ACTIONS as readonly string[]).includes(action)) {
      throw new WorkloadParameterError(`mix.${action}`, `an action among ${ACTIONS.join(", ")}`, action);
    }
    if (typeof share !== "number" || !Number.isFinite(share) || share < 0) {
      throw new WorkloadParameterError(`mix.${action}`, "a share of at least 0", share);
    }
    total += share;
  }
  if (total <= 0) throw new WorkloadParameterError("mix", "at least one action with a share above 0", k.mix);
  if ((k.mix["swap-multihop"] ?? 0) > 0 && k.pools < 2) {
    throw new WorkloadParameterError("pools", "at least 2 when the mix has swap-multihop (a two-hop path crosses two pools)", k.pools);
  }
  if (k.accounts < 2 && ((k.mix["eth-transfer"] ?? 0) > 0 || (k.mix["erc20-transfer"] ?? 0) > 0 || (k.mix["nft-buy"] ?? 0) > 0)) {
    throw new WorkloadParameterError("accounts", "at least 2 for transfers and purchases (sender and counterparty differ)", k.accounts);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

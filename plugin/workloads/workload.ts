/**
 * Seeded DeFi workloads: `generateWorkload("amm", { txs: 500 }, artifacts)`
 * returns signed setup blocks and one measured block of EIP-1559
 * transactions from many distinct senders, valid on Hardhat's own network
 * (chain id 31337, its default hardfork) and on the project's executors.
 * The same preset, knobs and seed give the same transactions on every
 * machine. See knobs.ts for the presets and the contention each should show.
 */
import type { FeeMarket1559Tx } from "@ethereumjs/tx";

import { testAccounts } from "./accounts";
import type { TestAccount } from "./accounts";
import { WorkloadBuilder } from "./builder";
import type { ArtifactReader } from "./builder";
import { PRESETS, resolveKnobs } from "./knobs";
import type { Action, PresetName, WorkloadKnobs } from "./knobs";
import { Amm } from "./protocols/amm";
import { ProtocolContext, ONE_ETHER } from "./protocols/context";
import { Lending } from "./protocols/lending";
import { Nft } from "./protocols/nft";
import { Transfers } from "./protocols/transfers";
import { sharePicker, shuffle } from "./zipf";

/** ETH every account holds before setup (the genesis allocation). */
export const GENESIS_BALANCE = 1_000n * ONE_ETHER;

export interface Workload {
  preset: PresetName;
  knobs: WorkloadKnobs;
  description: string;
  expectedContention: string;
  /** User accounts; senders are drawn from them. */
  accounts: TestAccount[];
  /** Deploys and configures every contract, and funds holders. */
  deployer: TestAccount;
  /** Receivers of NFT royalties and marketplace fees (no transactions of their own). */
  roles: { royaltyReceiver: TestAccount; feeRecipient: TestAccount };
  /** Accounts funded with GENESIS_BALANCE before setup, 0x-prefixed lowercase. */
  genesis: string[];
  setupBlocks: FeeMarket1559Tx[][];
  setupLabels: string[][];
  /** The measured block, in order. */
  blockTxs: FeeMarket1559Tx[];
  /** What each block transaction does ("swap T3->T4", "nft-buy listing 12", ...). */
  blockLabels: string[];
  /** Sender of each block transaction, 0x-prefixed lowercase (scheduling hints). */
  senders: string[];
  /** Addresses of the deployed protocol contracts, by role. */
  contracts: Record<string, string>;
}

export function generateWorkload(preset: string, overrides: Partial<WorkloadKnobs>, artifacts: ArtifactReader): Workload {
  const knobs = resolveKnobs(preset, overrides);
  const all = testAccounts(knobs.accounts + 3, knobs.seed);
  const accounts = all.slice(0, knobs.accounts);
  const [deployer, royaltyReceiver, feeRecipient] = all.slice(knobs.accounts);
  const roles = { royaltyReceiver, feeRecipient };
  const builder = new WorkloadBuilder(artifacts, deployer, knobs.seed);
  const ctx = new ProtocolContext(builder, knobs, accounts, roles);

  // Protocols are deployed on first use, so a block deploys only what it needs.
  let transfers: Transfers | undefined;
  let amm: Amm | undefined;
  let lending: Lending | undefined;
  let nft: Nft | undefined;
  const run: Record<Action, (sender: TestAccount) => void> = {
    "eth-transfer": (s) => (transfers ??= new Transfers(ctx)).ethTransfer(s),
    "erc20-transfer": (s) => (transfers ??= new Transfers(ctx)).erc20Transfer(s),
    swap: (s) => (amm ??= new Amm(ctx)).swap(s),
    "swap-multihop": (s) => (amm ??= new Amm(ctx)).swapMultihop(s),
    "add-liquidity": (s) => (amm ??= new Amm(ctx)).addLiquidity(s),
    supply: (s) => (lending ??= new Lending(ctx)).supply(s),
    withdraw: (s) => (lending ??= new Lending(ctx)).withdraw(s),
    borrow: (s) => (lending ??= new Lending(ctx)).borrow(s),
    repay: (s) => (lending ??= new Lending(ctx)).repay(s),
    "nft-mint": (s) => (nft ??= new Nft(ctx)).mint(s),
    "nft-buy": (s) => (nft ??= new Nft(ctx)).buy(s),
  };

  // Distinct senders in a seeded order, each sending txsPerSender transactions.
  const senders = shuffle([...accounts], builder.rand).slice(0, Math.ceil(knobs.txs / knobs.txsPerSender));
  const pickAction = sharePicker(knobs.mix, builder.rand);
  for (let i = 0; i < knobs.txs; i++) run[pickAction()](senders[Math.floor(i / knobs.txsPerSender)]);

  const built = builder.build({ shuffleBlock: true });
  const contracts: Record<string, string> = {};
  if (amm !== undefined) Object.assign(contracts, { ammFactory: amm.factory.address, ammRouter: amm.router.address, weth: amm.weth.address });
  if (lending !== undefined) Object.assign(contracts, { lendingPool: lending.pool.address, priceOracle: lending.oracle.address });
  return {
    preset: knobs.preset,
    knobs,
    description: PRESETS[knobs.preset].description,
    expectedContention: PRESETS[knobs.preset].expectedContention,
    accounts,
    deployer,
    roles,
    genesis: [...accounts, deployer, royaltyReceiver, feeRecipient].map((a) => a.address.toString()),
    ...built,
    contracts,
  };
}

/**
 * What every protocol module gets: the builder, the knobs, the accounts and
 * seeded randomness, plus the shared helpers for test tokens.
 */
import type { TestAccount } from "../accounts";
import { SetupPhase } from "../builder";
import type { DeployedContract, FundedToken, WorkloadBuilder } from "../builder";
import type { WorkloadKnobs } from "../knobs";
import { zipfPicker } from "../zipf";

/** A far-future deadline (year 2106): workload swaps never expire, whatever the chain's clock. */
export const NO_DEADLINE = 0xffffffffn;
export const ONE_ETHER = 10n ** 18n;

export class ProtocolContext {
  private readonly pickers = new Map<number, () => number>();

  constructor(
    readonly builder: WorkloadBuilder,
    readonly knobs: WorkloadKnobs,
    readonly accounts: TestAccount[],
    /** Accounts with a role but no transactions of their own in the block (fee and royalty receivers). */
    readonly roles: { royaltyReceiver: TestAccount; feeRecipient: TestAccount },
  ) {}

  get rand(): () => number {
    return this.builder.rand;
  }

  get deployer(): TestAccount {
    return this.builder.deployer;
  }

  /** An index in [0, n) following the workload's popularity skew (0 is the most popular). */
  popular(n: number): number {
    let picker = this.pickers.get(n);
    if (picker === undefined) this.pickers.set(n, (picker = zipfPicker(n, this.knobs.skew, this.rand)));
    return picker();
  }

  /** A uniformly random integer in [min, max]. */
  between(min: number, max: number): number {
    return min + Math.floor(this.rand() * (max - min + 1));
  }

  /** An account other than `not`, popular ones first (transfer recipients, sellers). */
  counterparty(not: TestAccount): TestAccount {
    const i = this.popular(this.accounts.length);
    const a = this.accounts[i];
    return a.hex !== not.hex ? a : this.accounts[(i + 1) % this.accounts.length];
  }

  /**
   * Deploys a TestToken whose funded holders get `fundingWhole` whole tokens
   * each. The deployer (its owner) can mint to itself during configuration.
   */
  deployToken(name: string, symbol: string, decimals: number, fundingWhole: bigint): FundedToken {
    const contract = this.builder.deploy("TestToken", [name, symbol, decimals]);
    return { contract, symbol, decimals, fundingAmount: fundingWhole * 10n ** BigInt(decimals) };
  }

  /** Configuration-phase mint of `amount` to the deployer and its unlimited approval of `spender`. */
  deployerFunds(token: FundedToken, amount: bigint, spender: DeployedContract): void {
    this.builder.setup(SetupPhase.Configure, {
      from: this.deployer,
      to: token.contract.address,
      data: token.contract.encode("mint", [this.deployer.address.toString(), amount]),
      gasLimit: 120_000n,
      label: `mint ${token.symbol} to the deployer`,
    });
    this.builder.setup(SetupPhase.Configure, {
      from: this.deployer,
      to: token.contract.address,
      data: token.contract.encode("approve", [spender.address, (1n << 256n) - 1n]),
      gasLimit: 60_000n,
      label: `deployer approves ${spender.name} for ${token.symbol}`,
    });
  }
}

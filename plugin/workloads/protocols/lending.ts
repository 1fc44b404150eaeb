/**
 * Lending traffic on the bundled LendingPool: a few markets with different
 * decimals and prices, one kinked rate model, a settable oracle. The deployer
 * supplies deep liquidity to every market. Each block action comes with the
 * position it needs, built in setup: a withdrawal has a deposit behind it, a
 * borrow has collateral (in another market when there is one), a repayment
 * has a loan. Amounts are small against collateral (a borrow of $100 against
 * $1,000 at a 75% collateral factor), so every action succeeds.
 */
import type { TestAccount } from "../accounts";
import { SetupPhase } from "../builder";
import type { DeployedContract, FundedToken } from "../builder";
import type { ProtocolContext } from "./context";

const E18 = 10n ** 18n;
/** Per market: decimals and USD price of one whole token (an oracle price is USD x 1e18 per whole token). */
const MARKET_ASSETS = [
  { symbol: "LUSD", decimals: 6, usd: 1n },
  { symbol: "LETH", decimals: 18, usd: 2_000n },
  { symbol: "LBTC", decimals: 8, usd: 30_000n },
  { symbol: "LLINK", decimals: 18, usd: 10n },
];
/** Deep liquidity the deployer supplies to each market, in USD. */
const SEED_LIQUIDITY_USD = 50_000_000n;
const COLLATERAL_USD = 1_000n;

interface Market {
  token: FundedToken;
  usd: bigint;
}

export class Lending {
  readonly pool: DeployedContract;
  readonly oracle: DeployedContract;
  readonly rateModel: DeployedContract;
  private readonly markets: Market[] = [];

  constructor(private readonly ctx: ProtocolContext) {
    const { builder } = ctx;
    this.oracle = builder.deploy("SimplePriceOracle");
    // 2% base, 10% at the kink, 300% more per unit of utilization above 80%.
    this.rateModel = builder.deploy("KinkedRateModel", [E18 / 50n, E18 / 10n, 3n * E18, (8n * E18) / 10n]);
    this.pool = builder.deploy("LendingPool", [this.oracle.address]);
    for (let m = 0; m < ctx.knobs.markets; m++) {
      const asset = MARKET_ASSETS[m % MARKET_ASSETS.length];
      const symbol = m < MARKET_ASSETS.length ? asset.symbol : `${asset.symbol}${m}`;
      const whole = 10n ** BigInt(asset.decimals);
      // Every holder gets $1,000,000 of the asset.
      const token = ctx.deployToken(`Lending ${symbol}`, symbol, asset.decimals, 1_000_000n / asset.usd || 1n);
      const market: Market = { token, usd: asset.usd };
      this.markets.push(market);
      const seed = (SEED_LIQUIDITY_USD / asset.usd) * whole;
      ctx.deployerFunds(token, seed, this.pool);
      this.configure(`set ${symbol} price`, this.oracle, "setPrice", [token.contract.address, asset.usd * E18]);
      this.configure(`list ${symbol} market`, this.pool, "listMarket", [
        token.contract.address,
        this.rateModel.address,
        (75n * E18) / 100n, // collateral factor
        E18 / 10n, // reserve factor
        (108n * E18) / 100n, // liquidation bonus
      ]);
      this.configure(`seed ${symbol} liquidity`, this.pool, "supply", [token.contract.address, seed], 400_000n);
    }
  }

  supply(sender: TestAccount): void {
    const m = this.market();
    this.fundAndApprove(sender, m);
    this.action(sender, "supply", m, this.usdAmount(m, BigInt(this.ctx.between(10, 500))));
  }

  withdraw(sender: TestAccount): void {
    const m = this.market();
    this.position(sender, "supply", m, this.usdAmount(m, COLLATERAL_USD));
    this.action(sender, "withdraw", m, this.usdAmount(m, BigInt(this.ctx.between(10, 100))));
  }

  borrow(sender: TestAccount): void {
    const m = this.market();
    this.collateral(sender, m);
    this.action(sender, "borrow", m, this.usdAmount(m, BigInt(this.ctx.between(10, 100))));
  }

  repay(sender: TestAccount): void {
    const m = this.market();
    this.collateral(sender, m);
    this.position(sender, "borrow", m, this.usdAmount(m, 200n));
    // The borrowed tokens pay back part of the loan; the approval lets the pool pull them.
    this.ctx.builder.needApproval(sender, this.markets[m].token.contract, this.pool.address);
    this.action(sender, "repay", m, this.usdAmount(m, BigInt(this.ctx.between(10, 100))));
  }

  private market(): number {
    return this.ctx.popular(this.markets.length);
  }

  /** Collateral for a loan in market m: $1,000 supplied in the next market (or m itself when there is one market). */
  private collateral(sender: TestAccount, m: number): void {
    const c = (m + 1) % this.markets.length;
    this.position(sender, "supply", c, this.usdAmount(c, COLLATERAL_USD));
  }

  private fundAndApprove(sender: TestAccount, m: number): void {
    this.ctx.builder.needTokens(this.markets[m].token, sender);
    this.ctx.builder.needApproval(sender, this.markets[m].token.contract, this.pool.address);
  }

  private position(sender: TestAccount, fn: "supply" | "borrow", m: number, amount: bigint): void {
    if (fn === "supply") this.fundAndApprove(sender, m);
    this.ctx.builder.setup(SetupPhase.Position, this.request(sender, fn, m, amount, `lending position: ${fn}`));
  }

  private action(sender: TestAccount, fn: "supply" | "withdraw" | "borrow" | "repay", m: number, amount: bigint): void {
    this.ctx.builder.blockTx(this.request(sender, fn, m, amount, fn));
  }

  private request(sender: TestAccount, fn: string, m: number, amount: bigint, label: string) {
    const token = this.markets[m].token;
    return {
      from: sender,
      to: this.pool.address,
      data: this.pool.encode(fn, [token.contract.address, amount]),
      gasLimit: 500_000n,
      label: `${label} ${token.symbol}`,
    };
  }

  private configure(label: string, contract: DeployedContract, fn: string, args: unknown[], gasLimit = 300_000n): void {
    this.ctx.builder.setup(SetupPhase.Configure, {
      from: this.ctx.deployer,
      to: contract.address,
      data: contract.encode(fn, args),
      gasLimit,
      label: `lending: ${label}`,
    });
  }

  private usdAmount(m: number, usd: bigint): bigint {
    const { token, usd: price } = this.markets[m];
    return (usd * 10n ** BigInt(token.decimals)) / price;
  }
}

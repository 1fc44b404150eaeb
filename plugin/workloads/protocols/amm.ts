/**
 * AMM traffic on the bundled factory/router: tokens T0..Tn, pool i trades
 * Ti against Ti+1 (so a two-hop path Ti -> Ti+1 -> Ti+2 crosses pools i and
 * i+1). The deployer seeds every pool with liquidity at a random price; users
 * swap small amounts (far below the reserves, so every swap clears its
 * 50%-of-quote minimum) or add liquidity.
 */
import type { TestAccount } from "../accounts";
import { SetupPhase } from "../builder";
import type { DeployedContract, FundedToken } from "../builder";
import type { ProtocolContext } from "./context";
import { NO_DEADLINE } from "./context";

const WHOLE = 10n ** 18n;
/** Each side of a pool holds about this many whole tokens; a swap moves at most 100. */
const POOL_DEPTH = 1_000_000n;

interface Pool {
  tokenA: FundedToken;
  tokenB: FundedToken;
  /** Reserves as seeded (the quotes for minimum outputs use them). */
  reserveA: bigint;
  reserveB: bigint;
}

/** Output of a constant-product swap with the 0.3% fee on input. */
export function amountOut(amountIn: bigint, reserveIn: bigint, reserveOut: bigint): bigint {
  const inWithFee = amountIn * 997n;
  return (inWithFee * reserveOut) / (reserveIn * 1000n + inWithFee);
}

export class Amm {
  readonly router: DeployedContract;
  readonly factory: DeployedContract;
  readonly weth: DeployedContract;
  private readonly tokens: FundedToken[] = [];
  private readonly pools: Pool[] = [];

  constructor(private readonly ctx: ProtocolContext) {
    const poolCount = ctx.knobs.pools;
    this.weth = ctx.builder.deploy("WETH");
    this.factory = ctx.builder.deploy("AmmFactory");
    this.router = ctx.builder.deploy("AmmRouter", [this.factory.address, this.weth.address]);
    for (let i = 0; i <= poolCount; i++) {
      const token = ctx.deployToken(`AMM Token ${i}`, `T${i}`, 18, 1_000_000n);
      ctx.deployerFunds(token, 4n * POOL_DEPTH * WHOLE, this.router);
      this.tokens.push(token);
    }
    for (let i = 0; i < poolCount; i++) {
      // Prices between 1:2 and 2:1, so quotes differ from pool to pool.
      const reserveA = POOL_DEPTH * WHOLE;
      const reserveB = (POOL_DEPTH * WHOLE * BigInt(ctx.between(500, 2000))) / 1000n;
      const pool: Pool = { tokenA: this.tokens[i], tokenB: this.tokens[i + 1], reserveA, reserveB };
      this.pools.push(pool);
      ctx.builder.setup(SetupPhase.Configure, {
        from: ctx.deployer,
        to: this.router.address,
        data: this.router.encode("addLiquidity", [
          pool.tokenA.contract.address,
          pool.tokenB.contract.address,
          reserveA,
          reserveB,
          reserveA,
          reserveB,
          ctx.deployer.address.toString(),
          NO_DEADLINE,
        ]),
        // Creating the pair deploys its contract.
        gasLimit: 6_000_000n,
        label: `amm: create pool T${i}/T${i + 1} with liquidity`,
      });
    }
  }

  /** A one-hop swap on a popular pool, in a random direction. */
  swap(sender: TestAccount): void {
    const pool = this.pools[this.ctx.popular(this.pools.length)];
    const forward = this.ctx.rand() < 0.5;
    const [tokenIn, tokenOut] = forward ? [pool.tokenA, pool.tokenB] : [pool.tokenB, pool.tokenA];
    const [reserveIn, reserveOut] = forward ? [pool.reserveA, pool.reserveB] : [pool.reserveB, pool.reserveA];
    const amountIn = BigInt(this.ctx.between(1, 100)) * WHOLE;
    const minOut = amountOut(amountIn, reserveIn, reserveOut) / 2n;
    this.swapTx(sender, [tokenIn, tokenOut], amountIn, minOut, `swap ${tokenIn.symbol}->${tokenOut.symbol}`);
  }

  /** A two-hop swap Ti -> Ti+1 -> Ti+2 starting at a popular pool. */
  swapMultihop(sender: TestAccount): void {
    const i = this.ctx.popular(this.pools.length - 1);
    const [first, second] = [this.pools[i], this.pools[i + 1]];
    const amountIn = BigInt(this.ctx.between(1, 100)) * WHOLE;
    const mid = amountOut(amountIn, first.reserveA, first.reserveB);
    const minOut = amountOut(mid, second.reserveA, second.reserveB) / 2n;
    this.swapTx(sender, [first.tokenA, first.tokenB, second.tokenB], amountIn, minOut, `swap-multihop ${first.tokenA.symbol}->${second.tokenB.symbol}`);
  }

  /** Adds a little liquidity to a popular pool at about its seeded price. */
  addLiquidity(sender: TestAccount): void {
    const pool = this.pools[this.ctx.popular(this.pools.length)];
    const amountA = BigInt(this.ctx.between(1, 100)) * WHOLE;
    // Desire twice the proportional amount of B: the router takes what the
    // current price asks for, and the sender holds plenty of both.
    const amountB = (2n * amountA * pool.reserveB) / pool.reserveA;
    for (const token of [pool.tokenA, pool.tokenB]) {
      this.ctx.builder.needTokens(token, sender);
      this.ctx.builder.needApproval(sender, token.contract, this.router.address);
    }
    this.ctx.builder.blockTx({
      from: sender,
      to: this.router.address,
      data: this.router.encode("addLiquidity", [
        pool.tokenA.contract.address,
        pool.tokenB.contract.address,
        amountA,
        amountB,
        0n,
        0n,
        sender.address.toString(),
        NO_DEADLINE,
      ]),
      gasLimit: 300_000n,
      label: `add-liquidity ${pool.tokenA.symbol}/${pool.tokenB.symbol}`,
    });
  }

  private swapTx(sender: TestAccount, path: FundedToken[], amountIn: bigint, minOut: bigint, label: string): void {
    this.ctx.builder.needTokens(path[0], sender);
    this.ctx.builder.needApproval(sender, path[0].contract, this.router.address);
    this.ctx.builder.blockTx({
      from: sender,
      to: this.router.address,
      data: this.router.encode("swapExactTokensForTokens", [
        amountIn,
        minOut,
        path.map((t) => t.contract.address),
        sender.address.toString(),
        NO_DEADLINE,
      ]),
      gasLimit: path.length > 2 ? 400_000n : 250_000n,
      label,
    });
  }
}

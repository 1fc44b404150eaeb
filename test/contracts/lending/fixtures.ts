/**
 * Shared setup and an off-chain model of the lending pool's arithmetic, used
 * by the lending tests to predict exact values (interest accrued in the block
 * a transaction lands in, health factors passed in revert arguments...).
 */
import { ethers } from "hardhat";
import type { Contract, ContractRunner } from "ethers";

/**
 * A deployed contract whose `connect` keeps the dynamic method access of
 * ethers' `Contract` (its own `connect` returns a bare BaseContract). The
 * tests do not use the generated typechain types: `npm run build` type-checks
 * before anything is compiled, so typechain-types may not exist yet.
 */
export type Ctr = { connect(runner: ContractRunner | null): Ctr } & Contract;

async function deploy(name: string, args: unknown[] = []): Promise<Ctr> {
  return (await ethers.deployContract(name, args)) as Ctr;
}

export const WAD = 10n ** 18n;
export const MAX_UINT = ethers.MaxUint256;
export const BLOCKS_PER_YEAR = 2_628_000n;

/** Yearly parameters of the fixture's rate model: 2 % base, 10 % slope, 300 % jump, kink at 80 %. */
export const RATE_YEARLY = {
  base: ethers.parseEther("0.02"),
  multiplier: ethers.parseEther("0.1"),
  jump: ethers.parseEther("3"),
  kink: ethers.parseEther("0.8"),
};

/** Market parameters of the fixture: [collateralFactor, reserveFactor, liquidationBonus]. */
export const PARAMS = {
  usdc: { cf: ethers.parseEther("0.8"), rf: ethers.parseEther("0.1"), bonus: ethers.parseEther("1.05") },
  weth: { cf: ethers.parseEther("0.75"), rf: ethers.parseEther("0.15"), bonus: ethers.parseEther("1.08") },
  wbtc: { cf: ethers.parseEther("0.7"), rf: ethers.parseEther("0.2"), bonus: ethers.parseEther("1.1") },
};

/** Initial oracle prices (USD per whole token, 1e18-scaled). */
export const PRICES = {
  usdc: ethers.parseEther("1"),
  weth: ethers.parseEther("2000"),
  wbtc: ethers.parseEther("30000"),
};

export const USDC = (n: string): bigint => ethers.parseUnits(n, 6);
export const WETH = (n: string): bigint => ethers.parseUnits(n, 18);
export const WBTC = (n: string): bigint => ethers.parseUnits(n, 8);

/**
 * Oracle, one rate model, three TestTokens (USDC 6 decimals, WETH 18, WBTC 8)
 * listed as markets, and five funded users who approved the pool.
 */
export async function deployLendingFixture() {
  const [owner, alice, bob, carol, dave, liquidator] = await ethers.getSigners();
  const users = [alice, bob, carol, dave, liquidator];

  const oracle = await deploy("SimplePriceOracle");
  const model = await deploy("KinkedRateModel", [
    RATE_YEARLY.base,
    RATE_YEARLY.multiplier,
    RATE_YEARLY.jump,
    RATE_YEARLY.kink,
  ]);
  const usdc = await deploy("TestToken", ["USD Coin", "USDC", 6]);
  const weth = await deploy("TestToken", ["Wrapped Ether", "WETH", 18]);
  const wbtc = await deploy("TestToken", ["Wrapped Bitcoin", "WBTC", 8]);
  const pool = await deploy("LendingPool", [await oracle.getAddress()]);
  const poolAddress = await pool.getAddress();
  const modelAddress = await model.getAddress();

  const tokens = { usdc, weth, wbtc };
  for (const [key, token] of Object.entries(tokens) as [keyof typeof tokens, Ctr][]) {
    const address = await token.getAddress();
    await oracle.setPrice(address, PRICES[key]);
    await pool.listMarket(address, modelAddress, PARAMS[key].cf, PARAMS[key].rf, PARAMS[key].bonus);
  }
  const addresses = users.map((u) => u.address);
  await usdc.batchMint(addresses, USDC("10000000"));
  await weth.batchMint(addresses, WETH("10000"));
  await wbtc.batchMint(addresses, WBTC("1000"));
  for (const user of users) {
    for (const token of [usdc, weth, wbtc]) {
      await token.connect(user).approve(poolAddress, MAX_UINT);
    }
  }

  return {
    pool,
    oracle,
    model,
    usdc,
    weth,
    wbtc,
    owner,
    alice,
    bob,
    carol,
    dave,
    liquidator,
    users,
    poolAddress,
    modelAddress,
    usdcAddress: await usdc.getAddress(),
    wethAddress: await weth.getAddress(),
    wbtcAddress: await wbtc.getAddress(),
  };
}

// ------------------------------------------------------------- off-chain model

/** a * b / c rounded down (or up). */
export function mulDiv(a: bigint, b: bigint, c: bigint, roundUp = false): bigint {
  const p = a * b;
  const q = p / c;
  return roundUp && q * c !== p ? q + 1n : q;
}

export interface RateParams {
  base: bigint;
  multiplier: bigint;
  jump: bigint;
  kink: bigint;
}

export async function rateParams(model: Ctr): Promise<RateParams> {
  return {
    base: await model.baseRatePerBlock(),
    multiplier: await model.multiplierPerBlock(),
    jump: await model.jumpMultiplierPerBlock(),
    kink: await model.kink(),
  };
}

export function utilization(cash: bigint, borrows: bigint, reserves: bigint): bigint {
  if (borrows === 0n) return 0n;
  const gross = cash + borrows;
  if (gross <= reserves || borrows >= gross - reserves) return WAD;
  return (borrows * WAD) / (gross - reserves);
}

export function borrowRate(p: RateParams, cash: bigint, borrows: bigint, reserves: bigint): bigint {
  const util = utilization(cash, borrows, reserves);
  if (util <= p.kink) return p.base + (util * p.multiplier) / WAD;
  return p.base + (p.kink * p.multiplier) / WAD + ((util - p.kink) * p.jump) / WAD;
}

/** The market fields the model needs, as plain bigints. */
export interface MarketState {
  decimals: bigint;
  collateralFactor: bigint;
  reserveFactor: bigint;
  liquidationBonus: bigint;
  cash: bigint;
  totalSupplyShares: bigint;
  totalBorrows: bigint;
  totalReserves: bigint;
  borrowIndex: bigint;
  accrualBlockNumber: bigint;
}

export async function readMarket(pool: Ctr, asset: string): Promise<MarketState> {
  const m = await pool.market(asset);
  return {
    decimals: m.decimals,
    collateralFactor: m.collateralFactor,
    reserveFactor: m.reserveFactor,
    liquidationBonus: m.liquidationBonus,
    cash: m.cash,
    totalSupplyShares: m.totalSupplyShares,
    totalBorrows: m.totalBorrows,
    totalReserves: m.totalReserves,
    borrowIndex: m.borrowIndex,
    accrualBlockNumber: m.accrualBlockNumber,
  };
}

/** What accrueInterest does at `block`, mirroring the contract's rounding. */
export function accrue(m: MarketState, p: RateParams, block: bigint): { market: MarketState; interest: bigint } {
  if (m.accrualBlockNumber === block) return { market: m, interest: 0n };
  const rate = borrowRate(p, m.cash, m.totalBorrows, m.totalReserves);
  const factor = rate * (block - m.accrualBlockNumber);
  const interest = mulDiv(m.totalBorrows, factor, WAD, true);
  return {
    interest,
    market: {
      ...m,
      totalBorrows: m.totalBorrows + interest,
      totalReserves: m.totalReserves + mulDiv(interest, m.reserveFactor, WAD),
      borrowIndex: m.borrowIndex + mulDiv(m.borrowIndex, factor, WAD),
      accrualBlockNumber: block,
    },
  };
}

/** The stored market, accrued to the block the next transaction will be mined in. */
export async function marketAtNextBlock(pool: Ctr, model: Ctr, asset: string) {
  const block = BigInt(await ethers.provider.getBlockNumber()) + 1n;
  return accrue(await readMarket(pool, asset), await rateParams(model), block);
}

export function suppliedAssets(m: MarketState): bigint {
  return m.cash + m.totalBorrows - m.totalReserves;
}

export function sharesToAssets(m: MarketState, shares: bigint, roundUp = false): bigint {
  if (m.totalSupplyShares === 0n) return 0n;
  return mulDiv(shares, suppliedAssets(m), m.totalSupplyShares, roundUp);
}

export function assetsToShares(m: MarketState, amount: bigint, roundUp = false): bigint {
  if (m.totalSupplyShares === 0n) return amount;
  return mulDiv(amount, m.totalSupplyShares, suppliedAssets(m), roundUp);
}

/** Debt of `user` in `asset` once the market is accrued to the next block. */
export async function debtAtNextBlock(
  pool: Ctr,
  model: Ctr,
  user: string,
  asset: string,
): Promise<bigint> {
  const { market } = await marketAtNextBlock(pool, model, asset);
  const pos = await pool.position(user, asset);
  if (pos.borrowPrincipal === 0n) return 0n;
  return mulDiv(pos.borrowPrincipal, market.borrowIndex, pos.borrowIndex);
}

/**
 * Health factor of `user` as the contract computes it, with the markets in
 * `accrued` replaced by their state at the next block (the markets a
 * transaction accrues before its health check).
 */
export async function healthFactorAtNextBlock(
  pool: Ctr,
  oracle: Ctr,
  model: Ctr,
  user: string,
  accrued: string[],
): Promise<bigint> {
  let collateral = 0n;
  let debt = 0n;
  for (const asset of await pool.marketList()) {
    const pos = await pool.position(user, asset);
    if (pos.supplyShares === 0n && pos.borrowPrincipal === 0n) continue;
    const m = accrued.includes(asset)
      ? (await marketAtNextBlock(pool, model, asset)).market
      : await readMarket(pool, asset);
    if (pos.borrowPrincipal === 0n && m.collateralFactor === 0n) continue;
    const price = await oracle.getPrice(asset);
    const unit = 10n ** m.decimals;
    if (pos.supplyShares !== 0n && m.collateralFactor !== 0n) {
      const value = mulDiv(sharesToAssets(m, pos.supplyShares), price, unit);
      collateral += mulDiv(value, m.collateralFactor, WAD);
    }
    if (pos.borrowPrincipal !== 0n) {
      const owed = mulDiv(pos.borrowPrincipal, m.borrowIndex, pos.borrowIndex);
      debt += mulDiv(owed, price, unit, true);
    }
  }
  return debt === 0n ? MAX_UINT : mulDiv(collateral, WAD, debt);
}

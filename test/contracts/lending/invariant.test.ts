/**
 * Invariant test: a seeded random sequence of supplies, withdrawals, borrows,
 * repays, mined blocks, price moves (and crashes) and liquidations by five users over three
 * markets (6, 18 and 8 decimals), with the protocol's invariants checked after
 * every action. Set LENDING_INVARIANT_SEED to replay another sequence.
 */
import { loadFixture, mine } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import type { ContractTransactionResponse } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { MAX_UINT, USDC, WAD, WBTC, WETH, deployLendingFixture } from "./fixtures";
import type { Ctr } from "./fixtures";
// mulberry32, the PRNG the workload generators use: same seed, same sequence.
import { prng as mulberry32 } from "../../../plugin/workloads/prng";


const STEPS = Number(process.env.LENDING_INVARIANT_STEPS ?? 120);
const SEED = Number(process.env.LENDING_INVARIANT_SEED ?? 0x5eed1e5d);

/** Errors a random action may legitimately hit; anything else (a panic, an unknown error) fails the test. */
const EXPECTED_ERRORS = new Set([
  "InsufficientCollateral",
  "InsufficientCash",
  "InsufficientBalance",
  "NotLiquidatable",
  "AmountTooSmall",
  "NoDebt",
  "RepayTooLarge",
  "NothingToSeize",
]);

type Action = "supply" | "withdraw" | "borrow" | "repay" | "mine" | "price" | "crash" | "liquidate" | "accrue";

const WEIGHTS: [Action, number][] = [
  ["supply", 20],
  ["withdraw", 13],
  ["borrow", 22],
  ["repay", 11],
  ["mine", 10],
  ["price", 10],
  ["crash", 3],
  ["liquidate", 10],
  ["accrue", 2],
];

interface Snapshot {
  borrowIndex: bigint;
  accrualBlockNumber: bigint;
}

describe("lending: invariants over a seeded random sequence", function () {
  async function seeded() {
    const f = await deployLendingFixture();
    // some initial liquidity in every market
    await f.pool.connect(f.bob).supply(f.usdcAddress, USDC("200000"));
    await f.pool.connect(f.dave).supply(f.wethAddress, WETH("100"));
    await f.pool.connect(f.carol).supply(f.wbtcAddress, WBTC("5"));
    return f;
  }

  it(`holds after each of ${STEPS} random actions (seed ${SEED})`, async function () {
    const f = await loadFixture(seeded);
    const { pool, oracle, users } = f;
    const poolAddress = f.poolAddress;
    const rand = mulberry32(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const pickAction = (): Action => {
      const total = WEIGHTS.reduce((s, [, w]) => s + w, 0);
      let r = rand() * total;
      for (const [action, w] of WEIGHTS) {
        if ((r -= w) < 0) return action;
      }
      return "mine";
    };
    /** A random fraction as a 1e6-scaled bigint in [lo, hi). */
    const fraction = (lo: number, hi: number): bigint => BigInt(Math.floor((lo + rand() * (hi - lo)) * 1e6));

    const markets: { address: string; token: Ctr; unit: bigint }[] = [
      { address: f.usdcAddress, token: f.usdc, unit: 10n ** 6n },
      { address: f.wethAddress, token: f.weth, unit: 10n ** 18n },
      { address: f.wbtcAddress, token: f.wbtc, unit: 10n ** 8n },
    ];
    const nUsers = BigInt(users.length);
    const previous = new Map<string, Snapshot>();
    const succeeded = new Map<Action, number>();
    const failed = new Map<string, number>();
    // Upper bound of the "ghost" debt (totalBorrows minus the sum of the debts) per market: each
    // step can add a few wei of rounding (interest rounded up, debts rounded down) plus the index's
    // truncation, under 1 wei per 1e18 of debt per accrual. Grown after every step.
    const dustBudget = new Map<string, bigint>();

    /** Amount of `unit`-based asset worth `usd` (a plain number of dollars) at the current price. */
    async function amountForUsd(asset: string, unit: bigint, usd: bigint): Promise<bigint> {
      return (usd * WAD * unit) / (await oracle.getPrice(asset));
    }

    async function run(label: string, send: () => Promise<ContractTransactionResponse>): Promise<boolean> {
      try {
        await (await send()).wait();
        return true;
      } catch (e) {
        const message = (e as Error).message;
        const match = /reverted with custom error '(\w+)\(/.exec(message);
        if (match === null || !EXPECTED_ERRORS.has(match[1]!)) {
          throw new Error(`${label}: unexpected failure: ${message}`);
        }
        failed.set(match[1]!, (failed.get(match[1]!) ?? 0) + 1);
        return false;
      }
    }

    async function checkInvariants(step: number, label: string): Promise<void> {
      const where = `step ${step} (${label})`;
      const block = BigInt(await ethers.provider.getBlockNumber());
      for (const { address, token } of markets) {
        const m = await pool.market(address);
        // internal cash is exactly the pool's token balance (nobody donates in this test)
        expect(await token.balanceOf(poolAddress), `${where}: cash`).to.equal(m.cash);
        // suppliers' assets are never negative
        expect(m.cash + m.totalBorrows, `${where}: reserves covered`).to.be.greaterThanOrEqual(m.totalReserves);
        const assets = m.cash + m.totalBorrows - m.totalReserves;

        let shares = 0n;
        let supplied = 0n;
        let borrowed = 0n;
        for (const user of users) {
          shares += (await pool.position(user.address, address)).supplyShares;
          supplied += await pool.supplyBalance(user.address, address);
          borrowed += await pool.borrowBalance(user.address, address);
        }
        // shares are conserved
        expect(shares, `${where}: share total`).to.equal(m.totalSupplyShares);
        // cash + borrows - reserves covers every supplier, within one unit of rounding per user
        expect(supplied, `${where}: supplies covered`).to.be.lessThanOrEqual(assets);
        if (m.totalSupplyShares > 0n) {
          expect(supplied + nUsers, `${where}: supplies complete`).to.be.greaterThanOrEqual(assets);
          // shares never lose value: the exchange rate starts at 1 and only interest moves it
          expect(await pool.exchangeRate(address), `${where}: exchange rate`).to.be.greaterThanOrEqual(WAD);
        }
        // the individual debts never exceed the total, and the gap (rounding dust) stays tiny
        expect(borrowed, `${where}: debts within totalBorrows`).to.be.lessThanOrEqual(m.totalBorrows);
        const budget = (dustBudget.get(address) ?? 0n) + 8n + m.totalBorrows / 10n ** 17n;
        expect(m.totalBorrows - borrowed, `${where}: debt dust`).to.be.lessThanOrEqual(budget + nUsers);
        dustBudget.set(address, budget);
        // borrows never exceed the supplied liquidity plus reserves
        expect(m.totalBorrows, `${where}: borrows backed`).to.be.lessThanOrEqual(supplied + m.totalReserves + nUsers);
        // the index never decreases and accrual never runs ahead of the chain
        const prev = previous.get(address);
        if (prev !== undefined) {
          expect(m.borrowIndex, `${where}: index monotonic`).to.be.greaterThanOrEqual(prev.borrowIndex);
          expect(m.accrualBlockNumber, `${where}: accrual monotonic`).to.be.greaterThanOrEqual(
            prev.accrualBlockNumber,
          );
        }
        expect(m.accrualBlockNumber, `${where}: accrual <= block`).to.be.lessThanOrEqual(block);
        previous.set(address, { borrowIndex: m.borrowIndex, accrualBlockNumber: m.accrualBlockNumber });
      }
    }

    async function expectHealthy(user: HardhatEthersSigner, where: string) {
      expect(await pool.healthFactor(user.address), `${where}: actor left healthy`).to.be.greaterThanOrEqual(WAD);
    }

    await checkInvariants(0, "setup");
    for (let step = 1; step <= STEPS; step++) {
      const action = pickAction();
      const user = pick(users);
      const market = pick(markets);
      const label = `${action} by ${user.address.slice(0, 8)} on ${await market.token.symbol()}`;
      let ok = true;
      const p: Ctr = pool.connect(user);

      switch (action) {
        case "supply": {
          const usd = BigInt(Math.floor(10 + rand() * 50_000));
          const amount = await amountForUsd(market.address, market.unit, usd);
          ok = await run(label, () => p.supply(market.address, amount));
          break;
        }
        case "withdraw": {
          const balance = await pool.supplyBalance(user.address, market.address);
          const amount = rand() < 0.3 ? MAX_UINT : (balance * fraction(0, 1.2)) / 1_000_000n + 1n;
          ok = await run(label, () => p.withdraw(market.address, amount));
          if (ok) await expectHealthy(user, `step ${step} (${label})`);
          break;
        }
        case "borrow": {
          const [collateral, debt]: bigint[] = await pool.accountLiquidity(user.address);
          const headroom = collateral > debt ? collateral - debt : 0n;
          const usd = (headroom * fraction(0.3, 1.1)) / 1_000_000n;
          const amount = (usd * market.unit) / (await oracle.getPrice(market.address)) + 1n;
          ok = await run(label, () => p.borrow(market.address, amount));
          if (ok) await expectHealthy(user, `step ${step} (${label})`);
          break;
        }
        case "repay": {
          const debt = await pool.borrowBalance(user.address, market.address);
          const amount = rand() < 0.3 || debt === 0n ? MAX_UINT : (debt * fraction(0.01, 1)) / 1_000_000n + 1n;
          ok = await run(label, () => p.repay(market.address, amount));
          break;
        }
        case "mine": {
          const blocks = rand() < 0.3 ? 20_000 + Math.floor(rand() * 80_000) : 1 + Math.floor(rand() * 1000);
          await mine(blocks);
          break;
        }
        case "price": {
          const asset = pick(markets.slice(1)); // USDC stays at $1
          const price = await oracle.getPrice(asset.address);
          const next = (price * fraction(0.85, 1.15)) / 1_000_000n;
          await (await oracle.setPrice(asset.address, next)).wait();
          break;
        }
        case "crash": {
          // a sharp drop of a volatile asset that some borrower uses as collateral
          const exposed: string[] = [];
          for (const u of users) {
            for (const { address } of markets.slice(1)) {
              const pos = await pool.position(u.address, address);
              if (pos.supplyShares > 0n && (await pool.healthFactor(u.address)) !== MAX_UINT) exposed.push(address);
            }
          }
          const asset = exposed.length > 0 ? pick(exposed) : pick(markets.slice(1)).address;
          const price = await oracle.getPrice(asset);
          await (await oracle.setPrice(asset, (price * fraction(0.65, 0.85)) / 1_000_000n)).wait();
          break;
        }
        case "accrue": {
          await (await pool.accrueInterest(market.address)).wait();
          break;
        }
        case "liquidate": {
          // prefer an account that is unhealthy on the stored state
          const candidates: HardhatEthersSigner[] = [];
          for (const u of users) {
            if ((await pool.healthFactor(u.address)) < WAD) candidates.push(u);
          }
          const borrower = candidates.length > 0 ? pick(candidates) : pick(users);
          const liquidator = pick(users.filter((u) => u !== borrower));
          const debts: string[] = [];
          const collaterals: string[] = [];
          for (const { address } of markets) {
            const pos = await pool.position(borrower.address, address);
            if (pos.borrowPrincipal > 0n) debts.push(address);
            if (pos.supplyShares > 0n) collaterals.push(address);
          }
          const debtAsset = debts.length > 0 ? pick(debts) : market.address;
          const collateralAsset = collaterals.length > 0 ? pick(collaterals) : market.address;
          const debt = await pool.borrowBalance(borrower.address, debtAsset);
          const repay = rand() < 0.4 || debt < 4n ? MAX_UINT : (debt * fraction(0.05, 0.6)) / 1_000_000n + 1n;
          const q: Ctr = pool.connect(liquidator);
          const sharesBefore = (await pool.position(liquidator.address, collateralAsset)).supplyShares;
          const victimBefore = (await pool.position(borrower.address, collateralAsset)).supplyShares;
          let seized = 0n;
          ok = await run(`liquidate ${borrower.address.slice(0, 8)} by ${liquidator.address.slice(0, 8)}`, async () => {
            const tx = await q.liquidate(borrower.address, debtAsset, repay, collateralAsset);
            const receipt = await tx.wait();
            for (const log of receipt!.logs) {
              const parsed = pool.interface.parseLog(log);
              if (parsed?.name === "Liquidate") seized = parsed.args.seizedShares as bigint;
            }
            return tx;
          });
          if (ok) {
            expect(seized).to.be.greaterThan(0n);
            expect((await pool.position(liquidator.address, collateralAsset)).supplyShares).to.equal(
              sharesBefore + seized,
            );
            expect((await pool.position(borrower.address, collateralAsset)).supplyShares).to.equal(
              victimBefore - seized,
            );
          }
          break;
        }
      }
      succeeded.set(action, (succeeded.get(action) ?? 0) + (ok ? 1 : 0));
      await checkInvariants(step, label);
    }

    // the sequence exercised every user flow, liquidations included
    for (const action of ["supply", "withdraw", "borrow", "repay", "liquidate"] as const) {
      expect(succeeded.get(action) ?? 0, `successful ${action} actions`).to.be.greaterThan(0);
    }
    console.log(
      `      seed ${SEED}: succeeded ${JSON.stringify(Object.fromEntries(succeeded))}, ` +
        `expected reverts ${JSON.stringify(Object.fromEntries(failed))}`,
    );
  });
});

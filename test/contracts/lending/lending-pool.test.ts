import { loadFixture, mine } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers, network } from "hardhat";
import type { Log } from "ethers";
import {
  MAX_UINT,
  PARAMS,
  USDC,
  WAD,
  WETH,
  assetsToShares,
  borrowRate,
  debtAtNextBlock,
  deployLendingFixture,
  marketAtNextBlock,
  mulDiv,
  rateParams,
  readMarket,
  sharesToAssets,
} from "./fixtures";
import type { Ctr } from "./fixtures";
import { BATCH, BATCH_GAS, batchSenders, describeOnParallelNetwork, mineTogether } from "../../helpers/parallel-batch";

const Factor = { Collateral: 0n, Reserve: 1n, LiquidationBonus: 2n };
const MAX_CF = ethers.parseEther("0.9");
const MAX_BONUS = ethers.parseEther("1.1");

describe("lending: LendingPool", function () {
  /** Fixture plus 100k USDC of liquidity from bob and 10 WETH of collateral from alice. */
  async function withLiquidity() {
    const f = await deployLendingFixture();
    await f.pool.connect(f.bob).supply(f.usdcAddress, USDC("100000"));
    await f.pool.connect(f.alice).supply(f.wethAddress, WETH("10"));
    return f;
  }

  /** withLiquidity plus a 7500 USDC borrow by alice (health factor 2). */
  async function withBorrow() {
    const f = await withLiquidity();
    await f.pool.connect(f.alice).borrow(f.usdcAddress, USDC("7500"));
    return f;
  }

  describe("deployment and listing", function () {
    it("sets the oracle and owner and starts without markets", async function () {
      const { oracle, owner } = await loadFixture(deployLendingFixture);
      const pool = await ethers.deployContract("LendingPool", [await oracle.getAddress()]);
      expect(await pool.oracle()).to.equal(await oracle.getAddress());
      expect(await pool.owner()).to.equal(owner.address);
      expect(await pool.marketList()).to.deep.equal([]);
    });

    it("rejects a zero oracle with ZeroAddress", async function () {
      const factory = await ethers.getContractFactory("LendingPool");
      await expect(factory.deploy(ethers.ZeroAddress)).to.be.revertedWithCustomError(factory, "ZeroAddress");
    });

    it("lists a market with its parameters and emits MarketListed", async function () {
      const { pool, modelAddress, usdcAddress, wethAddress, wbtcAddress } = await loadFixture(deployLendingFixture);
      const dai = await ethers.deployContract("TestToken", ["Dai", "DAI", 18]);
      const daiAddress = await dai.getAddress();
      const cf = ethers.parseEther("0.77");
      const rf = ethers.parseEther("0.12");
      const bonus = ethers.parseEther("1.07");
      const tx = pool.listMarket(daiAddress, modelAddress, cf, rf, bonus);
      await expect(tx).to.emit(pool, "MarketListed").withArgs(daiAddress, modelAddress, cf, rf, bonus);
      const receipt = await (await tx).wait();
      const m = await pool.market(daiAddress);
      expect(m.listed).to.equal(true);
      expect(m.rateModel).to.equal(modelAddress);
      expect(m.decimals).to.equal(18n);
      expect(m.collateralFactor).to.equal(cf);
      expect(m.reserveFactor).to.equal(rf);
      expect(m.liquidationBonus).to.equal(bonus);
      expect(m.cash).to.equal(0n);
      expect(m.totalSupplyShares).to.equal(0n);
      expect(m.totalBorrows).to.equal(0n);
      expect(m.totalReserves).to.equal(0n);
      expect(m.borrowIndex).to.equal(WAD);
      expect(m.accrualBlockNumber).to.equal(BigInt(receipt!.blockNumber));
      expect(await pool.marketList()).to.deep.equal([usdcAddress, wethAddress, wbtcAddress, daiAddress]);
      expect((await pool.market(usdcAddress)).decimals).to.equal(6n);
      expect((await pool.market(wbtcAddress)).decimals).to.equal(8n);
    });

    it("returns an all-zero market for an unlisted asset", async function () {
      const { pool } = await loadFixture(deployLendingFixture);
      const m = await pool.market(ethers.ZeroAddress);
      expect(m.listed).to.equal(false);
      expect(m.borrowIndex).to.equal(0n);
    });

    it("rejects re-listing with MarketAlreadyListed", async function () {
      const { pool, modelAddress, usdcAddress } = await loadFixture(deployLendingFixture);
      await expect(pool.listMarket(usdcAddress, modelAddress, 0n, 0n, WAD))
        .to.be.revertedWithCustomError(pool, "MarketAlreadyListed")
        .withArgs(usdcAddress);
    });

    it("rejects out-of-range factors with InvalidFactor", async function () {
      const { pool, modelAddress } = await loadFixture(deployLendingFixture);
      const asset = await (await ethers.deployContract("TestToken", ["X", "X", 18])).getAddress();
      await expect(pool.listMarket(asset, modelAddress, MAX_CF + 1n, 0n, WAD))
        .to.be.revertedWithCustomError(pool, "InvalidFactor")
        .withArgs(Factor.Collateral, MAX_CF + 1n, 0n, MAX_CF);
      await expect(pool.listMarket(asset, modelAddress, 0n, WAD + 1n, WAD))
        .to.be.revertedWithCustomError(pool, "InvalidFactor")
        .withArgs(Factor.Reserve, WAD + 1n, 0n, WAD);
      await expect(pool.listMarket(asset, modelAddress, 0n, 0n, WAD - 1n))
        .to.be.revertedWithCustomError(pool, "InvalidFactor")
        .withArgs(Factor.LiquidationBonus, WAD - 1n, WAD, MAX_BONUS);
      await expect(pool.listMarket(asset, modelAddress, 0n, 0n, MAX_BONUS + 1n))
        .to.be.revertedWithCustomError(pool, "InvalidFactor")
        .withArgs(Factor.LiquidationBonus, MAX_BONUS + 1n, WAD, MAX_BONUS);
      // the bounds themselves are accepted
      await expect(pool.listMarket(asset, modelAddress, MAX_CF, WAD, MAX_BONUS)).to.emit(pool, "MarketListed");
    });

    it("rejects zero addresses, absurd decimals and non-owners", async function () {
      const { pool, modelAddress, usdcAddress, alice } = await loadFixture(deployLendingFixture);
      await expect(pool.listMarket(ethers.ZeroAddress, modelAddress, 0n, 0n, WAD)).to.be.revertedWithCustomError(
        pool,
        "ZeroAddress",
      );
      const asset = await (await ethers.deployContract("TestToken", ["X", "X", 18])).getAddress();
      await expect(pool.listMarket(asset, ethers.ZeroAddress, 0n, 0n, WAD)).to.be.revertedWithCustomError(
        pool,
        "ZeroAddress",
      );
      const weird = await (await ethers.deployContract("TestToken", ["W", "W", 37])).getAddress();
      await expect(pool.listMarket(weird, modelAddress, 0n, 0n, WAD))
        .to.be.revertedWithCustomError(pool, "UnsupportedDecimals")
        .withArgs(weird, 37n);
      await expect(pool.connect(alice).listMarket(asset, modelAddress, 0n, 0n, WAD))
        .to.be.revertedWithCustomError(pool, "OwnableUnauthorizedAccount")
        .withArgs(alice.address);
      await expect(pool.connect(alice).setCollateralFactor(usdcAddress, 0n))
        .to.be.revertedWithCustomError(pool, "OwnableUnauthorizedAccount")
        .withArgs(alice.address);
      await expect(pool.connect(alice).setReserveFactor(usdcAddress, 0n))
        .to.be.revertedWithCustomError(pool, "OwnableUnauthorizedAccount")
        .withArgs(alice.address);
      await expect(pool.connect(alice).reduceReserves(usdcAddress, 1n, alice.address))
        .to.be.revertedWithCustomError(pool, "OwnableUnauthorizedAccount")
        .withArgs(alice.address);
    });

    it("stops at MAX_MARKETS with TooManyMarkets", async function () {
      const { pool, modelAddress } = await loadFixture(deployLendingFixture);
      const max = await pool.MAX_MARKETS();
      for (let i = (await pool.marketList()).length; i < Number(max); i++) {
        const token = await ethers.deployContract("TestToken", [`T${i}`, `T${i}`, 18]);
        await pool.listMarket(await token.getAddress(), modelAddress, 0n, 0n, WAD);
      }
      expect((await pool.marketList()).length).to.equal(Number(max));
      const extra = await (await ethers.deployContract("TestToken", ["E", "E", 18])).getAddress();
      await expect(pool.listMarket(extra, modelAddress, 0n, 0n, WAD))
        .to.be.revertedWithCustomError(pool, "TooManyMarkets")
        .withArgs(max);
    });

    it("changes the collateral factor with CollateralFactorSet", async function () {
      const { pool, usdcAddress } = await loadFixture(deployLendingFixture);
      const cf = ethers.parseEther("0.5");
      await expect(pool.setCollateralFactor(usdcAddress, cf))
        .to.emit(pool, "CollateralFactorSet")
        .withArgs(usdcAddress, PARAMS.usdc.cf, cf);
      expect((await pool.market(usdcAddress)).collateralFactor).to.equal(cf);
      await expect(pool.setCollateralFactor(usdcAddress, MAX_CF + 1n))
        .to.be.revertedWithCustomError(pool, "InvalidFactor")
        .withArgs(Factor.Collateral, MAX_CF + 1n, 0n, MAX_CF);
      await expect(pool.setCollateralFactor(ethers.ZeroAddress, cf))
        .to.be.revertedWithCustomError(pool, "MarketNotListed")
        .withArgs(ethers.ZeroAddress);
    });

    it("changes the reserve factor after accruing, with ReserveFactorSet", async function () {
      const { pool, model, usdcAddress } = await loadFixture(withBorrow);
      await mine(100);
      const { market, interest } = await marketAtNextBlock(pool, model, usdcAddress);
      const rf = ethers.parseEther("0.3");
      await expect(pool.setReserveFactor(usdcAddress, rf))
        .to.emit(pool, "InterestAccrued")
        .withArgs(usdcAddress, interest, market.borrowIndex, market.totalBorrows)
        .and.to.emit(pool, "ReserveFactorSet")
        .withArgs(usdcAddress, PARAMS.usdc.rf, rf);
      const m = await pool.market(usdcAddress);
      expect(m.reserveFactor).to.equal(rf);
      // the interest up to the change used the old factor
      expect(m.totalReserves).to.equal(mulDiv(interest, PARAMS.usdc.rf, WAD));
      await expect(pool.setReserveFactor(usdcAddress, WAD + 1n))
        .to.be.revertedWithCustomError(pool, "InvalidFactor")
        .withArgs(Factor.Reserve, WAD + 1n, 0n, WAD);
      await expect(pool.setReserveFactor(ethers.ZeroAddress, rf))
        .to.be.revertedWithCustomError(pool, "MarketNotListed")
        .withArgs(ethers.ZeroAddress);
    });
  });

  describe("reserves", function () {
    it("lets the owner take accrued reserves with ReservesReduced", async function () {
      const { pool, model, usdc, usdcAddress, owner } = await loadFixture(withBorrow);
      await mine(50_000);
      await pool.accrueInterest(usdcAddress);
      const reserves = (await pool.market(usdcAddress)).totalReserves;
      expect(reserves).to.be.greaterThan(0n);
      const half = reserves / 2n;
      const tx = pool.reduceReserves(usdcAddress, half, owner.address);
      await expect(tx).to.emit(pool, "ReservesReduced").withArgs(usdcAddress, owner.address, half);
      await expect(tx).to.changeTokenBalances(usdc, [owner, pool], [half, -half]);
      const { market } = await marketAtNextBlock(pool, model, usdcAddress);
      const stored = await pool.market(usdcAddress);
      expect(stored.totalReserves).to.be.lessThan(reserves);
      // taking more than the reserves (as accrued in that block) fails
      const after = market.totalReserves;
      await expect(pool.reduceReserves(usdcAddress, after + 1n, owner.address))
        .to.be.revertedWithCustomError(pool, "InsufficientReserves")
        .withArgs(usdcAddress, after, after + 1n);
    });

    it("rejects reducing reserves that were lent out with InsufficientCash", async function () {
      const { pool, model, usdcAddress, wethAddress, owner, bob, alice } = await loadFixture(deployLendingFixture);
      await pool.connect(bob).supply(usdcAddress, USDC("1000"));
      await pool.connect(alice).supply(wethAddress, WETH("10"));
      await pool.connect(alice).borrow(usdcAddress, USDC("1000")); // all the cash
      await mine(100_000);
      const { market } = await marketAtNextBlock(pool, model, usdcAddress);
      expect(market.totalReserves).to.be.greaterThan(0n);
      await expect(pool.reduceReserves(usdcAddress, market.totalReserves, owner.address))
        .to.be.revertedWithCustomError(pool, "InsufficientCash")
        .withArgs(usdcAddress, 0n, market.totalReserves);
    });

    it("rejects a zero amount, a zero recipient and unlisted markets", async function () {
      const { pool, usdcAddress, owner } = await loadFixture(deployLendingFixture);
      await expect(pool.reduceReserves(usdcAddress, 0n, owner.address)).to.be.revertedWithCustomError(
        pool,
        "ZeroAmount",
      );
      await expect(pool.reduceReserves(usdcAddress, 1n, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        pool,
        "ZeroAddress",
      );
      await expect(pool.reduceReserves(ethers.ZeroAddress, 1n, owner.address))
        .to.be.revertedWithCustomError(pool, "MarketNotListed")
        .withArgs(ethers.ZeroAddress);
    });
  });

  describe("supply and withdraw", function () {
    it("mints shares 1:1 on the first supply", async function () {
      const { pool, usdc, usdcAddress, alice } = await loadFixture(deployLendingFixture);
      const amount = USDC("1000");
      const tx = pool.connect(alice).supply(usdcAddress, amount);
      await expect(tx).to.emit(pool, "Supply").withArgs(alice.address, usdcAddress, amount, amount);
      await expect(tx).to.changeTokenBalances(usdc, [alice, pool], [-amount, amount]);
      const m = await pool.market(usdcAddress);
      expect(m.cash).to.equal(amount);
      expect(m.totalSupplyShares).to.equal(amount);
      expect((await pool.position(alice.address, usdcAddress)).supplyShares).to.equal(amount);
      expect(await pool.supplyBalance(alice.address, usdcAddress)).to.equal(amount);
      expect(await pool.exchangeRate(usdcAddress)).to.equal(WAD);
    });

    it("round-trips a supply through partial and full withdrawals", async function () {
      const { pool, usdc, usdcAddress, alice } = await loadFixture(deployLendingFixture);
      await pool.connect(alice).supply(usdcAddress, USDC("1000"));
      const part = USDC("400");
      expect(await pool.connect(alice).withdraw.staticCall(usdcAddress, part)).to.equal(part);
      let tx = pool.connect(alice).withdraw(usdcAddress, part);
      await expect(tx).to.emit(pool, "Withdraw").withArgs(alice.address, usdcAddress, part, part);
      await expect(tx).to.changeTokenBalances(usdc, [alice, pool], [part, -part]);
      const rest = USDC("600");
      expect(await pool.connect(alice).withdraw.staticCall(usdcAddress, MAX_UINT)).to.equal(rest);
      tx = pool.connect(alice).withdraw(usdcAddress, MAX_UINT);
      await expect(tx).to.emit(pool, "Withdraw").withArgs(alice.address, usdcAddress, rest, rest);
      await expect(tx).to.changeTokenBalances(usdc, [alice, pool], [rest, -rest]);
      const m = await pool.market(usdcAddress);
      expect(m.cash).to.equal(0n);
      expect(m.totalSupplyShares).to.equal(0n);
      expect(await pool.supplyBalance(alice.address, usdcAddress)).to.equal(0n);
      expect(await usdc.balanceOf(alice.address)).to.equal(USDC("10000000"));
    });

    it("mints fewer shares once interest has raised the exchange rate", async function () {
      const { pool, model, usdcAddress, carol } = await loadFixture(withBorrow);
      await mine(1000);
      const { market } = await marketAtNextBlock(pool, model, usdcAddress);
      const amount = USDC("1000");
      const shares = assetsToShares(market, amount);
      expect(shares).to.be.lessThan(amount);
      await expect(pool.connect(carol).supply(usdcAddress, amount))
        .to.emit(pool, "Supply")
        .withArgs(carol.address, usdcAddress, amount, shares);
      expect(await pool.exchangeRate(usdcAddress)).to.be.greaterThan(WAD);
      // rounding never credits more than was supplied
      expect(await pool.supplyBalance(carol.address, usdcAddress)).to.be.lessThanOrEqual(amount);
    });

    it("pays suppliers the interest minus the reserve share", async function () {
      const { pool, model, usdc, usdcAddress, alice, bob } = await loadFixture(withBorrow);
      await mine(100_000);
      await pool.connect(alice).repay(usdcAddress, MAX_UINT);
      const { market } = await marketAtNextBlock(pool, model, usdcAddress);
      const expected = sharesToAssets(market, USDC("100000"));
      const tx = pool.connect(bob).withdraw(usdcAddress, MAX_UINT);
      await expect(tx).to.emit(pool, "Withdraw").withArgs(bob.address, usdcAddress, expected, USDC("100000"));
      await expect(tx).to.changeTokenBalances(usdc, [bob, pool], [expected, -expected]);
      expect(expected).to.be.greaterThan(USDC("100000"));
      const m = await pool.market(usdcAddress);
      expect(m.totalReserves).to.be.greaterThan(0n);
      // what is left covers the reserves (plus rounding dust)
      expect(m.cash + m.totalBorrows).to.be.greaterThanOrEqual(m.totalReserves);
    });

    it("ignores tokens sent to the pool without supply (no exchange-rate inflation)", async function () {
      const { pool, usdc, usdcAddress, alice, bob, poolAddress } = await loadFixture(deployLendingFixture);
      await pool.connect(alice).supply(usdcAddress, 1n);
      await usdc.connect(alice).transfer(poolAddress, USDC("1000000"));
      expect(await pool.exchangeRate(usdcAddress)).to.equal(WAD);
      await expect(pool.connect(bob).supply(usdcAddress, USDC("10")))
        .to.emit(pool, "Supply")
        .withArgs(bob.address, usdcAddress, USDC("10"), USDC("10"));
      expect(await pool.supplyBalance(bob.address, usdcAddress)).to.equal(USDC("10"));
    });

    it("withdraws without touching prices when the account has no debt", async function () {
      const { pool, oracle, wethAddress, alice } = await loadFixture(withLiquidity);
      await oracle.setPrice(wethAddress, 0n);
      await expect(pool.connect(alice).withdraw(wethAddress, WETH("1"))).to.emit(pool, "Withdraw");
      await expect(pool.connect(alice).borrow(wethAddress, 1n))
        .to.be.revertedWithCustomError(oracle, "PriceNotSet")
        .withArgs(wethAddress);
    });

    it("rejects zero amounts and unlisted markets", async function () {
      const f = await loadFixture(withLiquidity);
      const { pool, alice } = f;
      await expect(pool.connect(alice).supply(f.usdcAddress, 0n)).to.be.revertedWithCustomError(pool, "ZeroAmount");
      await expect(pool.connect(alice).withdraw(f.usdcAddress, 0n)).to.be.revertedWithCustomError(pool, "ZeroAmount");
      const other = await f.owner.getAddress();
      const calls = [
        () => pool.connect(alice).supply(other, 1n),
        () => pool.connect(alice).withdraw(other, 1n),
        () => pool.connect(alice).borrow(other, 1n),
        () => pool.connect(alice).repay(other, 1n),
        () => pool.connect(alice).repayFor(f.bob.address, other, 1n),
        () => pool.accrueInterest(other),
      ];
      for (const call of calls) {
        await expect(call()).to.be.revertedWithCustomError(pool, "MarketNotListed").withArgs(other);
      }
      await expect(pool.borrowRatePerBlock(other)).to.be.revertedWithCustomError(pool, "MarketNotListed");
      await expect(pool.supplyRatePerBlock(other)).to.be.revertedWithCustomError(pool, "MarketNotListed");
    });

    it("rejects a supply worth less than one share with AmountTooSmall", async function () {
      const { pool, usdcAddress, carol } = await loadFixture(withBorrow);
      await mine(10);
      await expect(pool.connect(carol).supply(usdcAddress, 1n))
        .to.be.revertedWithCustomError(pool, "AmountTooSmall")
        .withArgs(usdcAddress, 1n);
    });

    it("rejects withdrawing more than the balance with InsufficientBalance", async function () {
      const { pool, usdcAddress, alice, carol } = await loadFixture(deployLendingFixture);
      await pool.connect(alice).supply(usdcAddress, USDC("1000"));
      await expect(pool.connect(alice).withdraw(usdcAddress, USDC("1000") + 1n))
        .to.be.revertedWithCustomError(pool, "InsufficientBalance")
        .withArgs(usdcAddress, USDC("1000"), USDC("1000") + 1n);
      await expect(pool.connect(carol).withdraw(usdcAddress, MAX_UINT))
        .to.be.revertedWithCustomError(pool, "InsufficientBalance")
        .withArgs(usdcAddress, 0n, MAX_UINT);
    });

    it("rejects withdrawing lent-out cash with InsufficientCash", async function () {
      const { pool, usdcAddress, wethAddress, alice, bob } = await loadFixture(deployLendingFixture);
      await pool.connect(bob).supply(usdcAddress, USDC("1000"));
      await pool.connect(alice).supply(wethAddress, WETH("10"));
      await pool.connect(alice).borrow(usdcAddress, USDC("900"));
      await expect(pool.connect(bob).withdraw(usdcAddress, USDC("1000")))
        .to.be.revertedWithCustomError(pool, "InsufficientCash")
        .withArgs(usdcAddress, USDC("100"), USDC("1000"));
      await expect(pool.connect(bob).withdraw(usdcAddress, USDC("100"))).to.emit(pool, "Withdraw");
    });

    it("rejects a withdrawal that would leave the account unhealthy", async function () {
      const { pool, wethAddress, usdcAddress, alice } = await loadFixture(withBorrow);
      const debt = await pool.borrowBalance(alice.address, usdcAddress);
      expect(debt).to.equal(USDC("7500"));
      // 4 WETH left * $2000 * 0.75 = $6000 against $7500 of debt
      const hf = mulDiv(ethers.parseEther("6000"), WAD, debt * 10n ** 12n);
      expect(hf).to.equal(ethers.parseEther("0.8"));
      await expect(pool.connect(alice).withdraw(wethAddress, WETH("6")))
        .to.be.revertedWithCustomError(pool, "InsufficientCollateral")
        .withArgs(hf);
      await expect(pool.connect(alice).withdraw(wethAddress, MAX_UINT))
        .to.be.revertedWithCustomError(pool, "InsufficientCollateral")
        .withArgs(0n);
      // 5 WETH left covers exactly $7500
      await expect(pool.connect(alice).withdraw(wethAddress, WETH("5"))).to.emit(pool, "Withdraw");
      expect(await pool.healthFactor(alice.address)).to.equal(WAD);
    });
  });

  describe("borrow", function () {
    it("lends against collateral, emitting Borrow", async function () {
      const { pool, usdc, usdcAddress, alice } = await loadFixture(withLiquidity);
      const amount = USDC("7500");
      const tx = pool.connect(alice).borrow(usdcAddress, amount);
      await expect(tx).to.emit(pool, "Borrow").withArgs(alice.address, usdcAddress, amount);
      await expect(tx).to.changeTokenBalances(usdc, [alice, pool], [amount, -amount]);
      const m = await pool.market(usdcAddress);
      expect(m.totalBorrows).to.equal(amount);
      expect(m.cash).to.equal(USDC("92500"));
      const pos = await pool.position(alice.address, usdcAddress);
      expect(pos.borrowPrincipal).to.equal(amount);
      expect(pos.borrowIndex).to.equal(m.borrowIndex);
      expect(await pool.borrowBalance(alice.address, usdcAddress)).to.equal(amount);
      // 10 WETH * $2000 * 0.75 = $15000 of borrowing power
      const [collateral, borrowed] = await pool.accountLiquidity(alice.address);
      expect(collateral).to.equal(ethers.parseEther("15000"));
      expect(borrowed).to.equal(ethers.parseEther("7500"));
      expect(await pool.healthFactor(alice.address)).to.equal(2n * WAD);
    });

    it("reports an infinite health factor without debt", async function () {
      const { pool, alice, carol } = await loadFixture(withLiquidity);
      expect(await pool.healthFactor(alice.address)).to.equal(MAX_UINT);
      expect(await pool.healthFactor(carol.address)).to.equal(MAX_UINT);
      expect(await pool.accountLiquidity(carol.address)).to.deep.equal([0n, 0n]);
    });

    it("allows borrowing up to the limit and not one unit more", async function () {
      const { pool, usdcAddress, alice } = await loadFixture(withLiquidity);
      const limit = USDC("15000");
      const over = limit + 1n;
      const hf = mulDiv(ethers.parseEther("15000"), WAD, over * 10n ** 12n);
      await expect(pool.connect(alice).borrow(usdcAddress, over))
        .to.be.revertedWithCustomError(pool, "InsufficientCollateral")
        .withArgs(hf);
      await expect(pool.connect(alice).borrow(usdcAddress, limit)).to.emit(pool, "Borrow");
      expect(await pool.healthFactor(alice.address)).to.equal(WAD);
    });

    it("counts collateral across markets with different decimals", async function () {
      const { pool, usdcAddress, wbtcAddress, wethAddress, carol, dave } = await loadFixture(withLiquidity);
      await pool.connect(carol).supply(wbtcAddress, 10n ** 7n); // 0.1 WBTC = $3000 * 0.7 = $2100
      await pool.connect(carol).supply(usdcAddress, USDC("1000")); // $1000 * 0.8 = $800
      const [collateral] = await pool.accountLiquidity(carol.address);
      expect(collateral).to.equal(ethers.parseEther("2900"));
      // borrow WETH (18 decimals) against it: 1.45 WETH = $2900
      await pool.connect(dave).supply(wethAddress, WETH("10"));
      await expect(pool.connect(carol).borrow(wethAddress, WETH("1.45") + 1n)).to.be.revertedWithCustomError(
        pool,
        "InsufficientCollateral",
      );
      await expect(pool.connect(carol).borrow(wethAddress, WETH("1.45"))).to.emit(pool, "Borrow");
      expect(await pool.healthFactor(carol.address)).to.equal(WAD);
    });

    it("rejects a borrow without collateral (or with a zero collateral factor)", async function () {
      const { pool, usdcAddress, wethAddress, alice, carol } = await loadFixture(withLiquidity);
      await expect(pool.connect(carol).borrow(usdcAddress, 1n))
        .to.be.revertedWithCustomError(pool, "InsufficientCollateral")
        .withArgs(0n);
      await pool.setCollateralFactor(wethAddress, 0n);
      await expect(pool.connect(alice).borrow(usdcAddress, 1n))
        .to.be.revertedWithCustomError(pool, "InsufficientCollateral")
        .withArgs(0n);
    });

    it("rejects a zero amount and a borrow above the cash", async function () {
      const { pool, usdcAddress, wethAddress, alice, carol } = await loadFixture(withLiquidity);
      await expect(pool.connect(alice).borrow(usdcAddress, 0n)).to.be.revertedWithCustomError(pool, "ZeroAmount");
      await pool.connect(carol).supply(wethAddress, WETH("1000"));
      await expect(pool.connect(carol).borrow(usdcAddress, USDC("100000") + 1n))
        .to.be.revertedWithCustomError(pool, "InsufficientCash")
        .withArgs(usdcAddress, USDC("100000"), USDC("100000") + 1n);
    });

    it("adds a second borrow to the debt grown by interest", async function () {
      const { pool, model, usdcAddress, alice } = await loadFixture(withBorrow);
      await mine(500);
      const debt = await debtAtNextBlock(pool, model, alice.address, usdcAddress);
      expect(debt).to.be.greaterThan(USDC("7500"));
      await pool.connect(alice).borrow(usdcAddress, USDC("100"));
      expect(await pool.borrowBalance(alice.address, usdcAddress)).to.equal(debt + USDC("100"));
      const pos = await pool.position(alice.address, usdcAddress);
      expect(pos.borrowIndex).to.equal((await pool.market(usdcAddress)).borrowIndex);
    });
  });

  describe("repay", function () {
    it("repays part of the debt, emitting Repay", async function () {
      const { pool, model, usdc, usdcAddress, alice } = await loadFixture(withBorrow);
      await mine(100);
      const debt = await debtAtNextBlock(pool, model, alice.address, usdcAddress);
      const amount = USDC("2500");
      expect(await pool.connect(alice).repay.staticCall(usdcAddress, amount)).to.equal(amount);
      const tx = pool.connect(alice).repay(usdcAddress, amount);
      await expect(tx).to.emit(pool, "Repay").withArgs(alice.address, alice.address, usdcAddress, amount);
      await expect(tx).to.changeTokenBalances(usdc, [alice, pool], [-amount, amount]);
      expect(await pool.borrowBalance(alice.address, usdcAddress)).to.equal(debt - amount);
    });

    it("repays the whole debt, interest included, with type(uint256).max", async function () {
      const { pool, model, usdc, usdcAddress, alice } = await loadFixture(withBorrow);
      await mine(1000);
      const debt = await debtAtNextBlock(pool, model, alice.address, usdcAddress);
      expect(debt).to.be.greaterThan(USDC("7500"));
      const tx = pool.connect(alice).repay(usdcAddress, MAX_UINT);
      await expect(tx).to.emit(pool, "Repay").withArgs(alice.address, alice.address, usdcAddress, debt);
      await expect(tx).to.changeTokenBalances(usdc, [alice, pool], [-debt, debt]);
      expect(await pool.borrowBalance(alice.address, usdcAddress)).to.equal(0n);
      expect((await pool.position(alice.address, usdcAddress)).borrowPrincipal).to.equal(0n);
      expect(await pool.healthFactor(alice.address)).to.equal(MAX_UINT);
    });

    it("lets anyone repay for a borrower with repayFor", async function () {
      const { pool, model, usdc, usdcAddress, alice, carol } = await loadFixture(withBorrow);
      const amount = USDC("1000");
      let tx = pool.connect(carol).repayFor(alice.address, usdcAddress, amount);
      await expect(tx).to.emit(pool, "Repay").withArgs(carol.address, alice.address, usdcAddress, amount);
      await expect(tx).to.changeTokenBalances(usdc, [carol, alice, pool], [-amount, 0n, amount]);
      const debt = await debtAtNextBlock(pool, model, alice.address, usdcAddress);
      tx = pool.connect(carol).repayFor(alice.address, usdcAddress, MAX_UINT);
      await expect(tx).to.emit(pool, "Repay").withArgs(carol.address, alice.address, usdcAddress, debt);
      await expect(tx).to.changeTokenBalances(usdc, [carol, pool], [-debt, debt]);
      expect(await pool.borrowBalance(alice.address, usdcAddress)).to.equal(0n);
      await expect(pool.connect(carol).repayFor(ethers.ZeroAddress, usdcAddress, 1n)).to.be.revertedWithCustomError(
        pool,
        "ZeroAddress",
      );
    });

    it("rejects zero amounts, accounts without debt and repays above the debt", async function () {
      const { pool, model, usdcAddress, alice, carol } = await loadFixture(withBorrow);
      await expect(pool.connect(alice).repay(usdcAddress, 0n)).to.be.revertedWithCustomError(pool, "ZeroAmount");
      await expect(pool.connect(carol).repay(usdcAddress, 1n))
        .to.be.revertedWithCustomError(pool, "NoDebt")
        .withArgs(carol.address, usdcAddress);
      await expect(pool.connect(carol).repay(usdcAddress, MAX_UINT))
        .to.be.revertedWithCustomError(pool, "NoDebt")
        .withArgs(carol.address, usdcAddress);
      await mine(10);
      const debt = await debtAtNextBlock(pool, model, alice.address, usdcAddress);
      await expect(pool.connect(alice).repay(usdcAddress, debt + 1n))
        .to.be.revertedWithCustomError(pool, "RepayTooLarge")
        .withArgs(usdcAddress, debt, debt + 1n);
    });
  });

  describe("interest", function () {
    it("accrues simple interest below the kink as the model predicts", async function () {
      const { pool, model, usdcAddress, alice } = await loadFixture(withLiquidity);
      await pool.connect(alice).borrow(usdcAddress, USDC("10000")); // 10 % utilization
      const params = await rateParams(model);
      const before = await readMarket(pool, usdcAddress);
      const rate = borrowRate(params, before.cash, before.totalBorrows, before.totalReserves);
      const util = (before.totalBorrows * WAD) / (before.cash + before.totalBorrows - before.totalReserves);
      expect(util).to.be.lessThan(params.kink);
      expect(rate).to.equal(params.base + (util * params.multiplier) / WAD);
      expect(await pool.borrowRatePerBlock(usdcAddress)).to.equal(rate);

      await mine(1000);
      const { market, interest } = await marketAtNextBlock(pool, model, usdcAddress);
      // 1001 blocks elapse up to the accruing transaction
      expect(interest).to.equal(mulDiv(before.totalBorrows, rate * 1001n, WAD, true));
      await expect(pool.accrueInterest(usdcAddress))
        .to.emit(pool, "InterestAccrued")
        .withArgs(usdcAddress, interest, market.borrowIndex, market.totalBorrows);
      const after = await readMarket(pool, usdcAddress);
      expect(after).to.deep.equal(market);
      expect(after.borrowIndex).to.equal(before.borrowIndex + mulDiv(before.borrowIndex, rate * 1001n, WAD));
      expect(after.totalReserves).to.equal(mulDiv(interest, PARAMS.usdc.rf, WAD));
      // the borrower owes the index growth
      expect(await pool.borrowBalance(alice.address, usdcAddress)).to.equal(
        mulDiv(USDC("10000"), after.borrowIndex, before.borrowIndex),
      );
      expect(await pool.borrowBalance(alice.address, usdcAddress)).to.be.lessThanOrEqual(after.totalBorrows);
    });

    it("charges the jump rate above the kink", async function () {
      const { pool, model, usdcAddress, wethAddress, alice, carol } = await loadFixture(withLiquidity);
      await pool.connect(carol).supply(wethAddress, WETH("1000"));
      await pool.connect(carol).borrow(usdcAddress, USDC("95000")); // 95 % utilization
      const params = await rateParams(model);
      const before = await readMarket(pool, usdcAddress);
      const util = (before.totalBorrows * WAD) / (before.cash + before.totalBorrows - before.totalReserves);
      expect(util).to.be.greaterThan(params.kink);
      const rate = await pool.borrowRatePerBlock(usdcAddress);
      const expectedRate =
        params.base + (params.kink * params.multiplier) / WAD + ((util - params.kink) * params.jump) / WAD;
      expect(rate).to.equal(expectedRate);
      // yearly: 2 % + 8 % + 15 % * 300 % = 55 % (up to per-block truncation)
      expect(rate * 2_628_000n).to.be.closeTo(ethers.parseEther("0.55"), ethers.parseEther("0.0001"));
      expect(await pool.supplyRatePerBlock(usdcAddress)).to.equal(
        await model.supplyRatePerBlock(before.cash, before.totalBorrows, before.totalReserves, PARAMS.usdc.rf),
      );

      await mine(999);
      const { market, interest } = await marketAtNextBlock(pool, model, usdcAddress);
      expect(interest).to.equal(mulDiv(before.totalBorrows, rate * 1000n, WAD, true));
      await expect(pool.connect(alice).accrueInterest(usdcAddress))
        .to.emit(pool, "InterestAccrued")
        .withArgs(usdcAddress, interest, market.borrowIndex, market.totalBorrows);
      // far more than the same debt would pay below the kink
      const belowKinkRate = params.base + (params.kink * params.multiplier) / WAD;
      expect(interest).to.be.greaterThan(mulDiv(before.totalBorrows, belowKinkRate * 1000n * 4n, WAD));
    });

    it("writes the index only on the first action on a market in a block", async function () {
      const { pool, usdcAddress, alice, carol } = await loadFixture(withBorrow);
      await mine(10);
      await network.provider.send("evm_setAutomine", [false]);
      try {
        const tx1 = await pool.connect(carol).supply(usdcAddress, USDC("10"));
        const tx2 = await pool.connect(alice).repay(usdcAddress, USDC("10"));
        const tx3 = await pool.accrueInterest(usdcAddress);
        await mine(1);
        const receipts = await Promise.all([tx1.wait(), tx2.wait(), tx3.wait()]);
        expect(new Set(receipts.map((r) => r!.blockNumber)).size).to.equal(1);
        const accruals = receipts.map(
          (r) => r!.logs.filter((log: Log) => pool.interface.parseLog(log)?.name === "InterestAccrued").length,
        );
        expect(accruals).to.deep.equal([1, 0, 0]);
        expect((await pool.market(usdcAddress)).accrualBlockNumber).to.equal(BigInt(receipts[0]!.blockNumber));
      } finally {
        await network.provider.send("evm_setAutomine", [true]);
      }
    });

    it("grows the index even without borrows (base rate) and never decreases it", async function () {
      const { pool, wethAddress } = await loadFixture(withLiquidity);
      const before = (await pool.market(wethAddress)).borrowIndex;
      await mine(100);
      await expect(pool.accrueInterest(wethAddress)).to.emit(pool, "InterestAccrued");
      const m = await pool.market(wethAddress);
      expect(m.borrowIndex).to.be.greaterThan(before);
      expect(m.totalBorrows).to.equal(0n);
    });
  });
});

describeOnParallelNetwork("lending: LendingPool parallel-friendliness", function () {
  const FUNDS = WETH("1000");

  /**
   * The suite's fixture with more markets listed (18-decimal TestTokens at
   * $1, USDC's parameters) up to one per trader, and BATCH traders (the
   * fixture's users and more accounts) holding every asset and having
   * approved the pool for it.
   */
  async function deployMarketPerTrader() {
    const f = await deployLendingFixture();
    const { owner, oracle, pool, poolAddress, modelAddress, usdc, weth, wbtc } = f;
    const assets: Ctr[] = [usdc, weth, wbtc];
    while (assets.length < BATCH) {
      const token = (await ethers.deployContract("TestToken", [`Asset ${assets.length}`, `A${assets.length}`, 18])) as unknown as Ctr;
      const address = await token.getAddress();
      await oracle.setPrice(address, WAD);
      await pool.listMarket(address, modelAddress, PARAMS.usdc.cf, PARAMS.usdc.rf, PARAMS.usdc.bonus);
      assets.push(token);
    }
    const traders = await batchSenders(BATCH, [owner]);
    const addresses = await Promise.all(traders.map((t) => t.getAddress()));
    for (const asset of assets) {
      await asset.batchMint(addresses, FUNDS);
      for (const trader of traders) await asset.connect(trader).approve(poolAddress, MAX_UINT);
    }
    return { ...f, traders, assets: await Promise.all(assets.map((a) => a.getAddress())) };
  }

  before(async function () {
    await loadFixture(deployMarketPerTrader); // once, so that the tests' time is the batch's
  });

  it("supplies to different markets are conflict-free and match sequential execution", async function () {
    const { pool, traders, assets } = await loadFixture(deployMarketPerTrader);
    const batch = await mineTogether(traders.map((trader, i) => () => pool.connect(trader).supply(assets[i], USDC("1"), { gasLimit: BATCH_GAS })));
    expect(batch.txs).to.equal(BATCH);
    // Each market is accrued and updated by its own transaction only; the
    // reentrancy lock (_status) goes back to 1 in every one of them.
    expect(batch).to.be.conflictFree();
    expect(batch).to.matchSequentialExecution();
  });

  it("supplies by different users to one market all meet at the market's totals, never at their positions", async function () {
    const { pool, traders, usdcAddress } = await loadFixture(deployMarketPerTrader);
    const batch = await mineTogether(traders.map((trader) => () => pool.connect(trader).supply(usdcAddress, USDC("1"), { gasLimit: BATCH_GAS })));
    // Every supply adds to _markets[usdc].cash and .totalSupplyShares, which
    // the supply before it wrote; each user's _positions entry is its own.
    expect(batch).to.have.hotspot("LendingPool._markets");
    expect(batch).to.have.hotspot("LendingPool._markets.cash");
    expect(batch).to.have.hotspot("_markets.totalSupplyShares");
    expect(batch).not.to.have.hotspot("LendingPool._positions");
    const fields = batch.conflicts.hotspots.filter((h) => h.contract === "LendingPool").map((h) => h.variable);
    expect(fields).to.include.members([`_markets[${usdcAddress}].cash`, `_markets[${usdcAddress}].totalSupplyShares`]);
    expect(batch.conflicts.dependentTxs).to.equal(BATCH - 1);
    expect(batch).to.matchSequentialExecution();
    expect((await readMarket(pool, usdcAddress)).cash).to.equal(USDC("1") * BigInt(BATCH));
  });
});

import { loadFixture, mine } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import {
  MAX_UINT,
  PARAMS,
  PRICES,
  USDC,
  WAD,
  WBTC,
  WETH,
  debtAtNextBlock,
  deployLendingFixture,
  healthFactorAtNextBlock,
  mulDiv,
} from "./fixtures";

describe("lending: LendingPool liquidation", function () {
  /** alice: 10 WETH of collateral, 14000 USDC of debt (health 15000/14000); bob: 100k USDC of liquidity. */
  async function healthyBorrower() {
    const f = await deployLendingFixture();
    await f.pool.connect(f.bob).supply(f.usdcAddress, USDC("100000"));
    await f.pool.connect(f.alice).supply(f.wethAddress, WETH("10"));
    await f.pool.connect(f.alice).borrow(f.usdcAddress, USDC("14000"));
    return f;
  }

  /** healthyBorrower after WETH drops to $1800: collateral 13500 < 14000 of debt. */
  async function unhealthyBorrower() {
    const f = await healthyBorrower();
    await f.oracle.setPrice(f.wethAddress, ethers.parseEther("1800"));
    return f;
  }

  /** carol: 10 WETH + 0.01 WBTC of collateral, 15000 USDC of debt, WETH at $1800. */
  async function borrowerWithSmallCollateral() {
    const f = await deployLendingFixture();
    await f.pool.connect(f.bob).supply(f.usdcAddress, USDC("100000"));
    await f.pool.connect(f.carol).supply(f.wethAddress, WETH("10"));
    await f.pool.connect(f.carol).supply(f.wbtcAddress, WBTC("0.01"));
    await f.pool.connect(f.carol).borrow(f.usdcAddress, USDC("15000"));
    await f.oracle.setPrice(f.wethAddress, ethers.parseEther("1800"));
    return f;
  }

  it("refuses to liquidate a healthy account with NotLiquidatable", async function () {
    const { pool, oracle, model, usdcAddress, wethAddress, alice, liquidator } = await loadFixture(healthyBorrower);
    await mine(10);
    const hf = await healthFactorAtNextBlock(pool, oracle, model, alice.address, [usdcAddress, wethAddress]);
    expect(hf).to.be.greaterThanOrEqual(WAD);
    await expect(pool.connect(liquidator).liquidate(alice.address, usdcAddress, USDC("1000"), wethAddress))
      .to.be.revertedWithCustomError(pool, "NotLiquidatable")
      .withArgs(hf);
  });

  it("makes the account liquidatable when the collateral price drops", async function () {
    const { pool, oracle, wethAddress, alice } = await loadFixture(healthyBorrower);
    expect(await pool.healthFactor(alice.address)).to.be.greaterThan(WAD);
    await oracle.setPrice(wethAddress, ethers.parseEther("1800"));
    const [collateral, debt] = await pool.accountLiquidity(alice.address);
    expect(collateral).to.equal(ethers.parseEther("13500"));
    expect(debt).to.equal(ethers.parseEther("14000"));
    expect(await pool.healthFactor(alice.address)).to.equal(mulDiv(collateral, WAD, debt));
  });

  it("repays debt and moves collateral shares worth repay * bonus to the liquidator", async function () {
    const { pool, model, usdc, weth, usdcAddress, wethAddress, alice, liquidator } =
      await loadFixture(unhealthyBorrower);
    const hfBefore = await pool.healthFactor(alice.address);
    const debt = await debtAtNextBlock(pool, model, alice.address, usdcAddress);
    const repay = USDC("5000");
    // $5000 / $1800 * 1.08 = 3 WETH; the WETH market has no borrows, so 1 share = 1 wei
    const seized = WETH("3");
    expect(
      await pool.connect(liquidator).liquidate.staticCall(alice.address, usdcAddress, repay, wethAddress),
    ).to.deep.equal([repay, seized]);
    const tx = pool.connect(liquidator).liquidate(alice.address, usdcAddress, repay, wethAddress);
    await expect(tx)
      .to.emit(pool, "Liquidate")
      .withArgs(liquidator.address, alice.address, usdcAddress, wethAddress, repay, seized, seized)
      .and.to.emit(pool, "Repay")
      .withArgs(liquidator.address, alice.address, usdcAddress, repay);
    await expect(tx).to.changeTokenBalances(usdc, [liquidator, alice, pool], [-repay, 0n, repay]);
    await expect(tx).to.changeTokenBalances(weth, [liquidator, alice, pool], [0n, 0n, 0n]);

    expect((await pool.position(alice.address, wethAddress)).supplyShares).to.equal(WETH("7"));
    expect((await pool.position(liquidator.address, wethAddress)).supplyShares).to.equal(seized);
    expect(await pool.supplyBalance(liquidator.address, wethAddress)).to.equal(seized);
    expect(await pool.borrowBalance(alice.address, usdcAddress)).to.equal(debt - repay);
    expect(await pool.healthFactor(alice.address)).to.be.greaterThan(hfBefore);
    // total shares are unchanged: shares only changed hands
    expect((await pool.market(wethAddress)).totalSupplyShares).to.equal(WETH("10"));

    // the liquidator can take the seized collateral out
    await expect(pool.connect(liquidator).withdraw(wethAddress, MAX_UINT)).to.changeTokenBalances(
      weth,
      [liquidator, pool],
      [seized, -seized],
    );
  });

  it("caps the repay at the 50 % close factor", async function () {
    const { pool, model, usdc, usdcAddress, wethAddress, alice, liquidator } = await loadFixture(unhealthyBorrower);
    await mine(5);
    const debt = await debtAtNextBlock(pool, model, alice.address, usdcAddress);
    const cap = mulDiv(debt, ethers.parseEther("0.5"), WAD, true);
    expect(await pool.CLOSE_FACTOR()).to.equal(ethers.parseEther("0.5"));
    const tx = pool.connect(liquidator).liquidate(alice.address, usdcAddress, MAX_UINT, wethAddress);
    await expect(tx).to.emit(pool, "Repay").withArgs(liquidator.address, alice.address, usdcAddress, cap);
    await expect(tx).to.changeTokenBalances(usdc, [liquidator, pool], [-cap, cap]);
    expect(await pool.borrowBalance(alice.address, usdcAddress)).to.equal(debt - cap);
    // seized = cap * $1 / $1800 * 1.08, in WETH wei
    const seizeAmount = mulDiv(
      cap,
      PRICES.usdc * PARAMS.weth.bonus * 10n ** 18n,
      ethers.parseEther("1800") * WAD * 10n ** 6n,
    );
    expect((await pool.position(liquidator.address, wethAddress)).supplyShares).to.equal(seizeAmount);
  });

  it("shrinks the repay when the chosen collateral cannot cover the seizure", async function () {
    const { pool, usdc, usdcAddress, wbtcAddress, carol, liquidator } = await loadFixture(
      borrowerWithSmallCollateral,
    );
    expect(await pool.healthFactor(carol.address)).to.be.lessThan(WAD);
    const shares = WBTC("0.01");
    // 0.01 WBTC is worth $300; at a 10 % bonus it pays for 300 / 1.1 USDC (rounded up)
    const num = PRICES.usdc * PARAMS.wbtc.bonus * 10n ** 8n;
    const den = PRICES.wbtc * WAD * 10n ** 6n;
    const repaid = mulDiv(shares, den, num, true);
    expect(repaid).to.equal(272_727_273n);
    const tx = pool.connect(liquidator).liquidate(carol.address, usdcAddress, USDC("5000"), wbtcAddress);
    await expect(tx)
      .to.emit(pool, "Liquidate")
      .withArgs(liquidator.address, carol.address, usdcAddress, wbtcAddress, repaid, shares, shares);
    await expect(tx).to.changeTokenBalances(usdc, [liquidator, pool], [-repaid, repaid]);
    expect((await pool.position(carol.address, wbtcAddress)).supplyShares).to.equal(0n);
    expect((await pool.position(liquidator.address, wbtcAddress)).supplyShares).to.equal(shares);
    // the WBTC is gone: seizing it again fails
    await expect(pool.connect(liquidator).liquidate(carol.address, usdcAddress, USDC("1"), wbtcAddress))
      .to.be.revertedWithCustomError(pool, "NothingToSeize")
      .withArgs(carol.address, wbtcAddress);
  });

  it("liquidates an account that interest alone pushed below 1", async function () {
    const { pool, oracle, model, usdcAddress, wethAddress, carol, liquidator } = await loadFixture(
      deployLendingFixture,
    );
    await pool.connect(liquidator).supply(usdcAddress, USDC("20000"));
    await pool.connect(carol).supply(wethAddress, WETH("10"));
    await pool.connect(carol).borrow(usdcAddress, USDC("15000")); // exactly at the limit, 75 % utilization
    expect(await pool.healthFactor(carol.address)).to.equal(WAD);
    await mine(1000);
    // the stored state still says 1e18; the accrual inside liquidate makes it < 1e18
    expect(await pool.healthFactor(carol.address)).to.equal(WAD);
    const hf = await healthFactorAtNextBlock(pool, oracle, model, carol.address, [usdcAddress, wethAddress]);
    expect(hf).to.be.lessThan(WAD);
    await expect(pool.connect(liquidator).liquidate(carol.address, usdcAddress, USDC("100"), wethAddress)).to.emit(
      pool,
      "Liquidate",
    );
  });

  it("seizes from the same market as the debt", async function () {
    const { pool, oracle, usdcAddress, wethAddress, carol, dave, liquidator } = await loadFixture(
      deployLendingFixture,
    );
    await pool.connect(dave).supply(wethAddress, WETH("100"));
    await pool.connect(carol).supply(wethAddress, WETH("2")); // $3000 of borrowing power
    await pool.connect(carol).supply(usdcAddress, USDC("10000")); // $8000 of borrowing power
    await pool.connect(carol).borrow(wethAddress, WETH("5")); // $10000 of debt
    // WETH at $2400: 3600 + 8000 of collateral against 12000 of debt
    await oracle.setPrice(wethAddress, ethers.parseEther("2400"));
    expect(await pool.healthFactor(carol.address)).to.be.lessThan(WAD);
    await expect(pool.connect(liquidator).liquidate(carol.address, wethAddress, WETH("1"), wethAddress)).to.emit(
      pool,
      "Liquidate",
    );
    // 1 WETH repaid for 1.08 WETH worth of shares (rounded down through the exchange rate)
    const got = await pool.supplyBalance(liquidator.address, wethAddress);
    expect(got).to.be.closeTo(WETH("1.08"), 10n);
    expect(got).to.be.lessThanOrEqual(WETH("1.08"));
  });

  describe("errors", function () {
    it("rejects a zero repay with ZeroAmount and self-liquidation with SelfLiquidation", async function () {
      const { pool, usdcAddress, wethAddress, alice, liquidator } = await loadFixture(unhealthyBorrower);
      await expect(
        pool.connect(liquidator).liquidate(alice.address, usdcAddress, 0n, wethAddress),
      ).to.be.revertedWithCustomError(pool, "ZeroAmount");
      await expect(pool.connect(alice).liquidate(alice.address, usdcAddress, 1n, wethAddress))
        .to.be.revertedWithCustomError(pool, "SelfLiquidation")
        .withArgs(alice.address);
    });

    it("rejects unlisted debt or collateral markets with MarketNotListed", async function () {
      const { pool, usdcAddress, wethAddress, alice, liquidator, owner } = await loadFixture(unhealthyBorrower);
      await expect(pool.connect(liquidator).liquidate(alice.address, owner.address, 1n, wethAddress))
        .to.be.revertedWithCustomError(pool, "MarketNotListed")
        .withArgs(owner.address);
      await expect(pool.connect(liquidator).liquidate(alice.address, usdcAddress, 1n, owner.address))
        .to.be.revertedWithCustomError(pool, "MarketNotListed")
        .withArgs(owner.address);
    });

    it("rejects a debt asset the borrower does not owe with NoDebt", async function () {
      const { pool, wethAddress, alice, liquidator } = await loadFixture(unhealthyBorrower);
      await expect(pool.connect(liquidator).liquidate(alice.address, wethAddress, WETH("1"), wethAddress))
        .to.be.revertedWithCustomError(pool, "NoDebt")
        .withArgs(alice.address, wethAddress);
    });

    it("rejects a collateral asset the borrower did not supply with NothingToSeize", async function () {
      const { pool, usdcAddress, wbtcAddress, alice, liquidator } = await loadFixture(unhealthyBorrower);
      await expect(pool.connect(liquidator).liquidate(alice.address, usdcAddress, USDC("100"), wbtcAddress))
        .to.be.revertedWithCustomError(pool, "NothingToSeize")
        .withArgs(alice.address, wbtcAddress);
    });

    it("rejects a repay too small to seize one share with AmountTooSmall", async function () {
      const { pool, usdcAddress, wbtcAddress, carol, liquidator } = await loadFixture(borrowerWithSmallCollateral);
      // 1e-6 USD buys 3.7e-11 WBTC: less than one 1e-8 unit
      await expect(pool.connect(liquidator).liquidate(carol.address, usdcAddress, 1n, wbtcAddress))
        .to.be.revertedWithCustomError(pool, "AmountTooSmall")
        .withArgs(usdcAddress, 1n);
    });

    it("propagates the oracle's PriceNotSet when a market in use has no price", async function () {
      const { pool, oracle, usdcAddress, wethAddress, alice, liquidator } = await loadFixture(unhealthyBorrower);
      await oracle.setPrice(wethAddress, 0n);
      await expect(pool.connect(liquidator).liquidate(alice.address, usdcAddress, USDC("1"), wethAddress))
        .to.be.revertedWithCustomError(oracle, "PriceNotSet")
        .withArgs(wethAddress);
      await expect(pool.healthFactor(alice.address))
        .to.be.revertedWithCustomError(oracle, "PriceNotSet")
        .withArgs(wethAddress);
    });
  });
});

import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { BLOCKS_PER_YEAR, RATE_YEARLY, WAD } from "./fixtures";

describe("lending: KinkedRateModel", function () {
  async function deployModel() {
    const model = await ethers.deployContract("KinkedRateModel", [
      RATE_YEARLY.base,
      RATE_YEARLY.multiplier,
      RATE_YEARLY.jump,
      RATE_YEARLY.kink,
    ]);
    return { model };
  }

  const base = RATE_YEARLY.base / BLOCKS_PER_YEAR;
  const mult = RATE_YEARLY.multiplier / BLOCKS_PER_YEAR;
  const jump = RATE_YEARLY.jump / BLOCKS_PER_YEAR;
  const kink = RATE_YEARLY.kink;

  it("stores the yearly parameters divided by BLOCKS_PER_YEAR", async function () {
    const { model } = await loadFixture(deployModel);
    expect(await model.BLOCKS_PER_YEAR()).to.equal(2_628_000n);
    expect(await model.baseRatePerBlock()).to.equal(base);
    expect(await model.multiplierPerBlock()).to.equal(mult);
    expect(await model.jumpMultiplierPerBlock()).to.equal(jump);
    expect(await model.kink()).to.equal(kink);
  });

  it("emits NewInterestParams at deployment", async function () {
    const factory = await ethers.getContractFactory("KinkedRateModel");
    const model = await factory.deploy(RATE_YEARLY.base, RATE_YEARLY.multiplier, RATE_YEARLY.jump, kink);
    await expect(model.deploymentTransaction())
      .to.emit(model, "NewInterestParams")
      .withArgs(base, mult, jump, kink);
  });

  it("rejects a kink of 0 or above 1e18 with InvalidKink", async function () {
    const factory = await ethers.getContractFactory("KinkedRateModel");
    await expect(factory.deploy(0n, 0n, 0n, 0n)).to.be.revertedWithCustomError(factory, "InvalidKink").withArgs(0n);
    await expect(factory.deploy(0n, 0n, 0n, WAD + 1n))
      .to.be.revertedWithCustomError(factory, "InvalidKink")
      .withArgs(WAD + 1n);
    await factory.deploy(0n, 0n, 0n, WAD); // a kink at 100 % is allowed
  });

  describe("utilizationRate", function () {
    it("is 0 without borrows", async function () {
      const { model } = await loadFixture(deployModel);
      expect(await model.utilizationRate(1000n, 0n, 0n)).to.equal(0n);
      expect(await model.utilizationRate(0n, 0n, 0n)).to.equal(0n);
    });

    it("is borrows / (cash + borrows - reserves)", async function () {
      const { model } = await loadFixture(deployModel);
      expect(await model.utilizationRate(500n, 500n, 0n)).to.equal(WAD / 2n);
      expect(await model.utilizationRate(600n, 300n, 100n)).to.equal((300n * WAD) / 800n);
      expect(await model.utilizationRate(0n, 700n, 0n)).to.equal(WAD);
    });

    it("is capped at 1e18 when reserves exceed the cash", async function () {
      const { model } = await loadFixture(deployModel);
      expect(await model.utilizationRate(10n, 100n, 50n)).to.equal(WAD);
      expect(await model.utilizationRate(10n, 100n, 110n)).to.equal(WAD);
      expect(await model.utilizationRate(10n, 100n, 500n)).to.equal(WAD);
    });
  });

  describe("borrowRatePerBlock", function () {
    it("is the base rate at zero utilization", async function () {
      const { model } = await loadFixture(deployModel);
      expect(await model.borrowRatePerBlock(1000n, 0n, 0n)).to.equal(base);
    });

    it("grows by util * multiplier below and at the kink", async function () {
      const { model } = await loadFixture(deployModel);
      const half = WAD / 2n;
      expect(await model.borrowRatePerBlock(500n, 500n, 0n)).to.equal(base + (half * mult) / WAD);
      // exactly at the kink: 800 / 1000
      expect(await model.borrowRatePerBlock(200n, 800n, 0n)).to.equal(base + (kink * mult) / WAD);
    });

    it("adds jump * (util - kink) above the kink", async function () {
      const { model } = await loadFixture(deployModel);
      const util = ethers.parseEther("0.9");
      const expected = base + (kink * mult) / WAD + ((util - kink) * jump) / WAD;
      expect(await model.borrowRatePerBlock(100n, 900n, 0n)).to.equal(expected);
      // full utilization
      expect(await model.borrowRatePerBlock(0n, 900n, 0n)).to.equal(
        base + (kink * mult) / WAD + ((WAD - kink) * jump) / WAD,
      );
    });

    it("is steeper above the kink than below it", async function () {
      const { model } = await loadFixture(deployModel);
      const below = await model.borrowRatePerBlock(210n, 790n, 0n);
      const at = await model.borrowRatePerBlock(200n, 800n, 0n);
      const above = await model.borrowRatePerBlock(190n, 810n, 0n);
      expect(at - below).to.be.lessThan(above - at);
    });
  });

  describe("supplyRatePerBlock", function () {
    it("is util * borrowRate * (1 - reserveFactor)", async function () {
      const { model } = await loadFixture(deployModel);
      const rf = ethers.parseEther("0.1");
      const borrow = await model.borrowRatePerBlock(100n, 900n, 0n);
      const util = ethers.parseEther("0.9");
      expect(await model.supplyRatePerBlock(100n, 900n, 0n, rf)).to.equal(
        (util * ((borrow * (WAD - rf)) / WAD)) / WAD,
      );
      expect(await model.supplyRatePerBlock(100n, 900n, 0n, WAD)).to.equal(0n);
      expect(await model.supplyRatePerBlock(1000n, 0n, 0n, 0n)).to.equal(0n);
    });

    it("rejects a reserve factor above 1e18 with InvalidReserveFactor", async function () {
      const { model } = await loadFixture(deployModel);
      await expect(model.supplyRatePerBlock(1n, 1n, 0n, WAD + 1n))
        .to.be.revertedWithCustomError(model, "InvalidReserveFactor")
        .withArgs(WAD + 1n);
    });
  });
});

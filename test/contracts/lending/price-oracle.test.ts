import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";

describe("lending: SimplePriceOracle", function () {
  async function deployOracle() {
    const [owner, alice] = await ethers.getSigners();
    const oracle = await ethers.deployContract("SimplePriceOracle");
    const asset = ethers.Wallet.createRandom().address;
    return { oracle, owner, alice, asset };
  }

  it("is owned by the deployer", async function () {
    const { oracle, owner } = await loadFixture(deployOracle);
    expect(await oracle.owner()).to.equal(owner.address);
  });

  it("stores a price set by the owner and emits PriceSet", async function () {
    const { oracle, asset } = await loadFixture(deployOracle);
    const price = ethers.parseEther("2000");
    await expect(oracle.setPrice(asset, price)).to.emit(oracle, "PriceSet").withArgs(asset, price);
    expect(await oracle.getPrice(asset)).to.equal(price);
    const newer = ethers.parseEther("1850.5");
    await expect(oracle.setPrice(asset, newer)).to.emit(oracle, "PriceSet").withArgs(asset, newer);
    expect(await oracle.getPrice(asset)).to.equal(newer);
  });

  it("reverts with PriceNotSet for an asset never priced", async function () {
    const { oracle, asset } = await loadFixture(deployOracle);
    await expect(oracle.getPrice(asset)).to.be.revertedWithCustomError(oracle, "PriceNotSet").withArgs(asset);
  });

  it("reverts with PriceNotSet after the price is cleared to 0", async function () {
    const { oracle, asset } = await loadFixture(deployOracle);
    await oracle.setPrice(asset, 5n);
    await expect(oracle.setPrice(asset, 0n)).to.emit(oracle, "PriceSet").withArgs(asset, 0n);
    await expect(oracle.getPrice(asset)).to.be.revertedWithCustomError(oracle, "PriceNotSet").withArgs(asset);
  });

  it("rejects setPrice from anyone but the owner", async function () {
    const { oracle, alice, asset } = await loadFixture(deployOracle);
    await expect(oracle.connect(alice).getFunction("setPrice")(asset, 1n))
      .to.be.revertedWithCustomError(oracle, "OwnableUnauthorizedAccount")
      .withArgs(alice.address);
  });
});

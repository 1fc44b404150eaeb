import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import type { Contract, Signer } from "ethers";

import { BATCH, BATCH_GAS, batchSenders, describeOnParallelNetwork, mineTogether } from "../helpers/parallel-batch";

const as = (contract: Contract, signer: Signer): Contract => contract.connect(signer) as Contract;

async function deployTestToken() {
  const [owner, alice, bob, carol] = await ethers.getSigners();
  const token = await ethers.deployContract("TestToken", ["Test USD", "TUSD", 6]);
  await token.waitForDeployment();
  return { token, owner, alice, bob, carol };
}

describe("TestToken", function () {
  describe("deployment", function () {
    it("sets name, symbol, decimals and owner, with zero supply", async function () {
      const { token, owner } = await loadFixture(deployTestToken);
      expect(await token.name()).to.equal("Test USD");
      expect(await token.symbol()).to.equal("TUSD");
      expect(await token.decimals()).to.equal(6n);
      expect(await token.owner()).to.equal(owner.address);
      expect(await token.totalSupply()).to.equal(0n);
    });

    it("reports whatever decimals it was deployed with", async function () {
      for (const decimals of [0, 8, 18, 255]) {
        const token = await ethers.deployContract("TestToken", ["T", "T", decimals]);
        expect(await token.decimals()).to.equal(BigInt(decimals));
      }
    });
  });

  describe("mint", function () {
    it("lets the owner mint, emitting a Transfer from the zero address", async function () {
      const { token, alice } = await loadFixture(deployTestToken);
      await expect(token.mint(alice.address, 1_000_000n))
        .to.emit(token, "Transfer")
        .withArgs(ethers.ZeroAddress, alice.address, 1_000_000n);
      expect(await token.balanceOf(alice.address)).to.equal(1_000_000n);
      expect(await token.totalSupply()).to.equal(1_000_000n);
    });

    it("reverts with OwnableUnauthorizedAccount for anyone else", async function () {
      const { token, alice, bob } = await loadFixture(deployTestToken);
      await expect(token.connect(alice).getFunction("mint")(bob.address, 1n))
        .to.be.revertedWithCustomError(token, "OwnableUnauthorizedAccount")
        .withArgs(alice.address);
      expect(await token.totalSupply()).to.equal(0n);
    });

    it("reverts with ERC20InvalidReceiver when minting to the zero address", async function () {
      const { token } = await loadFixture(deployTestToken);
      await expect(token.mint(ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
    });
  });

  describe("batchMint", function () {
    it("mints the amount to every recipient with one Transfer each", async function () {
      const { token, alice, bob, carol } = await loadFixture(deployTestToken);
      const recipients = [alice.address, bob.address, carol.address];
      const tx = token.batchMint(recipients, 500n);
      for (const recipient of recipients) {
        await expect(tx).to.emit(token, "Transfer").withArgs(ethers.ZeroAddress, recipient, 500n);
      }
      await expect(tx).to.changeTokenBalances(token, recipients, [500n, 500n, 500n]);
      expect(await token.totalSupply()).to.equal(1500n);
    });

    it("mints twice to a recipient listed twice", async function () {
      const { token, alice } = await loadFixture(deployTestToken);
      await token.batchMint([alice.address, alice.address], 7n);
      expect(await token.balanceOf(alice.address)).to.equal(14n);
    });

    it("does nothing for an empty list", async function () {
      const { token } = await loadFixture(deployTestToken);
      await expect(token.batchMint([], 7n)).not.to.emit(token, "Transfer");
      expect(await token.totalSupply()).to.equal(0n);
    });

    it("reverts with OwnableUnauthorizedAccount for anyone else", async function () {
      const { token, alice, bob } = await loadFixture(deployTestToken);
      await expect(token.connect(bob).getFunction("batchMint")([alice.address], 1n))
        .to.be.revertedWithCustomError(token, "OwnableUnauthorizedAccount")
        .withArgs(bob.address);
    });

    it("reverts as a whole if a recipient is the zero address", async function () {
      const { token, alice } = await loadFixture(deployTestToken);
      await expect(token.batchMint([alice.address, ethers.ZeroAddress], 1n))
        .to.be.revertedWithCustomError(token, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
      expect(await token.balanceOf(alice.address)).to.equal(0n);
    });
  });

  describe("transfers", function () {
    it("moves balances and emits Transfer", async function () {
      const { token, alice, bob } = await loadFixture(deployTestToken);
      await token.mint(alice.address, 100n);
      const tx = token.connect(alice).getFunction("transfer")(bob.address, 40n);
      await expect(tx).to.emit(token, "Transfer").withArgs(alice.address, bob.address, 40n);
      await expect(tx).to.changeTokenBalances(token, [alice, bob], [-40n, 40n]);
    });

    it("moves balances with transferFrom after approve, emitting Approval and Transfer", async function () {
      const { token, alice, bob, carol } = await loadFixture(deployTestToken);
      await token.mint(alice.address, 100n);
      await expect(token.connect(alice).getFunction("approve")(bob.address, 60n))
        .to.emit(token, "Approval")
        .withArgs(alice.address, bob.address, 60n);
      await expect(token.connect(bob).getFunction("transferFrom")(alice.address, carol.address, 60n))
        .to.emit(token, "Transfer")
        .withArgs(alice.address, carol.address, 60n);
      expect(await token.balanceOf(carol.address)).to.equal(60n);
      expect(await token.allowance(alice.address, bob.address)).to.equal(0n);
    });

    it("reverts with ERC20InsufficientBalance when overspending", async function () {
      const { token, alice, bob } = await loadFixture(deployTestToken);
      await token.mint(alice.address, 10n);
      await expect(token.connect(alice).getFunction("transfer")(bob.address, 11n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(alice.address, 10n, 11n);
    });
  });
});

describeOnParallelNetwork("TestToken parallel-friendliness", function () {
  /** The suite's token, with a balance for each of BATCH distinct senders. */
  async function deployFundedSenders() {
    const { token, owner } = await deployTestToken();
    const senders = await batchSenders(BATCH, [owner]);
    await token.batchMint(await Promise.all(senders.map((s) => s.getAddress())), 1_000n);
    return { token, senders };
  }

  /** A fresh address that holds nothing, one per index. */
  const fresh = (i: number): string => ethers.getAddress(`0x${(0x7e57_0000 + i).toString(16).padStart(40, "0")}`);

  it("transfers between distinct holders are conflict-free and match sequential execution", async function () {
    const { token, senders } = await loadFixture(deployFundedSenders);
    const batch = await mineTogether(senders.map((s, i) => () => as(token, s).transfer(fresh(i), 1n, { gasLimit: BATCH_GAS })));
    expect(batch.txs).to.equal(BATCH);
    expect(batch).to.be.conflictFree();
    expect(batch).not.to.have.hotspot("TestToken._balances");
    expect(batch).to.matchSequentialExecution();
    expect(await token.balanceOf(fresh(0))).to.equal(1n);
  });

  it("transfers to one recipient all meet at its balance entry, still matching sequential execution", async function () {
    const { token, senders } = await loadFixture(deployFundedSenders);
    const batch = await mineTogether(senders.map((s) => () => as(token, s).transfer(fresh(0), 1n, { gasLimit: BATCH_GAS })));
    expect(batch).to.have.hotspot("TestToken._balances");
    expect(batch).to.have.conflictBetween("transfer", "transfer");
    // Every transfer after the first adds to the balance the one before it wrote.
    expect(batch.conflicts.dependentTxs).to.equal(BATCH - 1);
    expect(batch).to.matchSequentialExecution();
    expect(await token.balanceOf(fresh(0))).to.equal(BigInt(BATCH));
  });
});

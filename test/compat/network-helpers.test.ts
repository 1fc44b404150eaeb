/**
 * Toolbox compatibility (2/3): hardhat-network-helpers on whichever network
 * this run uses: fixtures, snapshots, time travel, mining, impersonation and
 * state edits. The outcomes are recorded and compared across networks
 * (outcomes.ts); timestamps only as differences the test fixed itself.
 */
import {
  getStorageAt,
  impersonateAccount,
  loadFixture,
  mine,
  setBalance,
  setCode,
  setNonce,
  setStorageAt,
  stopImpersonatingAccount,
  takeSnapshot,
  time,
} from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import type { TransactionResponse } from "ethers";

import { record, recordGasEstimate } from "./outcomes";
import { E18, GENESIS_BALANCE, by, caught, deployProbe, freshChainPerFile, noContracts, recordTx } from "./setup";

async function latestTimestamp(): Promise<bigint> {
  return BigInt(await time.latest());
}

/** Storage slot of `values[key]` in CompatProbe (mapping at slot 0). */
function valueSlot(key: bigint): string {
  return ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["uint256", "uint256"], [key, 0n]));
}

describe("compat: network helpers", function () {
  freshChainPerFile();

  describe("loadFixture", function () {
    let fixtureRuns = 0;
    async function countedFixture() {
      fixtureRuns++;
      return deployProbe();
    }

    it("runs the fixture once; the first test changes its state", async function () {
      const { probe, owner } = await loadFixture(countedFixture);
      await recordTx("store", probe.store(1n, 11n, "first"));
      expect(await probe.counter()).to.equal(1n);
      record("fixture", { address: await probe.getAddress(), owner: owner.address, runs: fixtureRuns, block: await time.latestBlock() });
    });

    it("restores the fixture's state for the next test (same addresses, same block)", async function () {
      const { probe, owner } = await loadFixture(countedFixture);
      expect(fixtureRuns).to.equal(1);
      expect(await probe.counter()).to.equal(0n);
      expect(await probe.values(1n)).to.equal(0n);
      record("fixture", { address: await probe.getAddress(), owner: owner.address, runs: fixtureRuns, block: await time.latestBlock() });
      record("owner nonce", await ethers.provider.getTransactionCount(owner.address));
    });
  });

  it("takeSnapshot / restore brings back balances, storage and the block number (and can restore twice)", async function () {
    const { probe, alice, bob } = await loadFixture(deployProbe);
    const snapshot = await takeSnapshot();
    const block = await time.latestBlock();
    await alice.sendTransaction({ to: bob.address, value: E18 });
    await probe.store(2n, 22n, "snap");
    await mine(5);
    expect(await time.latestBlock()).to.equal(block + 7);
    record("changed", [await ethers.provider.getBalance(bob.address), await probe.counter(), await time.latestBlock()]);
    await snapshot.restore();
    expect(await time.latestBlock()).to.equal(block);
    expect(await ethers.provider.getBalance(bob.address)).to.equal(GENESIS_BALANCE);
    expect(await probe.values(2n)).to.equal(0n);
    await probe.tick();
    await snapshot.restore();
    expect(await probe.counter()).to.equal(0n);
    record("restored", [await ethers.provider.getBalance(alice.address), await probe.counter(), await time.latestBlock()]);
  });

  describe("time", function () {
    it("time.increase moves the next block exactly that far and mines it", async function () {
      await loadFixture(deployProbe);
      const before = await latestTimestamp();
      const block = await time.latestBlock();
      const returned = await time.increase(3600);
      expect(BigInt(returned)).to.equal(before + 3600n);
      expect(await latestTimestamp()).to.equal(before + 3600n);
      expect(await time.latestBlock()).to.equal(block + 1);
      record("increase", { delta: (await latestTimestamp()) - before, blocks: (await time.latestBlock()) - block });
    });

    it("time.increaseTo and setNextBlockTimestamp fix the next block's timestamp, as the contract sees it", async function () {
      const { probe } = await loadFixture(deployProbe);
      const base = await latestTimestamp();
      await time.increaseTo(base + 1000n);
      expect(await latestTimestamp()).to.equal(base + 1000n);
      await time.setNextBlockTimestamp(base + 5000n);
      // The Ticked event carries the absolute timestamp: recorded below relative to the base only.
      const receipt = (await (await probe.tick()).wait())!;
      record("tick", { gasUsed: receipt.gasUsed, gasPrice: receipt.gasPrice, block: receipt.blockNumber });
      const block = (await ethers.provider.getBlock(receipt.blockNumber))!;
      expect(BigInt(block.timestamp)).to.equal(base + 5000n);
      await expect(probe.tick()).to.emit(probe, "Ticked").withArgs(2n, (at: bigint) => at > base + 5000n);
      const [, at] = probe.interface.parseLog(receipt.logs[0])!.args;
      record("seen by the contract", at - base);
      record("block timestamp", BigInt(block.timestamp) - base);
    });

    it("a time lock: withdraw reverts before unlockTime and pays out at it", async function () {
      const { probe, owner, unlockTime } = await loadFixture(deployProbe);
      await expect(probe.withdraw()).to.be.revertedWith("still locked");
      await time.increaseTo(unlockTime - 10n);
      expect(BigInt(await time.latest())).to.equal(unlockTime - 10n);
      await expect(probe.withdraw()).to.be.revertedWith("still locked");
      await time.setNextBlockTimestamp(unlockTime);
      const tx: TransactionResponse = await probe.withdraw();
      const receipt = (await tx.wait())!;
      const fee: bigint = receipt.gasUsed * receipt.gasPrice;
      await expect(tx).to.changeEtherBalances([owner, probe], [5n * E18 - fee, -5n * E18], { includeFee: true });
      record("withdraw", { gasUsed: receipt.gasUsed, gasPrice: receipt.gasPrice, block: receipt.blockNumber });
      record("owner balance", await ethers.provider.getBalance(owner.address));
    });

    it("mine(n, { interval }) mines n empty blocks spaced by the interval; mine() mines one", async function () {
      await loadFixture(deployProbe);
      const first = await time.latestBlock();
      await mine();
      expect(await time.latestBlock()).to.equal(first + 1);
      await mine(10, { interval: 15 });
      const last = await time.latestBlock();
      expect(last).to.equal(first + 11);
      const stamps: bigint[] = [];
      for (let n = first + 2; n <= last; n++) stamps.push(BigInt((await ethers.provider.getBlock(n))!.timestamp));
      const gaps = stamps.slice(1).map((t, i) => t - stamps[i]);
      expect(gaps).to.deep.equal(Array(9).fill(15n));
      const blocks = await Promise.all([first + 2, last].map((n) => ethers.provider.getBlock(n)));
      record("mined", { blocks: last - first, gaps, txs: blocks.map((b) => b!.transactions.length), gasUsed: blocks.map((b) => b!.gasUsed) });
      record("base fees", blocks.map((b) => b!.baseFeePerGas));
    });
  });

  describe("impersonation", function () {
    const STRANGER = ethers.getAddress("0x1234567890abcdef1234567890abcdef12345678");

    it("impersonateAccount + setBalance: a keyless account sends, deploys and owns a contract; stopImpersonatingAccount ends it", async function () {
      const { alice } = await loadFixture(noContracts);
      await impersonateAccount(STRANGER);
      await setBalance(STRANGER, 100n * E18);
      expect(await ethers.provider.getBalance(STRANGER)).to.equal(100n * E18);
      const stranger = await ethers.getSigner(STRANGER);
      const tx = await stranger.sendTransaction({ to: alice.address, value: E18 });
      const receipt = await recordTx("send", tx);
      await expect(tx).to.changeEtherBalances([stranger, alice], [-(E18 + receipt.gasUsed * receipt.gasPrice), E18], { includeFee: true });
      const probe = await ethers.deployContract("CompatProbe", [0n], stranger);
      await probe.waitForDeployment();
      expect(await probe.owner()).to.equal(STRANGER);
      await expect(probe.ownerOnly(5n)).not.to.be.reverted;
      await expect(by(probe, alice).ownerOnly(5n)).to.be.revertedWithCustomError(probe, "Unauthorized").withArgs(alice.address, 5n);
      record("deployed", { address: await probe.getAddress(), counter: await probe.counter(), nonce: await ethers.provider.getTransactionCount(STRANGER) });
      await stopImpersonatingAccount(STRANGER);
      const error = await caught(stranger.sendTransaction({ to: alice.address, value: 1n }));
      expect(error.message).to.contain("Unknown account");
      record("after stop", error.message);
      record("balance", await ethers.provider.getBalance(STRANGER));
    });

    it("impersonates an account that holds code: the contract sends ether and makes calls", async function () {
      const { probe, alice } = await loadFixture(deployProbe);
      const address = await probe.getAddress();
      await impersonateAccount(address);
      const asContract = await ethers.getSigner(address);
      await setBalance(address, 10n * E18);
      const tx = await asContract.sendTransaction({ to: alice.address, value: 2n * E18 });
      const receipt = await recordTx("contract sends", tx);
      await expect(tx).to.changeEtherBalances([probe, alice], [-(2n * E18 + receipt.gasUsed * receipt.gasPrice), 2n * E18], { includeFee: true });
      await expect(by(probe, asContract).ownerOnly.staticCall(1n)).to.be.revertedWithCustomError(probe, "Unauthorized").withArgs(address, 1n);
      recordGasEstimate("estimate from the contract", await by(probe, asContract).tick.estimateGas());
      // tick() logs block.timestamp: a fixed one keeps the outcome independent of the clock.
      await time.setNextBlockTimestamp(4_000_000_000);
      await recordTx("contract calls itself", by(probe, asContract).tick());
      record("nonce", await ethers.provider.getTransactionCount(address));
      await stopImpersonatingAccount(address);
    });
  });

  describe("state edits", function () {
    it("setBalance and setNonce", async function () {
      const { alice, bob } = await loadFixture(noContracts);
      await setBalance(alice.address, 123_456_789n);
      expect(await ethers.provider.getBalance(alice.address)).to.equal(123_456_789n);
      await setNonce(bob.address, 42);
      expect(await ethers.provider.getTransactionCount(bob.address)).to.equal(42);
      const receipt = await recordTx("send after setNonce", bob.sendTransaction({ to: alice.address, value: 9n }));
      expect(await ethers.provider.getTransactionCount(bob.address)).to.equal(43);
      expect(await ethers.provider.getBalance(alice.address)).to.equal(123_456_798n);
      record("balances", [await ethers.provider.getBalance(alice.address), await ethers.provider.getBalance(bob.address)]);
      expect(await ethers.provider.getBalance(bob.address)).to.equal(GENESIS_BALANCE - 9n - receipt.gasUsed * receipt.gasPrice);
    });

    it("setCode installs runtime code that getContractAt can use; setStorageAt / getStorageAt edit and read its slots", async function () {
      const { probe } = await loadFixture(deployProbe);
      const code = await ethers.provider.getCode(await probe.getAddress());
      const target = ethers.getAddress("0x00000000000000000000000000000000c0ffee00");
      await setCode(target, code);
      expect(await ethers.provider.getCode(target)).to.equal(code);
      const installed = await ethers.getContractAt("CompatProbe", target);
      // No constructor ran: every slot is zero.
      expect(await installed.owner()).to.equal(ethers.ZeroAddress);
      await recordTx("store on installed code", installed.store(5n, 55n, "installed"));
      expect(await getStorageAt(target, valueSlot(5n))).to.equal(ethers.toBeHex(55n, 32));
      await setStorageAt(target, 1n, 1000n);
      expect(await installed.counter()).to.equal(1000n);
      const [, alice] = await ethers.getSigners();
      await setStorageAt(target, 2n, ethers.zeroPadValue(alice.address, 32));
      expect(await installed.owner()).to.equal(alice.address);
      await expect(by(installed, alice).ownerOnly(3n)).not.to.be.reverted;
      await setStorageAt(target, valueSlot(6n), 66n);
      expect(await installed.values(6n)).to.equal(66n);
      record("slots", await Promise.all([valueSlot(5n), 1n, 2n, valueSlot(6n), 3n].map((s) => getStorageAt(target, s))));
      record("counter", await installed.counter());
    });
  });
});

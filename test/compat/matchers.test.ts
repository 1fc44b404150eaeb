/**
 * Toolbox compatibility (1/3): hardhat-chai-matchers and hardhat-ethers on
 * whichever network this run uses: events, every revert matcher, ether and
 * token balance changes, signers, getContractAt, staticCall. The outcomes
 * are recorded and compared across networks (outcomes.ts).
 */
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { PANIC_CODES } from "@nomicfoundation/hardhat-chai-matchers/panic";
import { expect } from "chai";
import hre, { ethers } from "hardhat";

import { record } from "./outcomes";
import {
  E18,
  GENESIS_BALANCE,
  by,
  caught,
  deployProbe,
  deployProbeAndToken,
  deployToken,
  freshChainPerFile,
  noContracts,
  receiptOfFailedSend,
  recordTx,
} from "./setup";

describe("compat: chai matchers and hardhat-ethers", function () {
  freshChainPerFile();

  describe("signers and contracts", function () {
    it("hre.ethers.getSigners gives Hardhat's 20 funded accounts, with nonces that count sends", async function () {
      await loadFixture(noContracts);
      const signers = await hre.ethers.getSigners();
      expect(signers).to.have.length(20);
      const [owner, alice] = signers;
      const nonce = await ethers.provider.getTransactionCount(owner.address);
      const receipt = await recordTx("transfer", owner.sendTransaction({ to: alice.address, value: 1n }));
      expect(await ethers.provider.getTransactionCount(owner.address)).to.equal(nonce + 1);
      record("accounts", signers.map((s) => s.address));
      record("untouched balances", await Promise.all(signers.slice(2).map((s) => ethers.provider.getBalance(s.address))));
      for (const s of signers.slice(2)) expect(await ethers.provider.getBalance(s.address)).to.equal(GENESIS_BALANCE);
      record("nonces", [nonce, await ethers.provider.getTransactionCount(owner.address)]);
      record("alice balance", await ethers.provider.getBalance(alice.address));
      expect(receipt.status).to.equal(1);
    });

    it("getBlock, getTransaction and getTransactionReceipt answer null for what does not exist (yet)", async function () {
      await loadFixture(noContracts);
      const latest = await ethers.provider.getBlockNumber();
      const missing = {
        futureBlock: await ethers.provider.getBlock(latest + 100),
        unknownBlockHash: await ethers.provider.getBlock(ethers.keccak256("0x01")),
        unknownTransaction: await ethers.provider.getTransaction(ethers.keccak256("0x02")),
        unknownReceipt: await ethers.provider.getTransactionReceipt(ethers.keccak256("0x03")),
      };
      expect(missing).to.deep.equal({ futureBlock: null, unknownBlockHash: null, unknownTransaction: null, unknownReceipt: null });
      record("missing", missing);
      record("latest", latest);
    });

    it("getContractAt attaches the artifact's ABI (by name and by ABI) to a deployed address", async function () {
      const { probe, owner, unlockTime } = await loadFixture(deployProbe);
      const address = await probe.getAddress();
      const byName = await ethers.getContractAt("CompatProbe", address);
      const artifact = await hre.artifacts.readArtifact("CompatProbe");
      const byAbi = await ethers.getContractAt(artifact.abi, address);
      expect(await byName.owner()).to.equal(owner.address);
      expect(await byAbi.unlockTime()).to.equal(unlockTime);
      record("address", address);
      record("code size", (await ethers.provider.getCode(address)).length);
      record("deployer nonce", await ethers.provider.getTransactionCount(owner.address));
      await recordTx("store via getContractAt", byName.store(1n, 42n, "attached"));
      expect(await probe.values(1n)).to.equal(42n);
    });

    it("staticCall returns results without changing state, and surfaces reverts", async function () {
      const { probe, owner, unlockTime } = await loadFixture(deployProbe);
      const blockBefore = await ethers.provider.getBlockNumber();
      expect(await probe.divide.staticCall(84n, 2n)).to.equal(42n);
      expect(await probe.counter()).to.equal(0n);
      const [counter, who, unlock, balance] = await probe.snapshot.staticCall();
      expect([counter, who, unlock, balance]).to.deep.equal([0n, owner.address, unlockTime, 5n * E18]);
      await expect(probe.divide.staticCall(1n, 0n)).to.be.revertedWithPanic(PANIC_CODES.DIVISION_BY_ZERO);
      await expect(probe.requireAbove10.staticCall(3n)).to.be.revertedWith("x too small");
      expect(await ethers.provider.getBlockNumber()).to.equal(blockBefore);
      record("staticCall results", [await probe.divide.staticCall(84n, 2n), await probe.at.staticCall(2n), counter, balance]);
      record("staticCall revert", await caught(probe.divide.staticCall(1n, 0n)));
    });
  });

  describe("events", function () {
    it("emit / withArgs / anyValue / not.to.emit on a transaction", async function () {
      const { probe, owner } = await loadFixture(deployProbe);
      await expect(probe.store(7n, 700n, "seven")).to.emit(probe, "Stored").withArgs(owner.address, 7n, 700n, "seven");
      await expect(probe.store(8n, 800n, "eight")).to.emit(probe, "Stored").withArgs(anyValue, 8n, anyValue, "eight");
      await expect(probe.tick()).to.emit(probe, "Ticked").withArgs(3n, anyValue).and.not.to.emit(probe, "Stored");
      await expect(probe.clear(7n)).not.to.emit(probe, "Stored");
      const receipt = await recordTx("store", probe.store(9n, 900n, "nine"));
      const parsed = receipt.logs.map((l) => probe.interface.parseLog(l)!);
      record("parsed", parsed.map((p) => ({ name: p.name, args: [...p.args] })));
      expect(parsed[0].args.value).to.equal(900n);
      record("values", [await probe.values(7n), await probe.values(8n), await probe.counter()]);
    });

    it("emit on a token transfer and on plain ether sent to a contract", async function () {
      const { token, probe, alice, bob } = await loadFixture(deployProbeAndToken);
      await expect(by(token, alice).transfer(bob.address, 5n * E18))
        .to.emit(token, "Transfer")
        .withArgs(alice.address, bob.address, 5n * E18);
      await expect(alice.sendTransaction({ to: await probe.getAddress(), value: 123n }))
        .to.emit(probe, "Received")
        .withArgs(alice.address, 123n);
      record("balances", [await token.balanceOf(alice.address), await token.balanceOf(bob.address)]);
      const logs = await ethers.provider.getLogs({ address: await token.getAddress(), fromBlock: 0 });
      record("token logs", logs.map((l) => ({ block: l.blockNumber, index: l.index, topics: l.topics, data: l.data })));
    });
  });

  describe("revert matchers", function () {
    it("revertedWith a reason string (send, estimateGas and require)", async function () {
      const { probe } = await loadFixture(deployProbe);
      await expect(probe.failWith("boom")).to.be.revertedWith("boom");
      await expect(probe.requireAbove10(3n)).to.be.revertedWith("x too small");
      await expect(probe.requireAbove10.estimateGas(3n)).to.be.revertedWith("x too small");
      await expect(probe.requireAbove10(11n)).not.to.be.reverted;
      const failed = await receiptOfFailedSend(probe.requireAbove10(4n));
      expect(failed.status).to.equal(0);
      record("failed receipt", { status: failed.status, gasUsed: failed.gasUsed, block: failed.blockNumber });
      record("error", await caught(probe.requireAbove10(5n)));
      record("counter", await probe.counter());
    });

    it("revertedWithCustomError, with and without withArgs", async function () {
      const { probe, alice } = await loadFixture(deployProbe);
      await expect(by(probe, alice).ownerOnly(7n)).to.be.revertedWithCustomError(probe, "Unauthorized").withArgs(alice.address, 7n);
      await expect(by(probe, alice).ownerOnly(8n)).to.be.revertedWithCustomError(probe, "Unauthorized").withArgs(anyValue, 8n);
      await expect(probe.failEmpty()).to.be.revertedWithCustomError(probe, "Empty");
      await expect(probe.ownerOnly(2n)).not.to.be.revertedWithCustomError(probe, "Unauthorized");
      record("custom error", await caught(by(probe, alice).ownerOnly(9n)));
      record("empty error", await caught(probe.failEmpty()));
      record("counter", await probe.counter());
    });

    it("revertedWithPanic for division by zero, overflow, assert and array bounds", async function () {
      const { probe } = await loadFixture(deployProbe);
      await expect(probe.divide(1n, 0n)).to.be.revertedWithPanic(PANIC_CODES.DIVISION_BY_ZERO);
      await expect(probe.add8(200, 100)).to.be.revertedWithPanic(PANIC_CODES.ARITHMETIC_OVERFLOW);
      await expect(probe.failAssert()).to.be.revertedWithPanic(PANIC_CODES.ASSERTION_ERROR);
      await expect(probe.at(3n)).to.be.revertedWithPanic(PANIC_CODES.ARRAY_ACCESS_OUT_OF_BOUNDS);
      await expect(probe.divide(1n, 1n)).not.to.be.revertedWithPanic();
      record("panics", [
        await caught(probe.divide(1n, 0n)),
        await caught(probe.add8(200, 100)),
        await caught(probe.failAssert()),
        await caught(probe.at(3n)),
      ]);
    });

    it("revertedWithoutReason, reverted and not.to.be.reverted", async function () {
      const { probe, alice } = await loadFixture(deployProbe);
      await expect(probe.failWithoutReason()).to.be.revertedWithoutReason();
      await expect(probe.failWith("any")).to.be.reverted;
      await expect(by(probe, alice).withdraw()).to.be.reverted;
      await expect(probe.tick()).not.to.be.reverted;
      // A plain transfer into a non-payable path: calldata that matches no function and no fallback.
      await expect(alice.sendTransaction({ to: await probe.getAddress(), data: "0xdeadbeef" })).to.be.reverted;
      // Only the data: for an empty revert, Hardhat's message comes from its stack-trace heuristics over the
      // source maps ("Transaction reverted and Hardhat couldn't infer the reason." here), which the parallel
      // network does not reproduce (it says "Transaction reverted without a reason string"); matchers use the data.
      record("without reason", (await caught(probe.failWithoutReason())).data);
      record("counter", await probe.counter());
    });
  });

  describe("balance matchers", function () {
    it("changeEtherBalance and changeEtherBalances, fees derived from the receipt", async function () {
      const { probe, owner, alice, bob, carol } = await loadFixture(deployProbe);
      const value = 3n * E18;
      await expect(alice.sendTransaction({ to: bob.address, value })).to.changeEtherBalance(bob, value);
      const tx = await alice.sendTransaction({ to: carol.address, value });
      const receipt = (await tx.wait())!;
      const fee = receipt.gasUsed * receipt.gasPrice;
      await expect(tx).to.changeEtherBalances([alice, carol], [-(value + fee), value], { includeFee: true });
      await expect(tx).to.changeEtherBalance(alice, -(value + fee), { includeFee: true });
      // By default the sender's fee is left out.
      await expect(tx).to.changeEtherBalance(alice, -value);
      const amounts = [1n, 2n * E18, 3n];
      await expect(probe.payout([alice.address, bob.address, carol.address], amounts, { value: amounts[0] + amounts[1] + amounts[2] })).to.changeEtherBalances(
        [alice, bob, carol, probe],
        amounts.concat(0n),
      );
      await expect(probe.withdraw()).to.be.revertedWith("still locked");
      record("transfer", { gasUsed: receipt.gasUsed, gasPrice: receipt.gasPrice, fee });
      record(
        "balances",
        await Promise.all([owner, alice, bob, carol, probe].map(async (a) => ethers.provider.getBalance(await a.getAddress()))),
      );
      expect(await ethers.provider.getBalance(bob.address)).to.equal(GENESIS_BALANCE + value + amounts[1]);
    });

    it("changeTokenBalance and changeTokenBalances on transfer, transferFrom and mint", async function () {
      const { token, owner, alice, bob, carol } = await loadFixture(deployToken);
      await expect(by(token, alice).transfer(bob.address, 10n * E18)).to.changeTokenBalance(token, bob, 10n * E18);
      await expect(by(token, bob).transfer(carol.address, 7n)).to.changeTokenBalances(token, [bob, carol], [-7n, 7n]);
      await by(token, alice).approve(carol.address, 100n * E18);
      await expect(by(token, carol).transferFrom(alice.address, owner.address, 40n * E18)).to.changeTokenBalances(
        token,
        [alice, owner, carol],
        [-40n * E18, 40n * E18, 0n],
      );
      await expect(token.mint(carol.address, 1n)).to.changeTokenBalance(token, carol, 1n);
      const holders = [owner, alice, bob, carol].map((s) => s.address);
      const balances = await Promise.all(holders.map((h) => token.balanceOf(h)));
      expect(balances).to.deep.equal([40n * E18, 950n * E18, 510n * E18 - 7n, 8n]);
      record("token balances", balances);
      record("allowance", await token.allowance(alice.address, carol.address));
      record("supply", await token.totalSupply());
    });

    it("WETH: changeEtherBalances and changeTokenBalance together on deposit and withdraw", async function () {
      const { alice } = await loadFixture(noContracts);
      const weth = await ethers.deployContract("WETH");
      await weth.waitForDeployment();
      const deposit = await by(weth, alice).deposit({ value: 2n * E18 });
      await expect(deposit).to.changeTokenBalance(weth, alice, 2n * E18);
      await expect(deposit).to.changeEtherBalance(weth, 2n * E18);
      const tx = await by(weth, alice).withdraw(E18);
      const receipt = await recordTx("withdraw", tx);
      await expect(tx).to.changeEtherBalances([alice, weth], [E18 - receipt.gasUsed * receipt.gasPrice, -E18], { includeFee: true });
      await expect(tx).to.changeTokenBalances(weth, [alice, weth], [-E18, 0n]);
      await expect(tx).to.emit(weth, "Withdrawal").withArgs(alice.address, E18);
      record("weth", [await weth.balanceOf(alice.address), await weth.totalSupply(), await ethers.provider.getBalance(await weth.getAddress())]);
    });
  });
});

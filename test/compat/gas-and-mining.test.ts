/**
 * Toolbox compatibility (3/3): gas estimates against the gas actually used,
 * and manual mining (evm_setAutomine false + mine) on whichever network this
 * run uses. Gas estimates are compared across networks within Hardhat's
 * tolerance (outcomes.ts, gasEstimateTolerance); everything else exactly.
 */
import { loadFixture, mine } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers, network } from "hardhat";
import type { ContractTransactionResponse, TransactionResponse } from "ethers";

import { gasEstimateTolerance, record, recordGasEstimate } from "./outcomes";
import { E18, by, deployAll, freshChainPerFile, receiptOutcome, recordTx } from "./setup";

/**
 * Estimates `send`'s transaction, sends it with exactly that gas limit (it
 * must succeed), and records both the estimate and the gas used. The
 * estimate is never below the gas used nor above it by more than Hardhat's
 * tolerance. With `refund`, the transaction needs more gas than it finally
 * uses (a storage refund, or the 63/64 rule), so the estimate must exceed
 * the gas used.
 *
 * Without a refund, EDR returns the gas used, except when that is only the
 * intrinsic gas (a plain transfer): then it returns intrinsic + 1, as
 * Hardhat's JS network did. The parallel network returns the gas used.
 */
async function estimateThenSend(
  label: string,
  estimate: () => Promise<bigint>,
  send: (gasLimit: bigint) => Promise<ContractTransactionResponse | TransactionResponse>,
  refund: boolean,
): Promise<bigint> {
  const estimated = await estimate();
  const receipt = (await (await send(estimated)).wait())!;
  expect(receipt.status).to.equal(1);
  expect(estimated >= receipt.gasUsed, `estimate ${estimated} is below the gas used ${receipt.gasUsed}`).to.equal(true);
  if (refund) expect(estimated > receipt.gasUsed, `estimate ${estimated} should exceed the gas used ${receipt.gasUsed}`).to.equal(true);
  else expect(estimated - receipt.gasUsed <= gasEstimateTolerance(receipt.gasUsed), `estimate ${estimated} is far above the gas used ${receipt.gasUsed}`).to.equal(true);
  recordGasEstimate(`${label}: estimate`, estimated);
  record(`${label}: gas used`, receipt.gasUsed);
  return estimated;
}

describe("compat: gas estimates and manual mining", function () {
  freshChainPerFile();

  describe("estimateGas", function () {
    it("equals the gas used when nothing is refunded: ether transfer, token transfer, deployment, storage writes", async function () {
      const { token, probe, alice, bob } = await loadFixture(deployAll);
      const transfer = { to: bob.address, value: 1n };
      const plain = await estimateThenSend("ether transfer", () => alice.estimateGas(transfer), (gasLimit) => alice.sendTransaction({ ...transfer, gasLimit }), false);
      expect(plain).to.be.oneOf([21_000n, 21_001n]);
      await estimateThenSend(
        "token transfer",
        () => by(token, alice).transfer.estimateGas(bob.address, E18),
        (gasLimit) => by(token, alice).transfer(bob.address, E18, { gasLimit }),
        false,
      );
      await estimateThenSend(
        "storeMany(20)",
        () => probe.storeMany.estimateGas(100n, 20n, 1n),
        (gasLimit) => probe.storeMany(100n, 20n, 1n, { gasLimit }),
        false,
      );
      const factory = await ethers.getContractFactory("CompatProbe");
      const deployTx = await factory.getDeployTransaction(0n);
      await estimateThenSend(
        "deployment",
        () => alice.estimateGas(deployTx),
        (gasLimit) => alice.sendTransaction({ ...deployTx, gasLimit }),
        false,
      );
    });

    it("exceeds the gas used for a storage refund and for a call forwarding gas (63/64 rule), within Hardhat's tolerance", async function () {
      const { probe, weth, alice } = await loadFixture(deployAll);
      await probe.store(1n, 10n, "to clear");
      await estimateThenSend("clear (refund)", () => probe.clear.estimateGas(1n), (gasLimit) => probe.clear(1n, { gasLimit }), true);
      await by(weth, alice).deposit({ value: E18 });
      await estimateThenSend(
        "WETH withdraw of the whole balance (refund)",
        () => by(weth, alice).withdraw.estimateGas(E18),
        (gasLimit) => by(weth, alice).withdraw(E18, { gasLimit }),
        true,
      );
      const inner = probe.interface.encodeFunctionData("storeMany", [1000n, 10n, 7n]);
      const target = await probe.getAddress();
      await estimateThenSend("forward (63/64)", () => probe.forward.estimateGas(target, inner), (gasLimit) => probe.forward(target, inner, { gasLimit }), true);
      expect(await probe.values(1009n)).to.equal(7n);
    });

    it("estimateGas of a reverting call rejects with the revert; staticCall agrees", async function () {
      const { probe, alice } = await loadFixture(deployAll);
      await expect(by(probe, alice).ownerOnly.estimateGas(1n)).to.be.revertedWithCustomError(probe, "Unauthorized").withArgs(alice.address, 1n);
      await expect(probe.divide.estimateGas(1n, 0n)).to.be.revertedWithPanic(0x12);
      await expect(by(probe, alice).ownerOnly.staticCall(1n)).to.be.revertedWithCustomError(probe, "Unauthorized");
      recordGasEstimate("successful ownerOnly", await probe.ownerOnly.estimateGas(1n));
      record("block", await ethers.provider.getBlockNumber());
    });
  });

  describe("manual mining", function () {
    afterEach(async function () {
      await network.provider.send("evm_setAutomine", [true]);
    });

    it("evm_setAutomine(false) queues transactions; mine() puts them in one block", async function () {
      const { token, alice, bob, carol } = await loadFixture(deployAll);
      await network.provider.send("evm_setAutomine", [false]);
      expect(await network.provider.send("hardhat_getAutomine", [])).to.equal(false);
      const block = await ethers.provider.getBlockNumber();
      const sent = [
        await by(token, alice).transfer(carol.address, 1n),
        await by(token, alice).transfer(carol.address, 2n),
        await bob.sendTransaction({ to: carol.address, value: 3n }),
      ];
      expect(await ethers.provider.getBlockNumber()).to.equal(block);
      for (const tx of sent) expect(await ethers.provider.getTransactionReceipt(tx.hash)).to.equal(null);
      expect(await ethers.provider.getTransactionCount(alice.address, "pending")).to.equal((await ethers.provider.getTransactionCount(alice.address)) + 2);
      record("nonces", sent.map((tx) => tx.nonce));
      await mine();
      const receipts = await Promise.all(sent.map(async (tx: TransactionResponse) => (await tx.wait())!));
      expect(new Set(receipts.map((r) => r.blockNumber))).to.deep.equal(new Set([block + 1]));
      const mined = (await ethers.provider.getBlock(block + 1))!;
      expect(mined.transactions).to.have.length(3);
      expect(mined.gasUsed).to.equal(receipts.reduce((sum, r) => sum + r.gasUsed, 0n));
      record("receipts", receipts.map(receiptOutcome));
      record("block", { number: mined.number, gasUsed: mined.gasUsed, baseFee: mined.baseFeePerGas, txs: mined.transactions.length });
      record("token balance", await token.balanceOf(carol.address));
      await network.provider.send("evm_setAutomine", [true]);
      await recordTx("automined again", by(token, alice).transfer(carol.address, 4n));
    });

    it("a reverting transaction is mined with status 0 among the others; a later tx pays the fee the helpers derive", async function () {
      const { probe, alice, bob } = await loadFixture(deployAll);
      await network.provider.send("evm_setAutomine", [false]);
      const ok = await by(probe, alice).store(3n, 33n, "manual", { gasLimit: 200_000n });
      const bad = await by(probe, bob).requireAbove10(1n, { gasLimit: 100_000n });
      await mine();
      const receipts = await Promise.all([ok, bad].map((tx) => ethers.provider.getTransactionReceipt(tx.hash)));
      expect(receipts.map((r) => r!.status)).to.deep.equal([1, 0]);
      record("receipts", receipts.map((r) => receiptOutcome(r!)));
      await network.provider.send("evm_setAutomine", [true]);
      // The automatic fee of the next transaction comes from eth_feeHistory over the manual block.
      await recordTx("next", alice.sendTransaction({ to: bob.address, value: 1n }));
      record("values", [await probe.values(3n), await probe.counter()]);
    });

    it("transactions with different tips from different senders: block order and the next automatic fee", async function () {
      const { alice, bob, carol } = await loadFixture(deployAll);
      const base = (await ethers.provider.getBlock("latest"))!.baseFeePerGas!;
      await network.provider.send("evm_setAutomine", [false]);
      const low = await alice.sendTransaction({ to: carol.address, value: 1n, maxPriorityFeePerGas: 1_000_000_000n, maxFeePerGas: base * 3n + 1_000_000_000n });
      const high = await bob.sendTransaction({ to: carol.address, value: 2n, maxPriorityFeePerGas: 5_000_000_000n, maxFeePerGas: base * 3n + 5_000_000_000n });
      await mine();
      const receipts = await Promise.all([low, high].map(async (tx) => (await tx.wait())!));
      record("receipts", receipts.map(receiptOutcome));
      await network.provider.send("evm_setAutomine", [true]);
      await recordTx("next automatic fee", carol.sendTransaction({ to: alice.address, value: 1n }));
    });
  });
});

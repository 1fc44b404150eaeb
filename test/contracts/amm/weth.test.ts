import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import type { Contract } from "ethers";

import { as, mappingSlot, mulberry32, shortStringWord, storageAt } from "./helpers";

describe("WETH", function () {
  async function deployWeth() {
    const [deployer, alice, bob, carol] = await ethers.getSigners();
    const weth = (await ethers.deployContract("WETH")) as Contract;
    const rejecter = (await ethers.deployContract("EtherRejecter")) as Contract;
    return { weth, rejecter, deployer, alice, bob, carol };
  }

  it("is 'Wrapped Ether' / 'WETH' with 18 decimals and no supply", async function () {
    const { weth } = await loadFixture(deployWeth);
    expect(await weth.name()).to.equal("Wrapped Ether");
    expect(await weth.symbol()).to.equal("WETH");
    expect(await weth.decimals()).to.equal(18n);
    expect(await weth.totalSupply()).to.equal(0n);
  });

  describe("deposit", function () {
    it("mints msg.value to the caller, emitting Deposit and Transfer", async function () {
      const { weth, alice } = await loadFixture(deployWeth);
      const tx = as(weth, alice).deposit({ value: 5n * 10n ** 18n });
      await expect(tx)
        .to.emit(weth, "Deposit")
        .withArgs(alice.address, 5n * 10n ** 18n);
      await expect(tx)
        .to.emit(weth, "Transfer")
        .withArgs(ethers.ZeroAddress, alice.address, 5n * 10n ** 18n);
      await expect(tx).to.changeEtherBalances([alice, weth], [-(5n * 10n ** 18n), 5n * 10n ** 18n]);
      await expect(tx).to.changeTokenBalance(weth, alice, 5n * 10n ** 18n);
      expect(await weth.totalSupply()).to.equal(5n * 10n ** 18n);
    });

    it("wraps plain ether transfers through receive()", async function () {
      const { weth, bob } = await loadFixture(deployWeth);
      const tx = bob.sendTransaction({ to: await weth.getAddress(), value: 1234n });
      await expect(tx).to.emit(weth, "Deposit").withArgs(bob.address, 1234n);
      await expect(tx).to.changeEtherBalances([bob, weth], [-1234n, 1234n]);
      await expect(tx).to.changeTokenBalance(weth, bob, 1234n);
    });

    it("accepts a zero deposit", async function () {
      const { weth, alice } = await loadFixture(deployWeth);
      await expect(as(weth, alice).deposit({ value: 0n }))
        .to.emit(weth, "Deposit")
        .withArgs(alice.address, 0n);
      expect(await weth.totalSupply()).to.equal(0n);
    });
  });

  describe("withdraw", function () {
    it("burns WETH and sends the ether back, emitting Withdrawal and Transfer", async function () {
      const { weth, alice } = await loadFixture(deployWeth);
      await as(weth, alice).deposit({ value: 1000n });
      const tx = as(weth, alice).withdraw(400n);
      await expect(tx).to.emit(weth, "Withdrawal").withArgs(alice.address, 400n);
      await expect(tx).to.emit(weth, "Transfer").withArgs(alice.address, ethers.ZeroAddress, 400n);
      await expect(tx).to.changeEtherBalances([alice, weth], [400n, -400n]);
      await expect(tx).to.changeTokenBalance(weth, alice, -400n);
      expect(await weth.totalSupply()).to.equal(600n);
    });

    it("reverts with ERC20InsufficientBalance beyond the caller's balance", async function () {
      const { weth, alice } = await loadFixture(deployWeth);
      await as(weth, alice).deposit({ value: 10n });
      await expect(as(weth, alice).withdraw(11n))
        .to.be.revertedWithCustomError(weth, "ERC20InsufficientBalance")
        .withArgs(alice.address, 10n, 11n);
    });

    it("reverts with EthTransferFailed when the caller rejects the ether", async function () {
      const { weth, rejecter } = await loadFixture(deployWeth);
      const wethAddress = await weth.getAddress();
      const rejecterAddress = await rejecter.getAddress();
      await rejecter.execute(wethAddress, weth.interface.encodeFunctionData("deposit"), { value: 77n });
      expect(await weth.balanceOf(rejecterAddress)).to.equal(77n);
      await expect(rejecter.execute(wethAddress, weth.interface.encodeFunctionData("withdraw", [50n])))
        .to.be.revertedWithCustomError(weth, "EthTransferFailed")
        .withArgs(rejecterAddress, 50n);
      expect(await weth.balanceOf(rejecterAddress)).to.equal(77n);
    });
  });

  it("storage layout matches the header (balances 0, allowances 1, totalSupply 2, name 3, symbol 4)", async function () {
    const { weth, alice, bob } = await loadFixture(deployWeth);
    const address = await weth.getAddress();
    await as(weth, alice).deposit({ value: 999n });
    await as(weth, alice).approve(bob.address, 55n);
    expect(await storageAt(address, mappingSlot(alice.address, 0n))).to.equal(999n);
    const allowanceSlot = ethers.keccak256(
      ethers.AbiCoder.defaultAbiCoder().encode(["address", "bytes32"], [bob.address, mappingSlot(alice.address, 1n)])
    );
    expect(await storageAt(address, allowanceSlot)).to.equal(55n);
    expect(await storageAt(address, 2n)).to.equal(999n);
    expect(await storageAt(address, 3n)).to.equal(shortStringWord("Wrapped Ether"));
    expect(await storageAt(address, 4n)).to.equal(shortStringWord("WETH"));
    expect(await storageAt(address, 5n)).to.equal(0n);
  });

  it("invariant: ether held == totalSupply == sum of balances over 80 random actions", async function () {
    const { weth, alice, bob, carol } = await loadFixture(deployWeth);
    const users = [alice, bob, carol];
    const address = await weth.getAddress();
    const random = mulberry32(0x3e7);
    const pick = (n: number) => Math.floor(random() * n);
    const counts = { deposit: 0, receive: 0, withdraw: 0, transfer: 0 };

    for (let step = 0; step < 80; step++) {
      const user = users[pick(users.length)];
      const balance = (await weth.balanceOf(user.address)) as bigint;
      const action = pick(4);
      if (action === 0) {
        await as(weth, user).deposit({ value: BigInt(1 + pick(1_000_000)) });
        counts.deposit++;
      } else if (action === 1) {
        await user.sendTransaction({ to: address, value: BigInt(1 + pick(1_000_000)) });
        counts.receive++;
      } else if (action === 2) {
        const amount = balance === 0n ? 0n : BigInt(Math.floor(random() * Number(balance)));
        await as(weth, user).withdraw(amount);
        counts.withdraw++;
      } else {
        const to = users[pick(users.length)];
        const amount = balance === 0n ? 0n : BigInt(Math.floor(random() * Number(balance)));
        await as(weth, user).transfer(to.address, amount);
        counts.transfer++;
      }

      const supply = (await weth.totalSupply()) as bigint;
      expect(await ethers.provider.getBalance(address), `step ${step}`).to.equal(supply);
      let sum = 0n;
      for (const u of users) sum += (await weth.balanceOf(u.address)) as bigint;
      expect(sum, `step ${step}`).to.equal(supply);
    }
    // The sequence exercised every action.
    expect(Object.values(counts).every((c) => c > 5)).to.equal(true);
  });
});

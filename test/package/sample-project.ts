/**
 * The small Hardhat 2 project the package test installs hardhat-parallel
 * into: hardhat-toolbox, one contract, toolbox-style tests. Its config is
 * what the README tells a user to write (one import, `parallel.enabled`),
 * plus an offline compiler hook: CI reaches only the npm registry, so the
 * sample compiles with the npm `solc` package as this repository does.
 */
export const SAMPLE_SOLC = "0.8.28";

export const SAMPLE_CONFIG = `import type { HardhatUserConfig } from "hardhat/config";
import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import "@nomicfoundation/hardhat-toolbox";
import "hardhat-parallel";

// This sample compiles offline with the npm solc package (CI has no compiler downloads).
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }) => ({
  compilerPath: require.resolve("solc/soljson.js"),
  isSolcJs: true,
  version: args.solcVersion,
  longVersion: /^\\d+\\.\\d+\\.\\d+\\+commit\\.[0-9a-f]+/.exec(require("solc").version())![0],
}));

const config: HardhatUserConfig = {
  solidity: "${SAMPLE_SOLC}",
  parallel: { enabled: true },
};

export default config;
`;

export const SAMPLE_CONTRACT = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// A savings jar: deposits per account, withdrawals after a lock period.
contract Jar {
    error TooEarly(uint256 unlockAt);
    error Insufficient(uint256 available, uint256 requested);

    event Deposited(address indexed who, uint256 amount);
    event Withdrawn(address indexed who, uint256 amount);

    uint256 public immutable lockSeconds;
    mapping(address => uint256) public balanceOf;
    mapping(address => uint256) public unlockAt;

    constructor(uint256 lockSeconds_) {
        lockSeconds = lockSeconds_;
    }

    function deposit() external payable {
        require(msg.value > 0, "nothing to deposit");
        balanceOf[msg.sender] += msg.value;
        unlockAt[msg.sender] = block.timestamp + lockSeconds;
        emit Deposited(msg.sender, msg.value);
    }

    function withdraw(uint256 amount) external {
        if (block.timestamp < unlockAt[msg.sender]) revert TooEarly(unlockAt[msg.sender]);
        uint256 available = balanceOf[msg.sender];
        if (amount > available) revert Insufficient(available, amount);
        balanceOf[msg.sender] = available - amount;
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "transfer failed");
        emit Withdrawn(msg.sender, amount);
    }
}
`;

export const SAMPLE_TEST = `import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import hre, { ethers } from "hardhat";

const LOCK = 3600;

async function deployJar() {
  const [owner, alice, bob] = await ethers.getSigners();
  const jar = await ethers.deployContract("Jar", [LOCK]);
  return { jar, owner, alice, bob };
}

describe("Jar on the parallel network", function () {
  it("runs on hardhat-parallel's network", async function () {
    const version: string = await hre.network.provider.send("web3_clientVersion");
    expect(version).to.contain("hardhat-parallel");
  });

  it("deposits emit events and move ether", async function () {
    const { jar, alice } = await loadFixture(deployJar);
    const amount = ethers.parseEther("1.5");
    const tx = jar.connect(alice).deposit({ value: amount });
    await expect(tx).to.emit(jar, "Deposited").withArgs(alice.address, amount);
    await expect(tx).to.changeEtherBalances([alice, jar], [-amount, amount]);
    expect(await jar.balanceOf(alice.address)).to.equal(amount);
  });

  it("reverts with reasons and custom errors until the lock ends", async function () {
    const { jar, alice } = await loadFixture(deployJar);
    await expect(jar.connect(alice).deposit()).to.be.revertedWith("nothing to deposit");
    await jar.connect(alice).deposit({ value: 100n });
    const unlockAt = await jar.unlockAt(alice.address);
    await expect(jar.connect(alice).withdraw(1n)).to.be.revertedWithCustomError(jar, "TooEarly").withArgs(unlockAt);
    await time.increaseTo(unlockAt);
    await expect(jar.connect(alice).withdraw(101n)).to.be.revertedWithCustomError(jar, "Insufficient").withArgs(100n, 101n);
    await expect(jar.connect(alice).withdraw(60n)).to.emit(jar, "Withdrawn").withArgs(alice.address, 60n);
    expect(await jar.balanceOf(alice.address)).to.equal(40n);
  });

  it("fixtures restore state between tests", async function () {
    const { jar, alice } = await loadFixture(deployJar);
    expect(await jar.balanceOf(alice.address)).to.equal(0n);
  });

  it("mines a block of many deposits in parallel", async function () {
    const { jar } = await loadFixture(deployJar);
    const signers = (await ethers.getSigners()).slice(0, 16);
    await hre.network.provider.send("evm_setAutomine", [false]);
    const sent = [];
    for (const [i, s] of signers.entries()) sent.push(await jar.connect(s).deposit({ value: BigInt(i + 1) }));
    await hre.network.provider.send("evm_mine");
    await hre.network.provider.send("evm_setAutomine", [true]);
    const receipts = await Promise.all(sent.map((t) => t.wait()));
    expect(new Set(receipts.map((r) => r!.blockNumber)).size).to.equal(1);
    expect(receipts.every((r) => r!.status === 1)).to.equal(true);
    const report = await hre.network.provider.send("parallel_getBlockReport", ["latest"]);
    expect(report.mode).to.equal("parallel");
    expect(report.transactions).to.have.length(signers.length);
    for (const [i, s] of signers.entries()) expect(await jar.balanceOf(s.address)).to.equal(BigInt(i + 1));
  });
});
`;

/**
 * ethers event listeners through hardhat-ethers. Its provider implements
 * `on` by polling: eth_blockNumber every 50 ms on Hardhat's network (it asks
 * hardhat_metadata to know), then eth_getLogs for each new block. Run with
 * HARDHAT_PARALLEL=1 this exercises hre.ethers on the parallel network; the
 * second case builds a hardhat-ethers provider over the parallel network
 * directly, so the plain test run covers it too.
 */
import { expect } from "chai";
import type { Contract, Signer } from "ethers";
import hre from "hardhat";

import { createParallelNetwork } from "../../plugin/hardhat/network-factory";
import type { ParallelNetworkProvider } from "../../plugin/network/provider";
import { parallelNetworkRequested } from "../../plugin/hardhat/network";

/** Resolves with the first `count` values `subscribe` delivers, or rejects after `ms`. */
function collect<T>(count: number, ms: number, subscribe: (push: (v: T) => void) => void): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const got: T[] = [];
    const timer = setTimeout(() => reject(new Error(`only ${got.length} of ${count} events within ${ms} ms`)), ms);
    subscribe((v) => {
      got.push(v);
      if (got.length === count) {
        clearTimeout(timer);
        resolve(got);
      }
    });
  });
}

async function listenToTransfers(deployer: Signer, others: string[]): Promise<void> {
  const token = (await hre.ethers.deployContract("TestToken", ["Test", "TST", 6], deployer)) as unknown as Contract;
  await token.waitForDeployment();
  const provider = deployer.provider!;
  const blocks = collect<number>(2, 5000, (push) => void provider.on("block", push));
  const transfers = collect<[string, string, bigint]>(2, 5000, (push) => void token.on("Transfer", (from: string, to: string, value: bigint) => push([from, to, value])));
  // Listeners start at the current block: only what is mined from now on is delivered.
  await new Promise((r) => setTimeout(r, 100));
  await (await token.getFunction("mint")(others[0], 5n)).wait();
  await (await token.getFunction("mint")(others[1], 6n)).wait();
  // Both events, each once. Not their order: under load hardhat-ethers' polling delivered them swapped on Hardhat's own network (seen in CI).
  const got = (await transfers).sort((x, y) => Number(x[2] - y[2]));
  expect(got).to.deep.equal([
    [hre.ethers.ZeroAddress, hre.ethers.getAddress(others[0]), 5n],
    [hre.ethers.ZeroAddress, hre.ethers.getAddress(others[1]), 6n],
  ]);
  const [first, second] = await blocks;
  expect(second).to.equal(first + 1);
  await token.removeAllListeners();
  await provider.removeAllListeners();
}

describe("ethers event listeners (hardhat-ethers)", function () {
  before(async function () {
    await hre.run("compile", { quiet: true });
  });

  it("deliver contract events and blocks on the network under test (the parallel one with HARDHAT_PARALLEL=1)", async function () {
    const [deployer, a, b] = await hre.ethers.getSigners();
    if (parallelNetworkRequested(hre.config)) expect(await hre.network.provider.send("web3_clientVersion")).to.match(/hardhat-parallel/);
    await listenToTransfers(deployer, [a.address, b.address]);
  });

  it("deliver contract events from the parallel network built directly", async function () {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { HardhatEthersProvider } = require("@nomicfoundation/hardhat-ethers/internal/hardhat-ethers-provider");
    const { BackwardsCompatibilityProviderAdapter } = require("hardhat/internal/core/providers/backwards-compatibility");
    /* eslint-enable @typescript-eslint/no-require-imports */
    const net: ParallelNetworkProvider = await createParallelNetwork(hre.network.config as never, hre.config.parallel, hre.artifacts);
    try {
      const provider = new HardhatEthersProvider(new BackwardsCompatibilityProviderAdapter(net), "hardhat");
      const [deployer, a, b] = (await provider.send("eth_accounts", [])) as string[];
      await listenToTransfers(await provider.getSigner(deployer), [a, b]);
    } finally {
      await net.close();
    }
  });
});

/**
 * Solidity console.log on the parallel network prints what Hardhat's own
 * network prints, for transactions, calls and reverted calls.
 */
import { expect } from "chai";
import { BrowserProvider, ContractFactory } from "ethers";
import type { Contract, Eip1193Provider } from "ethers";
import hre from "hardhat";

import { createParallelNetwork } from "../../plugin/hardhat/network-factory";

/** Runs `work` and returns what it printed with console.log. */
async function printed(work: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => {
    lines.push(args.map(String).join(" "));
  };
  try {
    await work();
  } finally {
    console.log = original;
  }
  return lines;
}

async function exercise(provider: Eip1193Provider): Promise<string[]> {
  const browser = new BrowserProvider(provider);
  const [from] = (await provider.request({ method: "eth_accounts" })) as string[];
  const signer = await browser.getSigner(from);
  const artifact = hre.artifacts.readArtifactSync("ConsoleLogProbe");
  const probe = (await new ContractFactory(artifact.abi, artifact.bytecode, signer).deploy()) as Contract;
  await probe.waitForDeployment();
  return printed(async () => {
    await (await probe.getFunction("poke")(42n)).wait();
    expect(await probe.getFunction("peek")()).to.equal(1n);
    await probe.getFunction("fail").staticCall().catch(() => undefined);
  });
}

describe("console.log on the parallel network", function () {
  before(async function () {
    await hre.run("compile", { quiet: true });
  });

  it("prints the same lines as Hardhat's network for a transaction, a call and a reverted call", async function () {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createProvider } = require("hardhat/internal/core/providers/construction");
    const hardhat = (await createProvider(hre.config, "hardhat", hre.artifacts)) as Eip1193Provider;
    const expected = await exercise(hardhat);
    const parallel = await createParallelNetwork(hre.network.config as never, hre.config.parallel, hre.artifacts);
    try {
      const lines = await exercise(parallel as unknown as Eip1193Provider);
      expect(expected).to.include.members(["flag true", "peek 1", "about to fail"]);
      expect(lines).to.deep.equal(expected);
    } finally {
      await parallel.close();
    }
  });
});

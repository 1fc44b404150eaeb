/**
 * parallel_getConflictReport on a parallel network built from this project
 * (names from its storage layouts): storage behind an EIP-1967 proxy is
 * named with the implementation's layout, at the proxy's address.
 */
import { expect } from "chai";
import { Interface } from "ethers";
import hre from "hardhat";

import type { ConflictsReport } from "../../plugin/analysis/conflict-report";
import { createParallelNetwork } from "../../plugin/hardhat/network-factory";

describe("conflict analysis behind a proxy", function () {
  this.timeout(120_000);

  it("names the proxy's storage with the implementation's layout, per user and global", async function () {
    await hre.run("compile", { quiet: true });
    const net = await createParallelNetwork(hre.network.config as never, { ...hre.config.parallel, workers: 2, minTxsForParallel: 4 }, hre.artifacts);
    try {
      const rpc = (method: string, ...params: unknown[]) => net.request({ method, params });
      const accounts = (await rpc("eth_accounts")) as string[];
      const deploy = async (name: string, args: unknown[] = []): Promise<string> => {
        const artifact = await hre.artifacts.readArtifact(name);
        const data = artifact.bytecode + new Interface(artifact.abi).encodeDeploy(args).slice(2);
        const hash = await rpc("eth_sendTransaction", { from: accounts[0], data });
        return ((await rpc("eth_getTransactionReceipt", hash)) as { contractAddress: string }).contractAddress;
      };
      const counter = await deploy("ProbeCounter");
      const proxy = await deploy("ProbeProxy", [counter]);
      const bump = new Interface((await hre.artifacts.readArtifact("ProbeCounter")).abi).encodeFunctionData("bump");
      await rpc("evm_setAutomine", false);
      for (const from of accounts.slice(1, 11)) await rpc("eth_sendTransaction", { from, to: proxy, data: bump, gas: "0x30000" });
      await rpc("evm_mine");
      const report = (await rpc("parallel_getConflictReport", "latest")) as ConflictsReport;
      const [block] = report.blocks;
      expect(block.txs).to.equal(10);
      expect(block.hotspots).to.have.length(1);
      expect(block.hotspots[0]).to.include({ address: proxy.toLowerCase(), contract: "ProbeCounter", variable: "total", pattern: "counter", dependentTxs: 9 });
      // The written and read places are the implementation's code (delegatecall), with its source.
      expect(block.hotspots[0].sites.map((s) => [s.access, s.codeAddress, s.function])).to.deep.include(["write", counter.toLowerCase(), "bump()"]);
      // Per-user counts conflict with nothing; hubs tell per-key from global dependencies.
      expect(block.hubs[0]).to.include({ address: proxy.toLowerCase(), perKey: 0, global: 9 });
    } finally {
      await net.close();
    }
  });
});

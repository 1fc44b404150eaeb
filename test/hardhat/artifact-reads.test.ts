/**
 * A project's size costs the parallel network nothing at startup: creating it
 * reads no artifact, and only the first revert that needs a custom error's
 * name reads them, once (issue 10: a large suite's startup took 12 s more
 * when every artifact was read up front). Measured on a project of 150
 * artifacts (this one's, listed again under other names: large-project.ts);
 * `parallel-bench --vs-hardhat` times the same with 700.
 */
import { expect } from "chai";
import { Interface } from "ethers";
import hre from "hardhat";

import { largeProject } from "../../plugin/bench/large-project";
import { createParallelNetwork } from "../../plugin/hardhat/network-factory";

const GAS = { gas: "0x200000" };

describe("artifact reads of the parallel network", function () {
  it("reads none at startup and all of them once, at the first custom-error revert", async function () {
    const project = await largeProject(hre.artifacts, 150);
    expect(project.count).to.equal(150);
    expect((await project.artifacts.getAllFullyQualifiedNames()).length).to.equal(150);
    const listed = project.reads();
    const network = await createParallelNetwork(hre.config.networks.hardhat, hre.config.parallel, project.artifacts);
    try {
      const [alice, bob] = (await network.request({ method: "eth_accounts", params: [] })) as string[];
      expect(project.reads() - listed, "reads at startup").to.equal(0);

      const artifact = hre.artifacts.readArtifactSync("TestToken");
      const token = new Interface(artifact.abi);
      const deploy = await network.request({ method: "eth_sendTransaction", params: [{ from: alice, data: artifact.bytecode + token.encodeDeploy(["Test", "TST", 6]).slice(2), ...GAS }] });
      const { contractAddress } = (await network.request({ method: "eth_getTransactionReceipt", params: [deploy] })) as { contractAddress: string };
      expect(project.reads() - listed, "reads after a deployment and no revert").to.equal(0);

      const overdraw = { from: bob, to: contractAddress, data: token.encodeFunctionData("transfer", [alice, 1n]), ...GAS };
      const message = async () => {
        try {
          await network.request({ method: "eth_sendTransaction", params: [overdraw] });
        } catch (e) {
          return (e as Error).message;
        }
        throw new Error("expected the overdraft to revert");
      };
      expect(await message()).to.match(/reverted with custom error 'ERC20InsufficientBalance\(/);
      // The name list once, then each of the 150 artifacts.
      const first = project.reads() - listed;
      expect(first).to.equal(151);
      expect(await message()).to.match(/ERC20InsufficientBalance/);
      expect(project.reads() - listed, "reads after a second revert").to.equal(first);
    } finally {
      await network.close();
    }
  });
});

/**
 * Hardhat network config options that change execution rules, honoured by
 * the parallel network as by Hardhat's own: allowUnlimitedContractSize lets
 * a contract above the 24,576-byte limit deploy, and the receipts and code
 * then match Hardhat's network.
 */
import { expect } from "chai";
import type { Eip1193Provider } from "ethers";
import hre from "hardhat";

import { createParallelNetwork } from "../../plugin/hardhat/network-factory";

/** Init code that deploys 25,000 zero bytes of runtime code (PUSH2 25000, PUSH1 0, RETURN). */
const OVERSIZED_INITCODE = "0x6161a86000f3";

/** The first deployment of Hardhat's first account goes to this address. */
const DEPLOYED = "0x5fbdb2315678afecb367f032d93f642f64180aa3";

async function deployOversized(p: Eip1193Provider): Promise<{ error?: string; status: string; gasUsed: string; codeSize: number }> {
  const [from] = (await p.request({ method: "eth_accounts" })) as string[];
  let error: string | undefined;
  await p.request({ method: "eth_sendTransaction", params: [{ from, data: OVERSIZED_INITCODE, gas: "0x989680" }] }).catch((e: Error) => (error = e.message));
  const block = (await p.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as { transactions: string[] };
  const receipt = (await p.request({ method: "eth_getTransactionReceipt", params: [block.transactions[0]] })) as { status: string; gasUsed: string };
  const code = (await p.request({ method: "eth_getCode", params: [DEPLOYED, "latest"] })) as string;
  return { ...(error === undefined ? {} : { error }), status: receipt.status, gasUsed: receipt.gasUsed, codeSize: (code.length - 2) / 2 };
}

describe("parallel network: execution rules from the network config", function () {
  for (const allowUnlimitedContractSize of [false, true]) {
    it(`allowUnlimitedContractSize ${allowUnlimitedContractSize}: an oversized contract deploys as on Hardhat's network`, async function () {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { createProvider } = require("hardhat/internal/core/providers/construction");
      const network = { ...hre.config.networks.hardhat, allowUnlimitedContractSize };
      const config = { ...hre.config, networks: { ...hre.config.networks, hardhat: network } };
      const expected = await deployOversized((await createProvider(config, "hardhat", hre.artifacts)) as Eip1193Provider);
      const parallel = await createParallelNetwork(network, hre.config.parallel, hre.artifacts);
      try {
        expect(await deployOversized(parallel as unknown as Eip1193Provider)).to.deep.equal(expected);
        expect(expected.codeSize).to.equal(allowUnlimitedContractSize ? 25_000 : 0);
      } finally {
        await parallel.close();
      }
    });
  }
});

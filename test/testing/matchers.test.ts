/**
 * hardhat-parallel/testing: mineBatch and the parallel-friendliness matchers,
 * passing and failing with messages that name the variables, and refusing
 * Hardhat's own network with how to enable the parallel one.
 */
import { expect } from "chai";
import { Interface } from "ethers";
import hre from "hardhat";

import { createParallelNetwork } from "../../plugin/hardhat/network-factory";
import type { ParallelNetworkProvider } from "../../plugin/network/provider";
import { ParallelNetworkNeededError, mineBatch } from "../../plugin/testing";
import type { Batch } from "../../plugin/testing";

const failure = (assertion: () => void): string => {
  try {
    assertion();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("the assertion passed");
};

describe("parallel-friendliness matchers", function () {
  this.timeout(120_000);
  let net: ParallelNetworkProvider;
  let accounts: string[];
  let token: string;
  let transfer: (to: string, amount: bigint) => string;
  const rpc = (method: string, ...params: unknown[]) => net.request({ method, params });

  before(async function () {
    await hre.run("compile", { quiet: true });
    net = await createParallelNetwork(hre.network.config as never, { ...hre.config.parallel, workers: 2, minTxsForParallel: 4 }, hre.artifacts);
    accounts = (await rpc("eth_accounts")) as string[];
    const artifact = await hre.artifacts.readArtifact("TestToken");
    const iface = new Interface(artifact.abi);
    const hash = await rpc("eth_sendTransaction", { from: accounts[0], data: artifact.bytecode + iface.encodeDeploy(["T", "T", 18]).slice(2) });
    token = ((await rpc("eth_getTransactionReceipt", hash)) as { contractAddress: string }).contractAddress;
    for (const a of accounts.slice(1, 13)) await rpc("eth_sendTransaction", { from: accounts[0], to: token, data: iface.encodeFunctionData("mint", [a, 1000n]) });
    transfer = (to, amount) => iface.encodeFunctionData("transfer", [to, amount]);
  });

  after(async function () {
    await net?.close();
  });

  const batchOf = (recipient: (i: number) => string): Promise<Batch> =>
    mineBatch(net, async () => {
      for (let i = 1; i <= 10; i++) await rpc("eth_sendTransaction", { from: accounts[i], to: token, data: transfer(recipient(i), 1n), gas: "0x30000" });
    });

  it("a batch of transfers between distinct accounts is conflict-free and matches sequential execution", async function () {
    const batch = await batchOf((i) => `0x${(0xbeef00 + i).toString(16).padStart(40, "0")}`);
    expect(batch.txs).to.equal(10);
    expect(batch).to.be.conflictFree();
    expect(batch).to.have.conflictRateBelow(0.01);
    expect(batch).not.to.have.hotspot("TestToken._balances");
    expect(batch).to.matchSequentialExecution();
    expect(batch).not.to.have.conflictBetween("transfer", "transfer");
    expect(failure(() => expect(batch).to.have.conflictBetween("transfer", "transfer"))).to.equal("expected a call of transfer and a call of transfer in the batch to conflict, but none depends on the other");
    expect(failure(() => expect(batch).not.to.be.conflictFree())).to.equal("expected the batch of 10 txs to have conflicts, but none depends on another");
    // Automine and verification are back as they were.
    expect(await rpc("hardhat_getAutomine")).to.equal(true);
    expect(await rpc("parallel_getVerification")).to.equal(false);
  });

  it("transfers to one recipient fail conflictFree, naming the recipient's balance entry", async function () {
    const batch = await batchOf(() => accounts[15]);
    expect(batch).to.have.hotspot("TestToken._balances");
    expect(batch).to.have.hotspot("_balances");
    expect(failure(() => expect(batch).to.be.conflictFree())).to.match(
      /^expected the batch of 10 txs to be conflict-free, but 9 depend on an earlier one; hotspots: TestToken\._balances\[0x[0-9a-fA-F]{40}\] \(slot 0x\w+…\w+\) \(9 dependent txs\)$/,
    );
    expect(failure(() => expect(batch).to.have.conflictRateBelow(0.5))).to.match(/^expected under 50\.0% of the batch's txs to depend on an earlier one, but 90\.0% do \(9 of 10\)/);
    expect(failure(() => expect(batch).not.to.have.hotspot("TestToken._balances"))).to.match(/^expected TestToken\._balances not to be a hotspot of the batch, but it is: .*\(9 dependent txs, hot-balance\)\. One account's balance changed by many transactions/);
    expect(batch).to.have.conflictBetween("transfer", "TestToken.transfer");
    expect(failure(() => expect(batch).not.to.have.conflictBetween("transfer", "transfer"))).to.match(
      /^expected no call of transfer and transfer in the batch to conflict, but 9 depend on one another: tx 1 \(TestToken\.transfer\) on tx 0 \(TestToken\.transfer\)/,
    );
    // A name the batch never touched is an error, not a pass: a typo must not make a negated check vacuous.
    expect(() => expect(batch).not.to.have.hotspot("TestToken._totalSupply")).to.throw(
      TypeError,
      /^hotspot\("TestToken\._totalSupply"\): the batch's transactions read or wrote no variable of that name; they touched TestToken\._balances/,
    );
    expect(() => expect(batch).not.to.have.conflictBetween("mint", "transfer")).to.throw(TypeError, /^conflictBetween\("mint", "transfer"\): no transaction of the batch calls mint; it calls TestToken\.transfer$/);
  });

  it("refuses misuse with what to pass, and Hardhat's own network with how to enable the parallel one", async function () {
    const batch = await batchOf((i) => `0x${(0xcafe00 + i).toString(16).padStart(40, "0")}`);
    expect(() => expect(batch).to.have.hotspot("Token balances")).to.throw(TypeError, /hotspot takes "Contract\.variable" or "variable"/);
    expect(() => expect(batch).to.have.conflictRateBelow(2)).to.throw(TypeError, /conflictRateBelow takes a share from 0 to 1, got 2/);
    expect(() => expect(batch).to.have.conflictBetween("transfer", "to X")).to.throw(TypeError, /conflictBetween takes two function names/);
    expect(() => expect({ txs: 3 }).to.be.conflictFree()).to.throw(TypeError, /conflictFree works on what mineBatch returns/);
    const edr = hre.network.provider;
    if (String(await edr.request({ method: "web3_clientVersion" })).includes("hardhat-parallel")) return; // the suite itself runs on the parallel network
    let error: unknown;
    await mineBatch(edr, async () => {}).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(ParallelNetworkNeededError);
    expect((error as Error).message).to.equal(
      "mineBatch needs the parallel network: run the tests with HARDHAT_PARALLEL=1 (npx hardhat test), or set parallel: { enabled: true } in the hardhat config (networks.hardhat, the in-process network)",
    );
  });
});

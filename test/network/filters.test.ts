/**
 * Filters on the parallel network answer what Hardhat's network (EDR)
 * answers: the same script of eth_newFilter / eth_newBlockFilter /
 * eth_newPendingTransactionFilter, polls, snapshots, long hardhat_mine runs,
 * resets and bad requests gives the same transcript on both (block hashes
 * named by block number, since the networks' hashes differ).
 */
import { expect } from "chai";
import hre from "hardhat";

import type { MinedBlock } from "../../plugin/network/chain";
import { FILTER_LIFETIME_MS, FilterRegistry } from "../../plugin/network/filters";
import { GAS, deployToken, normalize, onBoth, recordBlocks, tokenInterface } from "../helpers/two-networks";
import type { Net } from "../helpers/two-networks";

const TRANSFER = tokenInterface().getEvent("Transfer")!.topicHash;

async function filterScript(net: Net): Promise<[string, unknown][]> {
  const out: [string, unknown][] = [];
  const log = async (label: string, method: string, ...params: unknown[]) => {
    const result = await net.rpc(method, ...params);
    out.push([label, normalize(net, result)]);
    return result as string;
  };
  const [a0, a1, a2] = await net.call<string[]>("eth_accounts");
  await recordBlocks(net, 0);
  const blocks = await log("new block filter", "eth_newBlockFilter");
  const pending = await log("new pending filter", "eth_newPendingTransactionFilter");
  const all = await log("new log filter, from latest", "eth_newFilter", {});
  const transfers = await log("new transfer filter, from 0", "eth_newFilter", { fromBlock: "0x0", topics: [TRANSFER] });
  const upTo1 = await log("new log filter, blocks 0-1", "eth_newFilter", { fromBlock: "0x0", toBlock: "0x1" });
  for (const id of [blocks, pending, all, transfers, upTo1]) await log(`first poll of ${id}`, "eth_getFilterChanges", id);

  const token = await deployToken(net, a0);
  const iface = tokenInterface();
  await net.call("eth_sendTransaction", { from: a0, to: token, data: iface.encodeFunctionData("batchMint", [[a0, a1, a2], 1000n]), ...GAS });
  await recordBlocks(net, 1);
  for (const id of [blocks, pending, all, transfers, upTo1]) await log(`poll of ${id} after two blocks`, "eth_getFilterChanges", id);
  const fromZero = await log("new log filter from 0 (starts with the past logs)", "eth_newFilter", { fromBlock: "0x0", address: token });
  await log("eth_getFilterLogs hands them over", "eth_getFilterLogs", fromZero);
  await log("and then has none left", "eth_getFilterLogs", fromZero);
  await log("eth_getFilterLogs of a block filter", "eth_getFilterLogs", blocks);
  await log("eth_getFilterLogs of a pending filter", "eth_getFilterLogs", pending);

  // Manual mining: pending transactions show up when sent, blocks when mined.
  await net.call("evm_setAutomine", false);
  await net.call("eth_sendTransaction", { from: a1, to: token, data: iface.encodeFunctionData("transfer", [a2, 5n]), ...GAS });
  await net.call("eth_sendTransaction", { from: a2, to: a0, value: "0x1", ...GAS });
  await log("pending poll before mining", "eth_getFilterChanges", pending);
  await log("block poll before mining", "eth_getFilterChanges", blocks);
  await net.call("evm_mine");
  await net.call("evm_setAutomine", true);
  await recordBlocks(net);
  await log("block poll after mining", "eth_getFilterChanges", blocks);
  await log("transfer poll after mining", "eth_getFilterChanges", transfers);
  await log("pending poll after mining", "eth_getFilterChanges", pending);

  // Snapshots leave filters alone: what they gathered stays, filters installed after the snapshot survive.
  const snapshot = await net.call("evm_snapshot");
  const late = await log("filter installed after the snapshot", "eth_newBlockFilter");
  await net.call("eth_sendTransaction", { from: a1, to: token, data: iface.encodeFunctionData("transfer", [a0, 1n]), ...GAS });
  await recordBlocks(net);
  await log("revert", "evm_revert", snapshot);
  await log("block poll after the revert", "eth_getFilterChanges", blocks);
  await log("transfer poll after the revert", "eth_getFilterChanges", transfers);
  await log("late filter after the revert", "eth_getFilterChanges", late);

  // Long hardhat_mine runs: filters hear of the first two and the last block.
  const height = Number(await net.call<string>("eth_blockNumber"));
  await net.call("hardhat_mine", "0x3");
  await net.call("hardhat_mine", "0x20");
  await recordBlocks(net, height + 1);
  await log("block poll after hardhat_mine 3 and 32", "eth_getFilterChanges", blocks);

  // Unknown ids and bad requests.
  await log("changes of an unknown id", "eth_getFilterChanges", "0x99");
  await log("logs of an unknown id", "eth_getFilterLogs", "0x99");
  await log("an id with leading zeros", "eth_getFilterChanges", "0x01");
  await log("uninstall an unknown id", "eth_uninstallFilter", "0x99");
  await log("uninstall", "eth_uninstallFilter", all);
  await log("uninstall again", "eth_uninstallFilter", all);
  await log("changes after uninstall", "eth_getFilterChanges", all);
  await log("unsubscribe a filter", "eth_unsubscribe", blocks);
  await log("id not hex", "eth_getFilterChanges", "xyz");
  await log("no id", "eth_getFilterChanges");
  await log("uninstall without id", "eth_uninstallFilter");
  await log("block filter with a parameter", "eth_newBlockFilter", 1);
  await log("pending filter with a parameter", "eth_newPendingTransactionFilter", 1);
  await log("log filter without the filter", "eth_newFilter");
  await log("unknown block hash", "eth_newFilter", { blockHash: `0x${"11".repeat(32)}` });
  const head = await net.call<{ hash: string }>("eth_getBlockByNumber", "latest", false);
  await log("block hash and a range", "eth_newFilter", { blockHash: head.hash, fromBlock: "0x0" });
  await log("eth_getLogs: block hash and a range", "eth_getLogs", { blockHash: head.hash, toBlock: "0x1" });
  await log("eth_getLogs: unknown block hash", "eth_getLogs", { blockHash: `0x${"11".repeat(32)}` });
  await log("eth_getLogs: from beyond the chain", "eth_getLogs", { fromBlock: "0x999" });
  await log("no filter was installed by the bad requests", "eth_newBlockFilter");

  // A reset drops every filter and restarts the ids.
  await net.call("hardhat_reset");
  await log("poll after reset", "eth_getFilterChanges", blocks);
  await log("first id after reset", "eth_newPendingTransactionFilter");
  return out;
}

describe("filters on the parallel network, as on Hardhat's", function () {
  before(async function () {
    await hre.run("compile", { quiet: true });
  });

  it("gives the same transcript as Hardhat's network", async function () {
    const { edr, parallel } = await onBoth(filterScript);
    expect(parallel.map(([label]) => label)).to.deep.equal(edr.map(([label]) => label));
    for (let i = 0; i < edr.length; i++) expect(parallel[i], edr[i][0]).to.deep.equal(edr[i]);
    // The transcript is not vacuous: logs, blocks and pending hashes were delivered.
    const entry = (label: string) => edr.find(([l]) => l === label)![1] as unknown[];
    expect(entry("poll of 0x4 after two blocks")).to.have.length(3);
    expect(entry("block poll after hardhat_mine 3 and 32")).to.have.length(6);
    expect(entry("pending poll before mining")).to.have.length(2);
  });

  it("drops a filter nobody polled for five minutes at the next block, as Hardhat's network does (subscriptions stay)", function () {
    const realNow = Date.now;
    let now = 1_000_000;
    Date.now = () => now;
    try {
      const registry = new FilterRegistry(() => undefined);
      const polled = registry.install("newHeads", false, []);
      const idle = registry.install("newHeads", false, []);
      const subscription = registry.install("newHeads", true, []);
      const block = (n: number) => ({ block: { header: { number: BigInt(n) } }, hash: `0x${n.toString(16).padStart(64, "0")}`, receipts: [] }) as unknown as MinedBlock;
      now += FILTER_LIFETIME_MS - 1;
      expect(registry.changes(BigInt(polled))).to.deep.equal([]);
      // The idle filter's time is up, the polled one's is not; a mined block drops the idle one.
      now += 2;
      registry.blockAdded(block(1), () => ({}));
      expect(registry.changes(BigInt(idle))).to.equal(null);
      expect(registry.changes(BigInt(polled))).to.deep.equal([block(1).hash]);
      expect(registry.remove(BigInt(subscription), true)).to.equal(true);
    } finally {
      Date.now = realNow;
    }
  });

  it("refuses malformed filter objects as Hardhat's network does, installing nothing", async function () {
    const bad = [
      { address: "0x12" },
      { address: ["0x12"] },
      { address: 5 },
      { fromBlock: "0x0", address: [`0x${"ab".repeat(20)}`, "0x1"] },
      { fromBlock: "0xzz" },
      { fromBlock: "foo", toBlock: "latest" },
      { toBlock: 5 },
      { topics: ["0x12"] },
      { topics: [null, [`0x${"cd".repeat(32)}`, null]] },
      { topics: "0x12" },
      { blockHash: "0x12" },
      5,
    ];
    const { edr, parallel } = await onBoth(async (net) => {
      const out: unknown[] = [];
      for (const filter of bad) {
        out.push(await net.rpc("eth_newFilter", filter));
        out.push(await net.rpc("eth_getLogs", filter));
      }
      out.push(await net.rpc("eth_subscribe", "logs", { address: "0x12" }));
      out.push(await net.rpc("eth_newBlockFilter"));
      return out;
    });
    expect(edr[edr.length - 1]).to.equal("0x1");
    for (let i = 0; i < edr.length; i++) expect(parallel[i], JSON.stringify(bad[Math.floor(i / 2)])).to.deep.equal(edr[i]);
  });
});

/**
 * parallel_getBlockReport: the execution report of a block and its
 * conflicts. A block where half the transfers pay one recipient: each of
 * those depends on the one before through the recipient's balance, which is
 * the block's hotspot; the other half are independent.
 */
import { expect } from "chai";

import { ParallelNetworkProvider, RpcError } from "../../plugin/network/provider";
import { testAccounts } from "../../plugin/workloads/accounts";
import { TEST_COINBASE, directNetwork } from "../helpers/direct-network";
import type { ConflictsReport } from "../../plugin/analysis/conflict-report";

const ACCOUNTS = testAccounts(41, 3);

interface Report {
  mode: string;
  workers: number;
  executedBy: number[] | null;
  dependentTxs: number;
  idealSpeedup: { unbounded: number; atWorkers: number };
  hotspots: { location: string; dependentTxs: number }[];
  transactions: { hash: string; incarnations: number; dependsOn: { tx: number; locations: string[] }[]; readSet?: string[]; writeSet?: string[] }[];
}

describe("parallel network: block reports", function () {
  this.timeout(60_000);
  let net: ParallelNetworkProvider;
  const rpc = (method: string, ...params: unknown[]) => net.request({ method, params });
  const hot = ACCOUNTS[40].address.toString();

  before(async function () {
    // The coinbase exists from genesis: otherwise the first fee payment creates it, and every later tx depends on that one.
    net = directNetwork({ accounts: ACCOUNTS, balance: "10", alsoFunded: [TEST_COINBASE], parallel: { enabled: true, workers: 2, minTxsForParallel: 4, maxReexecutionRatio: 1000 } });
    await rpc("evm_setAutomine", false);
    for (let i = 0; i < 40; i++) {
      // Even senders pay the hot recipient, odd ones a fresh address each.
      const to = i % 2 === 0 ? hot : `0x${(0xbeef00 + i).toString(16).padStart(40, "0")}`;
      await rpc("eth_sendTransaction", { from: ACCOUNTS[i].address.toString(), to, value: "0x1", gas: "0x5208" });
    }
    await rpc("evm_mine");
    await rpc("evm_setAutomine", true);
  });

  after(async function () {
    await net.close();
  });

  it("names the dependencies between transactions and the location behind them", async function () {
    const report = (await rpc("parallel_getBlockReport", "latest")) as Report;
    expect(report.mode).to.equal("parallel");
    expect(report.transactions).to.have.length(40);
    expect(report.executedBy!.reduce((a, b) => a + b, 0)).to.equal(report.transactions.reduce((a, t) => a + t.incarnations, 0));
    const location = `balance ${hot.toLowerCase()}`;
    for (let j = 0; j < 40; j++) {
      const expected = j % 2 === 0 && j > 0 ? [{ tx: j - 2, locations: [location] }] : [];
      expect(report.transactions[j].dependsOn, `tx ${j}`).to.deep.equal(expected);
    }
    expect(report.dependentTxs).to.equal(19);
    expect(report.hotspots).to.deep.equal([{ location, dependentTxs: 19 }]);
    // The chain of 20 hot transfers bounds the speedup; with equal work per tx that is 40 / 20.
    expect(report.idealSpeedup.unbounded).to.be.within(1.2, 3.5);
    expect(report.idealSpeedup.atWorkers).to.be.at.most(2);
  });

  it("lists read and write sets on request, and rejects malformed options", async function () {
    const report = (await rpc("parallel_getBlockReport", "latest", { details: true })) as Report;
    const first = report.transactions[0];
    expect(first.writeSet).to.include(`balance ${hot.toLowerCase()}`);
    expect(first.readSet).to.include(`balance ${hot.toLowerCase()}`);
    expect((await rpc("parallel_getBlockReport", "latest")) as Report).not.to.have.nested.property("transactions[0].readSet");
    const error = await rpc("parallel_getBlockReport", "latest", "details").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(RpcError);
    expect((error as RpcError).code).to.equal(-32602);
  });

  it("parallel_getConflictReport runs the block again with its recorded pre-state and ranks the hot recipient's balance", async function () {
    const latest = Number(await rpc("eth_blockNumber"));
    const report = (await rpc("parallel_getConflictReport", "latest")) as ConflictsReport;
    expect(report.schemaVersion).to.equal(1);
    expect(report.source).to.deep.equal({ kind: "network", description: `blocks ${latest} to ${latest}` });
    const [block] = report.blocks;
    expect(block).to.include({ number: latest, txs: 40, dependentTxs: 19 });
    expect(block.hotspots).to.have.length(1);
    expect(block.hotspots[0]).to.include({ kind: "balance", address: hot.toLowerCase(), pattern: "hot-balance", dependentTxs: 19, reexecutionsSource: "measured" });
    // The same dependencies parallel_getBlockReport shows, from the same analysis layer.
    const blockReport = (await rpc("parallel_getBlockReport", "latest")) as Report;
    expect(blockReport.dependentTxs).to.equal(block.dependentTxs);
  });

  it("parallel_getConflictReport skips empty blocks and rejects bad ranges and options, naming the fix", async function () {
    await rpc("evm_mine");
    const latest = Number(await rpc("eth_blockNumber"));
    const report = (await rpc("parallel_getConflictReport", latest - 1, latest)) as ConflictsReport;
    expect(report.blocks.map((b) => b.number)).to.deep.equal([latest - 1]);
    expect(report.skipped).to.deep.equal([{ block: `block ${latest}`, reason: "the block has no transactions" }]);
    const fails = async (params: unknown[], message: RegExp) => {
      const error = await rpc("parallel_getConflictReport", ...params).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, JSON.stringify(params)).to.be.instanceOf(RpcError);
      expect((error as RpcError).code).to.equal(-32602);
      expect((error as RpcError).message).to.match(message);
    };
    await fails([latest, latest - 1], /toBlock \d+ is before fromBlock \d+/);
    await fails([0, latest, { top: 0 }], /top must be an integer from 1 to 1000, got 0/);
    await fails([0, latest, { depth: 2 }], /unknown option "depth"; known: top, shards/);
  });
});

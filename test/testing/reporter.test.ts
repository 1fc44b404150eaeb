/**
 * The parallel-friendliness reporter and baseline: what the recorder makes of
 * blocks mined on a parallel network (sequences split by snapshots, batches,
 * the dependencies left out), the report and its table, the reporter on
 * Hardhat's own network and in mocha's parallel mode, and the baseline's
 * comparison and its refusals.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { expect } from "chai";
import { Interface } from "ethers";
import hre from "hardhat";

import { createParallelNetwork } from "../../plugin/hardhat/network-factory";
import { setTestObserver } from "../../plugin/hardhat/test-observer";
import { runWithReport } from "../../plugin/hardhat/test-reporter";
import type { ParallelNetworkProvider } from "../../plugin/network/provider";
import { BaselineError, baselineOf, compareWithBaseline, describeChange, markdownSummary, parseBaseline } from "../../plugin/testing/report/baseline";
import type { Baseline } from "../../plugin/testing/report/baseline";
import { formatReport } from "../../plugin/testing/report/format";
import { TestRecorder } from "../../plugin/testing/report/recorder";
import { buildReport } from "../../plugin/testing/report/report";
import type { ParallelTestReport } from "../../plugin/testing/report/report";

describe("parallel-friendliness reporter", function () {
  this.timeout(180_000);
  let net: ParallelNetworkProvider;
  let accounts: string[];
  let iface: Interface;
  let report: ParallelTestReport;
  const rpc = (method: string, ...params: unknown[]) => net.request({ method, params });
  const call = (from: number, data: string) => rpc("eth_sendTransaction", { from: accounts[from], to: token, data, gas: "0x40000" });
  let token: string;

  before(async function () {
    await hre.run("compile", { quiet: true });
    net = await createParallelNetwork(hre.network.config as never, { ...hre.config.parallel, workers: 2, minTxsForParallel: 4 }, hre.artifacts);
    accounts = (await rpc("eth_accounts")) as string[];
    const artifact = await hre.artifacts.readArtifact("TestToken");
    iface = new Interface(artifact.abi);
    const recorder = new TestRecorder();
    setTestObserver(recorder);
    try {
      // A fixture: deployed and funded, then a snapshot (as loadFixture takes).
      recorder.label = "fixture";
      const hash = await rpc("eth_sendTransaction", { from: accounts[0], data: artifact.bytecode + iface.encodeDeploy(["T", "T", 18]).slice(2) });
      token = ((await rpc("eth_getTransactionReceipt", hash)) as { contractAddress: string }).contractAddress;
      for (const a of accounts.slice(1, 9)) await call(0, iface.encodeFunctionData("mint", [a, 1000n]));
      const snapshot = await rpc("evm_snapshot");
      // A test: two transfers between different accounts, then one from an account the first paid.
      recorder.label = "Token moves balances";
      await call(1, iface.encodeFunctionData("transfer", [accounts[2], 5n]));
      await call(3, iface.encodeFunctionData("transfer", [accounts[4], 5n]));
      await call(2, iface.encodeFunctionData("transfer", [accounts[5], 5n]));
      // Same sender twice, different recipients: its nonce is left out, its token balance is a dependency.
      await call(6, iface.encodeFunctionData("transfer", [accounts[7], 1n]));
      await call(6, iface.encodeFunctionData("transfer", [accounts[8], 1n]));
      await rpc("evm_revert", snapshot);
      // Another test: a batch of transfers to one recipient.
      recorder.label = "Token batch to one recipient";
      await rpc("evm_setAutomine", false);
      for (let i = 1; i <= 6; i++) await call(i, iface.encodeFunctionData("transfer", [accounts[9], 1n]));
      await rpc("evm_mine");
      await rpc("evm_setAutomine", true);
    } finally {
      setTestObserver(undefined);
    }
    recorder.close();
    expect(recorder.errors).to.deep.equal([]);
    report = buildReport(recorder.groups, { generator: "test", network: "parallel", notes: [] });
  });

  after(async function () {
    await net?.close();
  });

  it("groups a fixture, a test's automined transactions and a batch, split where the state moved", function () {
    expect(report.totals).to.deep.equal({ txs: 1 + 8 + 5 + 6, deployments: 1, batches: 1, sequences: 2 });
  });

  it("counts a function's calls in conflict: a transfer from an account an earlier one paid, the batch's shared recipient, mints at the total supply", function () {
    const transfer = report.functions.find((f) => f.function === "TestToken.transfer")!;
    // Sequence: the 3rd on the 1st (account 2's token balance), the 5th on the 4th (the sender's token balance, not its nonce): 4 of 5. Batch: all 6.
    // Each dependency counts for both its ends: (2 + 5) * 2.
    expect(transfer).to.deep.equal({ function: "TestToken.transfer", calls: 11, inConflict: 10, conflictShare: 0.9091, variables: [{ variable: "TestToken._balances", dependencies: 14 }] });
    // The fixture's mints to different accounts still meet at the total supply (the dependency on the deployment is left out).
    expect(report.functions.find((f) => f.function === "TestToken.mint")).to.deep.equal({ function: "TestToken.mint", calls: 8, inConflict: 8, conflictShare: 1, variables: [{ variable: "TestToken._totalSupply", dependencies: 14 }] });
  });

  it("fills the pair matrix: pairs met in one group and how many conflicted", function () {
    const pair = report.pairs.find((p) => p.earlier === "TestToken.transfer" && p.later === "TestToken.transfer")!;
    expect(pair).to.deep.equal({ earlier: "TestToken.transfer", later: "TestToken.transfer", pairs: 10 + 15, conflicts: 2 + 5, variables: ["TestToken._balances"] });
    expect(report.pairs.find((p) => p.earlier === "TestToken.mint" && p.later === "TestToken.mint")).to.deep.include({ pairs: 28, conflicts: 7, variables: ["TestToken._totalSupply"] });
  });

  it("reports the batch with its ideal speedup by gas and its hotspot", function () {
    expect(report.batches).to.have.length(1);
    const [batch] = report.batches;
    expect(batch).to.deep.include({ test: "Token batch to one recipient", txs: 6, dependentTxs: 5, idealSpeedup: 1 });
    expect(batch.hotspots[0]).to.match(/^TestToken\._balances\[0x[0-9a-fA-F]{40}\] /);
  });

  it("prints tables that name every function and stay within 120 columns", function () {
    const text = formatReport(report);
    expect(text).to.match(/\| TestToken\.transfer +\| 11 +\| 10 +\| 90\.9% +\| TestToken\._balances \(14\)/);
    expect(text).to.match(/\| \d\. TestToken\.transfer +\|[^\n]* 7\/25 /);
    expect(text).to.match(/\| \d\. TestToken\.mint +\|[^\n]* 7\/28 /);
    for (const line of text.split("\n")) expect(line.length, line).to.be.at.most(120);
  });

  it("on Hardhat's own network and in mocha's parallel mode: says why nothing was recorded, and still writes the JSON", async function () {
    const dir = mkdtempSync(path.join(os.tmpdir(), "parallel-report-"));
    const settings = hre.config.parallel as { report: { enabled: boolean; json: string } };
    const saved = settings.report;
    const printed: string[] = [];
    const log = console.log;
    try {
      console.log = (...args: unknown[]) => printed.push(args.join(" "));
      for (const [parallel, note] of [
        [false, /^the tests ran on Hardhat's own network, which the reporter cannot watch: nothing was recorded\. Run them on the parallel network: HARDHAT_PARALLEL=1/],
        [true, /^mocha's parallel mode runs the tests in other processes/],
      ] as const) {
        settings.report = { enabled: true, json: path.join(dir, `report-${parallel}.json`) };
        const failures = await runWithReport({ parallel, testFiles: [] }, hre, (async () => 3) as never);
        expect(failures).to.equal(3);
        const written = JSON.parse(readFileSync(settings.report.json, "utf8")) as ParallelTestReport;
        expect(written).to.deep.include({ schemaVersion: 1, functions: [], pairs: [], batches: [] });
        expect(written.notes).to.have.length(1);
        expect(written.notes[0]).to.match(note);
      }
    } finally {
      console.log = log;
      settings.report = saved;
    }
    expect(printed.join("\n")).to.contain("note: the tests ran on Hardhat's own network");
  });
});

describe("parallel-friendliness baseline", function () {
  const base: Baseline = {
    schemaVersion: 1,
    generator: "test",
    functions: {
      "Points.transfer": { calls: 12, conflictShare: 0, variables: [] },
      "Points.mint": { calls: 20, conflictShare: 0.1, variables: ["Points.balanceOf"] },
      "Points.burn": { calls: 2, conflictShare: 0, variables: [] },
    },
    batches: { "Points parallel transfers": { txs: 10, idealSpeedup: 10, hotspots: [] } },
  };
  const now: Baseline = {
    ...base,
    functions: {
      "Points.transfer": { calls: 12, conflictShare: 1, variables: ["Points.transfers", "Points.balanceOf"] },
      "Points.mint": { calls: 20, conflictShare: 0.12, variables: ["Points.balanceOf"] },
      "Points.approve": { calls: 1, conflictShare: 0, variables: [] },
    },
    batches: { "Points parallel transfers": { txs: 10, idealSpeedup: 1, hotspots: ["Points.transfers (slot 0x1)"] } },
  };

  it("names what got worse beyond the tolerance and the variable that caused it; lists new and gone entries", function () {
    const changes = compareWithBaseline(base, now, 0.05);
    expect(changes.map(describeChange)).to.deep.equal([
      "WORSE batch Points parallel transfers: ideal speedup 10.00x -> 1.00x; caused by Points.transfers (slot 0x1)",
      "WORSE function Points.transfer: conflict share 0.0% -> 100.0%; caused by Points.transfers, Points.balanceOf",
      "new function Points.approve: conflict share 0.0% (not in the baseline)",
      "function Points.burn is no longer run (baseline conflict share 0.0%)",
    ]);
    // Within the tolerance: mint's 10% -> 12% is not a change.
    expect(changes.some((c) => c.name === "Points.mint")).to.equal(false);
    expect(compareWithBaseline(base, base, 0)).to.deep.equal([]);
    expect(compareWithBaseline(now, base, 0.05).filter((c) => c.kind === "better").map(describeChange)).to.deep.equal([
      "BETTER batch Points parallel transfers: ideal speedup 1.00x -> 10.00x; no longer: Points.transfers (slot 0x1)",
      "BETTER function Points.transfer: conflict share 100.0% -> 0.0%; no longer: Points.transfers, Points.balanceOf",
    ]);
  });

  it("writes a Markdown summary for a pull request", function () {
    const md = markdownSummary(compareWithBaseline(base, now, 0.05), 0.05, "parallel-baseline.json");
    expect(md).to.match(/^\*\*Parallel-friendliness: 2 regressions\*\* against `parallel-baseline\.json`\n/);
    expect(md).to.contain("| worse | function `Points.transfer` | conflict share | 0.0% | 100.0% | `Points.transfers`, `Points.balanceOf` |");
    expect(markdownSummary([], 0.05, "b.json")).to.contain("**Parallel-friendliness: no regression**");
  });

  it("refuses a baseline of another schema version, or not one at all, saying how to write it again", function () {
    const refusal = (text: string) => {
      try {
        parseBaseline(text, "parallel-baseline.json");
      } catch (e) {
        expect(e).to.be.instanceOf(BaselineError);
        return (e as Error).message;
      }
      throw new Error("accepted");
    };
    expect(refusal(JSON.stringify({ ...base, schemaVersion: 2 }))).to.equal(
      "parallel-baseline.json has baseline schema version 2, and this hardhat-parallel reads version 1; write it again with npx hardhat parallel-baseline (on the commit it should describe) and commit it",
    );
    expect(refusal("{ not json")).to.match(/^parallel-baseline\.json is not JSON \(/);
    expect(refusal(JSON.stringify({ functions: {} }))).to.match(/is not a parallel-friendliness baseline \(no schemaVersion\)/);
    expect(refusal(JSON.stringify({ schemaVersion: 1, functions: {} }))).to.match(/lacks its "functions" or "batches" object/);
    expect(parseBaseline(JSON.stringify(base), "b.json")).to.deep.equal(base);
  });

  it("is made from a report: shares, ideal speedups and the variables behind them", function () {
    const report: ParallelTestReport = {
      schemaVersion: 1,
      generator: "g",
      network: "parallel",
      notes: [],
      totals: { txs: 3, deployments: 0, batches: 1, sequences: 0 },
      functions: [{ function: "A.f", calls: 3, inConflict: 2, conflictShare: 0.6667, variables: [{ variable: "A.x", dependencies: 2 }] }],
      pairs: [],
      batches: [{ test: "t", block: 5, txs: 3, dependentTxs: 2, idealSpeedup: 1.5, hotspots: ["A.x (slot 0x0)"] }],
    };
    expect(baselineOf(report)).to.deep.equal({
      schemaVersion: 1,
      generator: "g",
      functions: { "A.f": { calls: 3, conflictShare: 0.6667, variables: ["A.x"] } },
      batches: { t: { txs: 3, idealSpeedup: 1.5, hotspots: ["A.x (slot 0x0)"] } },
    });
  });
});

/**
 * The plugin's tasks as a user runs them (through the Hardhat runtime):
 * parallel-bench end to end on a small block, and clear errors for bad
 * arguments that name the flag and how to fix it.
 */
import { expect } from "chai";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";

import { parseWorkerList } from "../../plugin/hardhat/parse-args";
import { MISSING_SHARED, sharedFixture } from "../helpers/shared-fixtures";
import type { BenchReport } from "../../plugin/bench/bench";
import type { NetworkBenchReport } from "../../plugin/bench/network-bench";

const conflictArgs = { workers: 1, top: 10, shards: 8 };
const benchArgs = { txs: 40, accounts: 100, workers: "1,2", repeats: 1, workload: "erc20-independent,erc20-one-recipient,amm-hot,mixed", full: false, skipStock: false, vsHardhat: false };

describe("tasks", function () {
  it("parallel-bench runs the workloads asked for (flat ERC-20 blocks and DeFi presets), verifies each run and writes the JSON and HTML reports", async function () {
    const json = path.join(mkdtempSync(path.join(os.tmpdir(), "hp-bench-")), "bench.json");
    const html = json.replace(/json$/, "html");
    // --full for the stock baseline; --repeats 1 keeps it short.
    const report = (await hre.run("parallel-bench", { ...benchArgs, full: true, json, html })) as BenchReport;
    const written = JSON.parse(readFileSync(json, "utf8")) as BenchReport;
    // One speedup chart per workload (the page is checked in a browser by test/analysis/html-reports.test.ts).
    expect(readFileSync(html, "utf8").match(/data-chart="speedup"/g)).to.have.length(4);
    expect(written.schemaVersion).to.equal(2);
    expect(written.rows.map((r) => [r.workload, r.workers])).to.deep.equal([
      ["erc20-independent", 1],
      ["erc20-independent", 2],
      ["erc20-one-recipient", 1],
      ["erc20-one-recipient", 2],
      ["amm-hot", 1],
      ["amm-hot", 2],
      ["mixed", 1],
      ["mixed", 2],
    ]);
    for (const row of written.rows) {
      expect(row.verified, `${row.workload} @${row.workers}`).to.equal(true);
      expect(row.txs).to.equal(40);
      expect(row.speedup).to.be.a("number").and.greaterThan(0);
      expect(row.executionSpeedup).to.be.a("number").and.greaterThan(0);
    }
    // The conflict-free block has no dependency chain; the one-recipient block is one chain.
    expect(report.rows.find((r) => r.workload === "erc20-independent" && r.workers === 2)!.ideal).to.equal(Math.min(2, os.availableParallelism()));
    expect(report.rows.find((r) => r.workload === "erc20-one-recipient" && r.workers === 2)!.ideal).to.be.lessThan(1.2);
    // Every swap on one pool depends on the previous one.
    expect(report.rows.find((r) => r.workload === "amm-hot" && r.workers === 2)!.ideal).to.be.lessThan(1.2);
    expect(written.baselines.map((b) => [b.workload, b.verified])).to.deep.equal(written.options.workloads.map((w) => [w, true]));
    // The scheduler model at 1 to 64 workers, per workload, beside the measured figures.
    expect(written.scaling.map((s) => s.workload)).to.deep.equal(["erc20-independent", "erc20-one-recipient", "amm-hot", "mixed"]);
    for (const s of written.scaling) {
      expect(s.simulated.map((m) => m.workers)).to.deep.equal([1, 2, 4, 8, 16, 32, 64]);
      expect(s.simulatedCoordinatorOnly.map((m) => m.workers)).to.deep.equal([1, 2, 4, 8, 16, 32, 64]);
      expect(s.measured.map((m) => m.workers)).to.deep.equal([1, 2]);
      expect(s.coordinatorMicrosPerIncarnation).to.be.greaterThan(0);
      for (const m of s.simulated) expect(m.incarnations, `${s.workload} @${m.workers}`).to.be.at.least(40);
    }
    // A chain gains nothing from more threads in the model either.
    const chain = written.scaling.find((s) => s.workload === "amm-hot")!;
    expect(Math.max(...chain.simulated.map((m) => m.executionSpeedup))).to.be.at.most(1.05);
  });

  it("parallel-bench --vs-hardhat mines the same preset block on both networks with the same receipts", async function () {
    const report = (await hre.run("parallel-bench", { ...benchArgs, txs: 24, workload: "amm-hot", vsHardhat: true })) as NetworkBenchReport;
    expect(report.rows).to.have.length(1);
    const [row] = report.rows;
    expect([row.workload, row.txs, row.verified, row.mode]).to.deep.equal(["amm-hot", 24, true, "parallel"]);
    expect(row.hardhatMineMs).to.be.greaterThan(0);
    expect(row.parallelMineMs).to.be.greaterThan(0);
    expect(report.rpc.parallelMicros).to.be.greaterThan(0);
    await expectTaskError("parallel-bench", { ...benchArgs, workload: "erc20-independent", vsHardhat: true }, /--vs-hardhat compares "ordinary" \(a test suite.s requests\) and the DeFi presets .*; --workload named none of them/);
  });

  it("parallel-bench rejects bad arguments with the flag and a fix", async function () {
    await expectTaskError("parallel-bench", { ...benchArgs, workers: "0,2" }, /--workers must be a comma-separated list of worker counts from 1 to 256/);
    await expectTaskError("parallel-bench", { ...benchArgs, txs: 0 }, /--txs must be an integer from 1 to 100000/);
    await expectTaskError("parallel-bench", { ...benchArgs, accounts: 50 }, /--accounts must be an integer of at least twice the block size \(80\)/);
    await expectTaskError("parallel-bench", { ...benchArgs, workload: "uniswap" }, /--workload must be "default", "all" or a comma-separated list of erc20-independent, .*mixed; got "uniswap" \(unknown: uniswap\)/);
    await expectTaskError("parallel-bench", { ...benchArgs, workload: "amm,,nft" }, /unknown: nft/);
    await expectTaskError("parallel-bench", { ...benchArgs, vsHardhat: true, html: "x.html" }, /--html draws the engine benchmark's speedups against workers; --vs-hardhat has no such chart/);
  });

  it("parallel-replay needs --block and --prestate together", async function () {
    await expectTaskError("parallel-replay", { fixtures: "../shared/fixtures/mainnet-blocks", workers: "1", block: "block.json" }, /--block needs --prestate/);
  });

  it("parallel-conflicts analyses a preset and writes the JSON report with its schema version", async function () {
    const json = path.join(mkdtempSync(path.join(os.tmpdir(), "conflicts-")), "report.json");
    const html = json.replace(/json$/, "html");
    const bal = json.replace(/report\.json$/, "bal.json");
    await hre.run("parallel-conflicts", { ...conflictArgs, workload: "nft-mint", txs: 30, json, html, bal });
    const accessLists = JSON.parse(readFileSync(bal, "utf8"));
    expect(accessLists.format).to.match(/^EIP-7928/);
    expect(accessLists.blocks).to.have.length(1);
    expect(accessLists.blocks[0].accessList.length).to.be.greaterThan(30);
    const report = JSON.parse(readFileSync(json, "utf8"));
    // The page itself is checked in a browser by test/analysis/html-reports.test.ts; here, that the task writes it.
    const page = readFileSync(html, "utf8");
    for (const chart of ["hotspots", "distances", "graph"]) expect(page).to.contain(`data-chart="${chart}"`);
    expect(page).to.contain("NftCollection._nextTokenId");
    expect(report.schemaVersion).to.equal(1);
    expect(report.source).to.deep.equal({ kind: "workload", description: "workload nft-mint, 30 txs, accounts 120" });
    const counter = report.blocks[0].hotspots.find((h: { variable: string | null }) => h.variable === "_nextTokenId");
    expect(counter).to.include({ contract: "NftCollection", pattern: "counter", dependentTxs: 29, reexecutionsSource: "model" });
    for (const field of ["address", "slot", "key", "reexecutions", "remedy"]) expect(counter).to.have.property(field);
    // The mint price paid to the collection chains the same txs, so removing the counter alone gains nothing: the bound says so.
    expect(counter.whatIf.idealSpeedup).to.be.at.least(report.blocks[0].bound.idealSpeedup);
    expect(counter.whatIf.commutative).to.not.equal(null);
  });

  it("parallel-conflicts skips a recorded block whose pre-state is partial, saying how to fix it, and analyses the others", async function () {
    const source = sharedFixture("mainnet-blocks", "15537394");
    if (source === undefined) {
      console.log(`      ${MISSING_SHARED}`);
      this.skip();
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), "conflicts-partial-"));
    for (const name of ["15537394", "15537394-partial"]) {
      mkdirSync(path.join(dir, name));
      copyFileSync(path.join(source, "block.json"), path.join(dir, name, "block.json"));
    }
    copyFileSync(path.join(source, "pre_state.json"), path.join(dir, "15537394", "pre_state.json"));
    // Every account's storage left out: calls read empty slots and the block comes out different.
    const partial = JSON.parse(readFileSync(path.join(source, "pre_state.json"), "utf8")) as Record<string, { storage: unknown }>;
    for (const account of Object.values(partial)) account.storage = {};
    writeFileSync(path.join(dir, "15537394-partial", "pre_state.json"), JSON.stringify(partial));
    const report = await hre.run("parallel-conflicts", { ...conflictArgs, fixtures: dir });
    expect(report.blocks.map((b: { number: number }) => b.number)).to.deep.equal([15537394]);
    expect(report.skipped).to.have.length(1);
    expect(report.skipped[0].reason).to.match(/the block used \d+ gas with other receipts where its header says 29983006: the pre-state is partial or not this block's\. Record it again with debug_traceBlockByNumber/);
  });

  it("parallel-conflicts rejects a missing or doubled source and bad numbers with the flag and a fix", async function () {
    await expectTaskError("parallel-conflicts", conflictArgs, /say what to analyse: --workload <preset> \(one of transfers, .*\), --fixtures .*Example: npx hardhat parallel-conflicts --workload amm-hot/);
    await expectTaskError("parallel-conflicts", { ...conflictArgs, workload: "amm", fixtures: "x" }, /give one source/);
    await expectTaskError("parallel-conflicts", { ...conflictArgs, workload: "uniswap" }, /--workload must be one of transfers, .*got "uniswap"/);
    await expectTaskError("parallel-conflicts", { ...conflictArgs, workload: "amm", txs: 0 }, /--txs must be an integer from 1 to 20000, got 0/);
    await expectTaskError("parallel-conflicts", { ...conflictArgs, workload: "amm", skew: -1 }, /--skew must be a number from 0/);
    await expectTaskError("parallel-conflicts", { ...conflictArgs, fixtures: "no/such/folder" }, /--fixtures: .*no\/such\/folder does not exist/);
    await expectTaskError("parallel-conflicts", { ...conflictArgs, block: "block.json" }, /--block needs --prestate/);
    await expectTaskError("parallel-conflicts", { ...conflictArgs, run: "scripts/examples/hot-recipient.ts", bal: "bal.json" }, /--bal exports blocks this task runs itself/);
  });

  it("parseWorkerList accepts lists and rejects anything else", function () {
    expect(parseWorkerList("1, 2,4,2", "--workers")).to.deep.equal([1, 2, 4]);
    expect(() => parseWorkerList("", "--workers")).to.throw(/--workers is empty/);
    expect(() => parseWorkerList("two", "--workers")).to.throw(/"two" is not one/);
    expect(() => parseWorkerList("300", "--workers")).to.throw(/from 1 to 256/);
  });
});

async function expectTaskError(task: string, args: Record<string, unknown>, message: RegExp): Promise<void> {
  let error: unknown;
  try {
    await hre.run(task, args);
  } catch (e) {
    error = e;
  }
  expect(error, `${task} should have failed`).to.be.instanceOf(Error);
  expect((error as Error).message).to.match(message);
}

/**
 * `npx hardhat parallel-conflicts --run <script>` as a user runs it, in a
 * process of its own: the script runs on the parallel network (the config
 * does not select it), and the blocks it mined are analysed and named from
 * the project's storage layouts through the network's own report.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import type { ConflictsReport } from "../../plugin/analysis/conflict-report";

const ROOT = path.resolve(__dirname, "..", "..");

function runTask(script: string, env: Record<string, string> = {}): { status: number | null; output: string; report?: ConflictsReport } {
  const json = path.join(mkdtempSync(path.join(os.tmpdir(), "conflicts-run-")), "report.json");
  const result = spawnSync("npx", ["hardhat", "parallel-conflicts", "--run", script, "--json", json], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, HARDHAT_PARALLEL: "", ...env },
  });
  let report: ConflictsReport | undefined;
  try {
    report = JSON.parse(readFileSync(json, "utf8")) as ConflictsReport;
  } catch {
    // No report written: the caller looks at the output.
  }
  return { status: result.status, output: result.stdout + result.stderr, report };
}

describe("parallel-conflicts --run", function () {
  this.timeout(180_000);

  it("analyses the blocks a script mined on the parallel network, named from the project's layouts", function () {
    const { status, output, report } = runTask("scripts/examples/hot-recipient.ts");
    expect(status, output).to.equal(0);
    expect(report!.source.kind).to.equal("script");
    const busy = report!.blocks.filter((b) => b.dependencies > 0);
    expect(busy, output).to.have.length(1);
    expect(busy[0]).to.include({ txs: 12, dependentTxs: 11 });
    expect(busy[0].hotspots[0]).to.include({ contract: "TestToken", pattern: "hot-balance", dependentTxs: 11 });
    expect(busy[0].hotspots[0].variable).to.match(/^_balances\[0x[0-9a-fA-F]{40}\]$/);
    expect(output).to.match(/No transaction depends on another in \d+ blocks/);
  });

  it("reports a script that fails and still analyses the blocks it mined", function () {
    const { status, output, report } = runTask("scripts/examples/hot-recipient.ts", { FAIL_AFTER_MINING: "1" });
    expect(status, output).to.equal(0);
    expect(output).to.include("the script failed");
    expect(output).to.include("deliberate failure after mining");
    expect(report!.blocks.some((b) => b.dependentTxs === 11)).to.equal(true);
  });

  it("says so when the script mined no block", function () {
    const { status, output } = runTask("scripts/examples/mines-nothing.ts");
    expect(status).to.not.equal(0);
    expect(output).to.match(/no block could be analysed: none: the script mined no block/);
  });
});

/**
 * The cross-network check of the toolbox compatibility suite: in the
 * parallel pass of `npm test` (HARDHAT_PARALLEL=1), the outcomes the compat
 * tests recorded on the parallel network must match, entry by entry, the
 * ones they recorded on Hardhat's own network (EDR) earlier in `npm test`
 * (cache/compat/edr.json). Gas estimates are compared within Hardhat's
 * tolerance (outcomes.ts, gasEstimateTolerance); every other entry exactly.
 *
 * The check runs after every other test of the run, wherever this file
 * falls in the file order: a root hook moves its suite to the end.
 */
import { expect } from "chai";

import { NETWORK, compareLogs, currentLog, gasEstimateTolerance, logPath, normalize, readLog } from "./outcomes";
import type { Entry, Json, OutcomeLog, TestLog } from "./outcomes";

const suite = describe("compat: identical outcomes on EDR and the parallel network", function () {
  it("every compat test that passed on both networks recorded the same outcomes", function () {
    if (NETWORK !== "parallel") {
      console.log(`      skipped: this run is on EDR; it records ${logPath("edr")}, which the parallel pass (HARDHAT_PARALLEL=1, second half of \`npm test\`) checks`);
      this.skip();
    }
    const edr = readLog("edr");
    if (edr === undefined) {
      console.log(`      skipped: ${logPath("edr")} is missing; run \`npm test\` (it records the EDR outcomes first, then runs the parallel pass)`);
      this.skip();
    }
    const result = compareLogs(edr, currentLog());
    if (result.notCompared.length > 0) {
      console.log(`      not compared (passed on EDR, not in this run): ${result.notCompared.map((t) => `"${t}"`).join(", ")}`);
    }
    expect(result.firstDifference, result.firstDifference).to.equal(undefined);
    expect(result.compared, `no compat test ran in this pass; run the test/compat files with HARDHAT_PARALLEL=1`).to.be.greaterThan(0);
    console.log(`      ${result.compared} tests, ${result.entries} recorded outcomes identical to EDR's (${edr.writtenAt})`);
  });
});

// Root hook: by the time the root suite starts, every file is loaded; move this suite after all others.
before(function () {
  const root = suite.parent!;
  const i = root.suites.indexOf(suite);
  if (i >= 0 && i !== root.suites.length - 1) {
    root.suites.splice(i, 1);
    root.suites.push(suite);
  }
});

describe("compat: the outcome comparison itself", function () {
  const log = (network: "edr" | "parallel", entries: Entry[], state: TestLog["state"] = "passed"): OutcomeLog => ({
    network,
    writtenAt: "",
    tests: { "suite a test": { state, entries } },
  });
  const exact = (label: string, value: Json): Entry => ({ label, kind: "exact", value });
  const estimate = (label: string, gas: bigint): Entry => ({ label, kind: "gasEstimate", value: normalize(gas) });

  it("accepts identical logs and names the first entry that differs", function () {
    const edr = log("edr", [exact("balance", "5n"), exact("events", [1, 2])]);
    expect(compareLogs(edr, log("parallel", [exact("balance", "5n"), exact("events", [1, 2])])).firstDifference).to.equal(undefined);
    const diff = compareLogs(edr, log("parallel", [exact("balance", "5n"), exact("events", [2, 1])])).firstDifference!;
    expect(diff).to.contain('"suite a test" › "events"');
    expect(diff).to.contain("EDR: [1,2]");
    expect(compareLogs(edr, log("parallel", [exact("balance", "5n")])).firstDifference).to.contain('entry #2 ("events") was recorded only on EDR');
  });

  it("compares gas estimates within Hardhat's tolerance, never below or beyond it", function () {
    const edr = log("edr", [estimate("gas", 44_586n)]);
    expect(compareLogs(edr, log("parallel", [estimate("gas", 44_426n)])).firstDifference).to.equal(undefined);
    expect(compareLogs(edr, log("parallel", [estimate("gas", 44_286n)])).firstDifference).to.equal(undefined);
    expect(compareLogs(edr, log("parallel", [estimate("gas", 44_285n)])).firstDifference).to.contain("more than Hardhat's tolerance 300");
    expect(gasEstimateTolerance(21_000n)).to.equal(200n);
    expect(gasEstimateTolerance(100_000n)).to.equal(1_000n);
    expect(gasEstimateTolerance(5_000_000n)).to.equal(50_000n);
  });

  it("compares only tests that passed on both networks, and reports the ones skipped here", function () {
    const edr = log("edr", [exact("x", 1)]);
    const skipped = compareLogs(edr, log("parallel", [], "pending"));
    expect(skipped.compared).to.equal(0);
    expect(skipped.notCompared).to.deep.equal(["suite a test"]);
    expect(compareLogs(log("edr", [], "failed"), log("parallel", [exact("x", 1)])).firstDifference).to.contain("did not pass on EDR");
  });
});

// `npx hardhat parallel-baseline`: runs the tests with the parallel-friendliness
// reporter on the parallel network and writes the baseline, or with --check
// compares with it (plugin/testing/report/baseline.ts) and fails on a
// regression. A thin wrapper: argument checks and output here.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import { TASK_TEST } from "hardhat/builtin-tasks/task-names";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

import { pluginError } from "../plugin/hardhat/errors";
import { installParallelNetwork, servesParallelNetwork } from "../plugin/hardhat/network";
import { writeJsonReport } from "../plugin/hardhat/report-files";
import type { BaselineTaskArgs } from "../plugin/hardhat/task-args";
import { captureNextReport } from "../plugin/hardhat/test-observer";
import { BaselineError, baselineOf, compareWithBaseline, describeChange, markdownSummary, parseBaseline } from "../plugin/testing/report/baseline";
import type { Baseline } from "../plugin/testing/report/baseline";
import { TEST_REPORT_SCHEMA_VERSION } from "../plugin/testing/report/report";
import type { ParallelTestReport } from "../plugin/testing/report/report";

export async function baselineAction(args: BaselineTaskArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  if (!(Number.isFinite(args.tolerance) && args.tolerance >= 0 && args.tolerance <= 1)) {
    throw pluginError(`--tolerance must be a number from 0 to 1 (0.05: five percentage points of conflict share, five percent of ideal speedup), got ${args.tolerance}`);
  }
  if (args.report !== undefined && args.testFiles.length > 0) throw pluginError("give either --report (a report already written) or test files to run, not both");
  const file = path.resolve(hre.config.paths.root, args.file);
  // Read first, so a missing file fails before the tests run; a file of another version is reported after them, with the report still printed.
  let baseline: Baseline | BaselineError | undefined;
  if (args.check) {
    if (!existsSync(file)) throw pluginError(`no baseline at ${args.file}: write one with npx hardhat parallel-baseline (without --check) and commit it`);
    try {
      baseline = parseBaseline(readFileSync(file, "utf8"), args.file);
    } catch (e) {
      if (!(e instanceof BaselineError)) throw e;
      baseline = e;
    }
  }

  const { report, failures } = args.report !== undefined ? { report: readReport(path.resolve(hre.config.paths.root, args.report), args.report), failures: 0 } : await runTests(args.testFiles, hre);
  const failed = failures === 0 ? "" : `${failures} test${failures === 1 ? "" : "s"} failed`;
  const current = baselineOf(report);
  if (!args.check) {
    if (failed !== "") throw pluginError(`${failed}: a baseline describes a passing suite; fix the tests first (nothing written)`);
    writeJsonReport(file, current);
    console.log(`\nparallel-baseline: wrote ${args.file}: ${Object.keys(current.functions).length} functions, ${Object.keys(current.batches).length} batches. Commit it; CI runs npx hardhat parallel-baseline --check`);
    return;
  }
  if (baseline instanceof BaselineError) throw pluginError(baseline.message);
  const changes = compareWithBaseline(baseline!, current, args.tolerance);
  console.log(`\nparallel-baseline: compared with ${args.file} (tolerance ${args.tolerance})`);
  for (const c of changes) console.log(`  ${describeChange(c)}`);
  if (changes.length === 0) console.log("  no change beyond the tolerance");
  if (args.diff) console.log(`\n${markdownSummary(changes, args.tolerance, args.file)}`);
  const worse = changes.filter((c) => c.kind === "worse");
  if (worse.length > 0) {
    const also = failed === "" ? "" : ` (and ${failed})`;
    throw pluginError(`${worse.length} parallel-friendliness regression${worse.length === 1 ? "" : "s"} beyond the tolerance${also}: ${describeChange(worse[0])}. Fix it, or accept it by writing the baseline again (npx hardhat parallel-baseline).`);
  }
  if (failed !== "") throw pluginError(`${failed} (no parallel-friendliness regression beyond the tolerance)`);
}

/**
 * Runs `npx hardhat test` on the parallel network with the reporter on, and
 * takes its report and the number of failed tests (a check still compares:
 * a regression usually makes a parallel-friendliness test fail too, and the
 * comparison says why).
 */
async function runTests(testFiles: string[], hre: HardhatRuntimeEnvironment): Promise<{ report: ParallelTestReport; failures: number }> {
  if (hre.network.name !== "hardhat") throw pluginError(`parallel-baseline runs the tests on the in-process network (the parallel one); drop --network ${hre.network.name}`);
  if (!servesParallelNetwork(hre)) installParallelNetwork(hre);
  let report: ParallelTestReport | undefined;
  captureNextReport((r) => (report = r));
  let failures: unknown;
  try {
    failures = await hre.run(TASK_TEST, { testFiles });
  } finally {
    captureNextReport(undefined);
  }
  if (report === undefined) throw pluginError("the test run gave no parallel report (was the test task replaced by another plugin?)");
  for (const note of report.notes) if (/could not be analysed/.test(note)) throw pluginError(`the parallel report is incomplete: ${note}`);
  // Hardhat's test task returns the failures and sets the exit code from them (a plugin
  // wrapping the task may return nothing: the exit code still says); this task decides the exit code.
  const count = typeof failures === "number" ? failures : Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { report, failures: Number.isFinite(count) ? count : 0 };
}

function readReport(file: string, given: string): ParallelTestReport {
  if (!existsSync(file)) throw pluginError(`--report ${given}: no such file; the test reporter writes it (HARDHAT_PARALLEL=1 HARDHAT_PARALLEL_REPORT=1 npx hardhat test)`);
  let report: Partial<ParallelTestReport>;
  try {
    report = JSON.parse(readFileSync(file, "utf8")) as Partial<ParallelTestReport>;
  } catch (e) {
    throw pluginError(`--report ${given} is not JSON (${(e as Error).message})`);
  }
  if (report.schemaVersion !== TEST_REPORT_SCHEMA_VERSION) {
    throw pluginError(`--report ${given} has report schema version ${JSON.stringify(report.schemaVersion)}, and this hardhat-parallel reads version ${TEST_REPORT_SCHEMA_VERSION}; run the tests again with the reporter`);
  }
  if (report.network !== "parallel") throw pluginError(`--report ${given} was written by tests that ran on Hardhat's own network and records nothing; run them with HARDHAT_PARALLEL=1`);
  return report as ParallelTestReport;
}

/**
 * The parallel-friendliness test reporter, in the way hardhat-gas-reporter
 * hooks a test run: it wraps the mocha run of `npx hardhat test` (never the
 * tests), names the runnable that mines each block through mocha's runner
 * events (a reporter wrapping the configured one), and has the parallel
 * network hand it every mined block. After the run it prints the report and
 * writes it as JSON (docs/testing.md).
 */
import { createRequire } from "node:module";
import path from "node:path";

import type { HardhatRuntimeEnvironment, RunSuperFunction, TaskArguments } from "hardhat/types";

import { formatReport } from "../testing/report/format";
import { TestRecorder } from "../testing/report/recorder";
import { buildReport } from "../testing/report/report";
import type { ParallelTestReport } from "../testing/report/report";
import { pluginError } from "./errors";
import { servesParallelNetwork } from "./network";
import { pluginVersion } from "./plugin-version";
import { writeJsonReport } from "./report-files";
import { reportCapture, setTestObserver } from "./test-observer";

/** Runs the mocha tests (runSuper) with the reporter on; returns what the run returns (the failures). */
export async function runWithReport(args: TaskArguments, hre: HardhatRuntimeEnvironment, runSuper: RunSuperFunction<TaskArguments>): Promise<unknown> {
  const notes: string[] = [];
  const onParallelNetwork = servesParallelNetwork(hre);
  const mochaParallel = args.parallel === true || hre.config.mocha.parallel === true;
  let recorder: TestRecorder | undefined;
  if (mochaParallel) {
    notes.push("mocha's parallel mode runs the tests in other processes, where the reporter cannot watch the network: nothing was recorded. Run the tests without --parallel (and without mocha.parallel in the config) for the report.");
  } else if (!onParallelNetwork) {
    const where = hre.network.name === "hardhat" ? "Hardhat's own network" : `the network "${hre.network.name}"`;
    notes.push(`the tests ran on ${where}, which the reporter cannot watch: nothing was recorded. Run them on the parallel network: HARDHAT_PARALLEL=1 npx hardhat test, or parallel: { enabled: true } in the config.`);
  } else {
    recorder = new TestRecorder();
  }
  const mochaConfig = hre.config.mocha as { reporter?: unknown };
  const configured = mochaConfig.reporter;
  if (recorder !== undefined) {
    mochaConfig.reporter = labelling(configured, recorder);
    setTestObserver(recorder);
  }
  let failures: unknown;
  try {
    failures = await runSuper(args);
  } finally {
    setTestObserver(undefined);
    mochaConfig.reporter = configured;
  }
  recorder?.close();
  notes.push(...(recorder?.errors ?? []));
  const report = buildReport(recorder?.groups ?? [], { generator: pluginVersion(), network: onParallelNetwork ? "parallel" : "hardhat", notes });
  console.log(`\n${formatReport(report)}`);
  const capture = reportCapture();
  if (capture !== undefined) capture(report);
  else console.log(`\nparallel report written to ${path.relative(process.cwd(), writeJsonReport(path.resolve(hre.config.paths.root, hre.config.parallel.report.json), report))}`);
  return failures;
}

type ReporterClass = new (runner: MochaRunner, options: unknown) => { done?: (failures: number, fn: (failures: number) => void) => void };
interface MochaRunner {
  on(event: string, listener: (runnable: { fullTitle(): string }) => void): void;
}

/**
 * The configured mocha reporter, wrapped so that the recorder knows which
 * test or hook is running (its blocks are labelled with it).
 */
function labelling(configured: unknown, recorder: TestRecorder): ReporterClass {
  const Inner = reporterClass(configured);
  return class LabellingReporter {
    done?: (failures: number, fn: (failures: number) => void) => void;
    constructor(runner: MochaRunner, options: unknown) {
      const inner = new Inner(runner, options);
      runner.on("hook", (hook) => (recorder.label = hook.fullTitle()));
      runner.on("test", (test) => (recorder.label = test.fullTitle()));
      if (typeof inner.done === "function") this.done = (failures, fn) => inner.done!(failures, fn);
    }
  };
}

/** A mocha `reporter` option (a name, a module, a class, or nothing: spec) as the class mocha would use. */
function reporterClass(configured: unknown): ReporterClass {
  // Mocha as Hardhat loads it.
  const requireFromHardhat = createRequire(require.resolve("hardhat/package.json"));
  const mocha = requireFromHardhat("mocha") as { reporters: Record<string, ReporterClass> };
  if (configured === undefined || configured === null) return mocha.reporters.spec;
  if (typeof configured === "function") return configured as ReporterClass;
  const name = String(configured);
  if (mocha.reporters[name] !== undefined) return mocha.reporters[name];
  for (const candidate of [name, path.resolve(name)]) {
    try {
      return requireFromHardhat(candidate) as ReporterClass;
    } catch {
      // try the next way mocha would find it
    }
  }
  throw pluginError(`the parallel report could not load the mocha reporter "${name}" (mocha.reporter in the config); check its name, or turn the report off (HARDHAT_PARALLEL_REPORT=0)`);
}

export type { ParallelTestReport };

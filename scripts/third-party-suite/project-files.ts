/**
 * The files the script writes into the copy of the third-party project: a
 * config that wraps the project's own, and a solcjs runner.
 *
 * The wrapper loads the project's config unchanged (renamed beside it, so its
 * relative requires and __dirname still work), then the plugin and its
 * offline compiler, as a user would add them. It also:
 * - selects a JSON reporter (JSON_REPORTER), writing to the file named by
 *   THIRD_PARTY_SUITE_JSON (set per run by the script), so console output of
 *   the tests cannot corrupt the results;
 * - compiles through the offline compiler's solcjs runner, which hands the
 *   compiler its input through the wasm heap (HEAP_SOLCJS_RUNNER in
 *   plugin/hardhat/offline-solc.ts).
 */

import { HEAP_SOLCJS_RUNNER } from "../../plugin/hardhat/offline-solc";

/** Where the script keeps its files and results inside the project copy. */
export const WORK_DIR = ".third-party-suite";
export const RUNNER_FILE = "solcjs-runner.js";
export const REPORTER_FILE = "json-reporter.js";
export const REPORT_ENV = "THIRD_PARTY_SUITE_JSON";

/** The project's config, renamed: `hardhat.config.original.<ext>`. */
export function originalConfigName(configFile: string): string {
  return configFile.replace(/^hardhat\.config\./, "hardhat.config.original.");
}

/**
 * The wrapper config, valid as JavaScript and as TypeScript (Hardhat 2 runs
 * TypeScript configs through ts-node without type-checking).
 */
export function wrapperConfig(configFile: string): string {
  const original = `./${originalConfigName(configFile).replace(/\.(c?js|ts)$/, "")}`;
  return `// Written by hardhat-parallel's scripts/third-party-suite.ts: the project's own config
// (${originalConfigName(configFile)}), with the plugin and its offline compiler.
/* eslint-disable */
const loaded = require(${JSON.stringify(original)});
const config = loaded && loaded.__esModule ? loaded.default : loaded;
require("hardhat-parallel");
require("hardhat-parallel/offline-solc");

const path = require("path");

const report = process.env.${REPORT_ENV};
if (report) {
  const reporter = path.join(__dirname, ${JSON.stringify(WORK_DIR)}, ${JSON.stringify(REPORTER_FILE)});
  config.mocha = { ...config.mocha, reporter, reporterOption: { output: report } };
}

module.exports = config;
`;
}

/** The runner the plugin's offline compiler uses (input on the wasm heap); kept as a file in the copy for reruns by hand. */
export const SOLCJS_RUNNER = HEAP_SOLCJS_RUNNER;

/**
 * A mocha reporter that writes what mocha's own JSON reporter writes (stats,
 * tests, passes, failures, pending; compare.ts reads it) with each error as
 * its message and stack only, and prints a line per test for the log.
 * Mocha's JSON reporter copies every property of an error and serializes it
 * with JSON.stringify, which throws on the BigInt `actual` / `expected` of a
 * failed chai assertion on ethers values: then it writes nothing at all.
 * Needs nothing from mocha (the runner's events are plain names), so it
 * works with whichever mocha the project's Hardhat runs.
 */
export const JSON_REPORTER = `// Written by hardhat-parallel's scripts/third-party-suite.ts (see its wrapper config).
const fs = require("fs");
const path = require("path");

function entry(test) {
  const e = test.err;
  const err = e === undefined ? {} : { message: String(e && e.message !== undefined ? e.message : e), stack: e && e.stack !== undefined ? String(e.stack) : undefined };
  return { title: test.title, fullTitle: test.fullTitle(), file: test.file, duration: test.duration, err };
}

module.exports = function ThirdPartySuiteReporter(runner, options) {
  const output = options.reporterOption && options.reporterOption.output;
  if (!output) throw new Error("the third-party-suite reporter needs reporterOption.output (a file)");
  const lists = { tests: [], passes: [], failures: [], pending: [] };
  runner.on("test end", (test) => lists.tests.push(entry(test)));
  runner.on("pass", (test) => {
    lists.passes.push(entry(test));
    process.stdout.write("ok      " + test.fullTitle() + "\\n");
  });
  runner.on("fail", (test, error) => {
    if (test.err === undefined) test.err = error;
    lists.failures.push(entry(test));
    process.stdout.write("FAILED  " + test.fullTitle() + "\\n        " + String(error && error.message).split("\\n")[0] + "\\n");
  });
  runner.on("pending", (test) => lists.pending.push(entry(test)));
  runner.once("end", () => {
    const stats = runner.stats || {};
    fs.mkdirSync(path.dirname(output), { recursive: true });
    fs.writeFileSync(output, JSON.stringify({ stats, ...lists }, null, 2));
  });
};
`;

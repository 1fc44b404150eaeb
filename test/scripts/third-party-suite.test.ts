/**
 * The pieces of scripts/third-party-suite.ts that decide what it reports and
 * what it runs (the script itself is opt-in and takes many minutes): the
 * comparison of two mocha JSON reports, the test file selection, and the
 * files it writes into the project (wrapper config, solcjs runner).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { EventEmitter } from "node:events";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import vm from "node:vm";
import { expect } from "chai";

import { compareOutcomes, formatComparison, outcomesOf } from "../../scripts/third-party-suite/compare";
import type { MochaEntry, MochaReport } from "../../scripts/third-party-suite/compare";
import { expandTestPatterns, globToRegExp } from "../../scripts/third-party-suite/globs";
import { JSON_REPORTER, REPORT_ENV, SOLCJS_RUNNER, wrapperConfig } from "../../scripts/third-party-suite/project-files";

const ROOT = "/project";

function entry(fullTitle: string, error?: string, file = "test/A.test.js"): MochaEntry {
  const title = fullTitle.split(" ").pop()!;
  return { title: /hook/.test(fullTitle) ? fullTitle.slice(fullTitle.indexOf('"')) : title, fullTitle, file: `${ROOT}/${file}`, ...(error === undefined ? {} : { err: { message: error } }) };
}

/** A report of tests in the order they ran: a string passed, [title, error] failed (a hook, if its title says so), { skip: title } was pending. */
function report(ran: (string | [string, string] | { skip: string })[]): MochaReport {
  const r: MochaReport = { stats: { tests: 0, passes: 0, failures: 0, pending: 0, duration: 1000 }, tests: [], passes: [], failures: [], pending: [] };
  for (const t of ran) {
    if (typeof t === "string") r.tests.push(r.passes[r.passes.push(entry(t)) - 1]);
    else if (!Array.isArray(t)) r.tests.push(r.pending[r.pending.push(entry(t.skip)) - 1]);
    else {
      const failure = entry(...t);
      r.failures.push(failure);
      // Mocha lists a failing hook among the failures only, not among the tests.
      if (!/hook/.test(t[0])) r.tests.push(failure);
    }
  }
  r.stats = { tests: r.tests.length, passes: r.passes.length, failures: r.failures.length, pending: r.pending.length, duration: 1000 };
  return r;
}

describe("third-party-suite script", function () {
  describe("comparison of the two runs", function () {
    const hardhat = report(["S same", "S random 0x1234abcd5678 1234567 HAh64MVv2HU92YaAVEtY9Xge", "S dup", "S dup", ["S both", "boom"], "S regress", ["S fixed", "hardhat says no"], { skip: "S skipped" }, "H under-hook"]);
    const parallel = report([
      "S same",
      "S random 0xfedcba987654 7654321 2qRoHPphd8sAgRv7KC55fV9U",
      ["S dup", "first dup failed"],
      "S dup",
      ["S both", "boom"],
      ["S regress", "reverted"],
      "S fixed",
      { skip: "S skipped" },
      ['H "before each" hook for "under-hook"', "hook broke"],
    ]);
    const comparison = compareOutcomes(outcomesOf(hardhat, ROOT), outcomesOf(parallel, ROOT));

    it("sorts tests into same outcome and differences grouped by the pair of outcomes", function () {
      // A title with random values (addresses, big numbers) is matched with the values masked.
      expect(comparison.bothPassed).to.deep.equal(["test/A.test.js › S same", "test/A.test.js › S random 0x… … …", "test/A.test.js › S dup [#2]"]);
      expect(comparison.bothPending).to.deep.equal(["test/A.test.js › S skipped"]);
      expect(comparison.bothFailed.map((d) => d.key)).to.deep.equal(["test/A.test.js › S both"]);
      const groups = Object.fromEntries([...comparison.differences].map(([group, list]) => [group, list.map((d) => d.name)]));
      expect(groups).to.deep.equal({
        // The second test of a repeated title is told apart by its order.
        "passed → failed": ["test/A.test.js › S dup", "test/A.test.js › S regress"],
        "passed → not run": ["test/A.test.js › H under-hook"],
        "failed → passed": ["test/A.test.js › S fixed"],
        "not run → hook failed": ['test/A.test.js › H "before each" hook for "under-hook"'],
      });
    });

    it("prints counts, each difference with the failing side's error, and the time ratio", function () {
      const text = formatComparison({ label: "hardhat", wallSeconds: 10, report: hardhat }, { label: "parallel", wallSeconds: 25, report: parallel }, comparison);
      expect(text).to.match(/tests passing\s+6\s+4\n/);
      expect(text).to.contain("time ratio (parallel / hardhat): 2.50x");
      expect(text).to.contain("hardhat: passed → parallel: failed (2)\n  - test/A.test.js › S dup\n      parallel: first dup failed\n  - test/A.test.js › S regress\n      parallel: reverted");
      expect(text).to.contain("hardhat: failed → parallel: passed (1)\n  - test/A.test.js › S fixed\n      hardhat: hardhat says no");
      expect(text).to.contain("Failing on both (1):\n  - test/A.test.js › S both\n      both: boom");
    });
  });

  describe("test file selection", function () {
    let dir: string;
    before(function () {
      dir = mkdtempSync(path.join(os.tmpdir(), "third-party-suite-globs-"));
      for (const f of ["test/a/One.test.js", "test/a/deep/Two.test.ts", "test/a/data.json", "test/b/Three.test.js", "node_modules/x/test/Four.test.js"]) {
        mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        writeFileSync(path.join(dir, f), "");
      }
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("reads globs as path patterns: * within a segment, ** across segments", function () {
      expect(globToRegExp("test/**/*.test.js").test("test/x/y/A.test.js")).to.equal(true);
      expect(globToRegExp("test/**/*.test.js").test("test/A.test.js")).to.equal(true);
      expect(globToRegExp("test/*.js").test("test/x/A.js")).to.equal(false);
      expect(globToRegExp("test/a.js").test("test/abjs")).to.equal(false);
    });

    it("selects files, folders and globs, test files only, outside node_modules, each once", function () {
      expect(expandTestPatterns(dir, ["test/a", "test/**/Three.test.js", "./test/a/One.test.js"])).to.deep.equal(["test/a/One.test.js", "test/a/deep/Two.test.ts", "test/b/Three.test.js"]);
      expect(expandTestPatterns(dir, ["test/**"]).length).to.equal(3);
      expect(() => expandTestPatterns(dir, ["**/Four.test.js"]), "node_modules is never searched").to.throw(/selects no test file/);
    });

    it("refuses a pattern that selects nothing, naming it", function () {
      expect(() => expandTestPatterns(dir, ["test/a", "test/nope/**"])).to.throw(/"test\/nope\/\*\*" selects no test file/);
    });
  });

  describe("files written into the project", function () {
    it("the wrapper config is valid JavaScript that loads the original config and the plugin", function () {
      const text = wrapperConfig("hardhat.config.js");
      expect(() => new vm.Script(text)).not.to.throw();
      expect(text).to.contain('require("./hardhat.config.original")');
      expect(text).to.contain('require("hardhat-parallel");\nrequire("hardhat-parallel/offline-solc");');
      expect(text).to.contain(`process.env.${REPORT_ENV}`);
      expect(text).to.contain('"json-reporter.js"');
      expect(wrapperConfig("hardhat.config.ts")).to.contain('require("./hardhat.config.original")');
    });

    it("the reporter writes mocha's JSON shape even for failures whose values are BigInts", function () {
      const dir = mkdtempSync(path.join(os.tmpdir(), "third-party-suite-reporter-"));
      try {
        writeFileSync(path.join(dir, "reporter.js"), JSON_REPORTER);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const Reporter = require(path.join(dir, "reporter.js")) as new (runner: EventEmitter, options: unknown) => unknown;
        const runner = Object.assign(new EventEmitter(), { stats: { tests: 2, passes: 1, failures: 1, pending: 0, duration: 5 } });
        const output = path.join(dir, "out", "report.json");
        new Reporter(runner, { reporterOption: { output } });
        const test = (title: string) => ({ title, fullTitle: () => `S ${title}`, file: "/p/test/A.test.js", duration: 1, err: undefined as unknown });
        const [ok, bad] = [test("ok"), test("bad")];
        const failure = Object.assign(new Error("expected 1n to equal 2n"), { actual: 1n, expected: 2n });
        const write = process.stdout.write;
        process.stdout.write = (() => true) as typeof process.stdout.write;
        try {
          runner.emit("pass", ok);
          runner.emit("test end", ok);
          runner.emit("fail", bad, failure);
          runner.emit("test end", bad);
          runner.emit("end");
        } finally {
          process.stdout.write = write;
        }
        const written = JSON.parse(readFileSync(output, "utf8")) as MochaReport;
        expect(written.stats.failures).to.equal(1);
        expect(written.tests.map((t) => [t.fullTitle, t.err?.message])).to.deep.equal([["S ok", undefined], ["S bad", "expected 1n to equal 2n"]]);
        expect(written.failures[0].err?.stack).to.contain("expected 1n to equal 2n");
        const comparison = compareOutcomes(outcomesOf(written, "/p"), outcomesOf(written, "/p"));
        expect(comparison.bothFailed.map((d) => d.name)).to.deep.equal(["test/A.test.js › S bad"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("the solcjs runner compiles an input too large for solc-js's own binding", function () {
      this.timeout(60_000);
      const dir = mkdtempSync(path.join(os.tmpdir(), "third-party-suite-solcjs-"));
      try {
        const runner = path.join(dir, "runner.js");
        writeFileSync(runner, SOLCJS_RUNNER);
        // 2 MB of comments: Emscripten copies a string argument of this size past the wasm stack.
        const source = `// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\n${"// padding padding padding padding padding padding padding\n".repeat(36_000)}contract Big { function f() external pure returns (uint256) { return 7; } }\n`;
        const input = JSON.stringify({ language: "Solidity", sources: { "Big.sol": { content: source } }, settings: { outputSelection: { "*": { "*": ["abi"] } } } });
        expect(input.length).to.be.greaterThan(2_000_000);
        const soljson = require.resolve("solc/soljson.js");
        const viaBinding = spawnSync(process.execPath, ["-e", `const s = require("solc"); let t = ""; process.stdin.on("data", (c) => (t += c)).on("end", () => s.compile(t));`], { input, encoding: "utf8" });
        expect(viaBinding.stderr, "solc-js's own binding should still fail on this input; if not, the runner may no longer be needed").to.contain("memory access out of bounds");
        const output = JSON.parse(execFileSync(process.execPath, [runner, soljson], { input, maxBuffer: 64 * 1024 * 1024 }).toString("utf8"));
        expect(output.errors ?? []).to.deep.equal([]);
        expect(output.contracts["Big.sol"].Big.abi[0].name).to.equal("f");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

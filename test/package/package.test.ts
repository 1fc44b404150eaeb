/**
 * The plugin as a user gets it, following the README's recipe as written.
 * `npm pack` builds the package (prepack: compiled JavaScript, type
 * declarations, the bundled contracts' artifacts) and packs it; then, in a
 * temporary folder, the README's commands create a TypeScript Hardhat 2
 * project with the toolbox (every package resolved from the npm registry with
 * the README's pins, npm's cache first; nothing from this repository's
 * lockfile), the README's files are written, and:
 * - the README's commands run there: the tests on Hardhat's network, the same
 *   tests on the parallel network, a short `parallel-bench`; compilation goes
 *   through the package's opt-in offline compiler (CI cannot download solc);
 * - the README's TypeScript type-checks with the README's tsconfig;
 * - the package's subpath exports load, and its engine runs worker threads
 *   from the compiled code.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";

import { readChecksRecipe, readRecipe, type Recipe } from "./sample-project";

const ROOT = path.resolve(__dirname, "..", "..");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

/** Runs a command; returns its standard output, or throws with the tail of both streams. */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): string {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`\`${cmd} ${args.join(" ")}\` in ${cwd} exited with ${r.status}:\n${`${r.stdout ?? ""}${r.stderr ?? ""}`.slice(-6000)}`);
  return r.stdout;
}

/** Runs a README command line as a user's shell would. */
function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): string {
  return run("bash", ["-euo", "pipefail", "-c", script], cwd, env);
}

/** The version of a package installed in `project`. */
function installed(project: string, pkg: string): string {
  return (JSON.parse(readFileSync(path.join(project, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
}

describe("npm package: a user's project built by the README's recipe", function () {
  this.timeout(15 * 60_000);
  let dir: string;
  let project: string;
  let recipe: Recipe;
  const timings: string[] = [];
  // The sample must not inherit this run's network switch or ts-node settings:
  // only its own config and the README's commands decide. npm settings come
  // through the environment so the README's commands run unchanged.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HARDHAT_PARALLEL: undefined,
    TS_NODE_PROJECT: undefined,
    TS_NODE_TRANSPILE_ONLY: undefined,
    npm_config_prefer_offline: "true",
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
  };

  /** Runs `fn`, noting how long it took for the summary printed at the end. */
  function timed<T>(what: string, fn: () => T): T {
    const started = Date.now();
    try {
      return fn();
    } finally {
      timings.push(`${what} ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  }

  /** The README's run command that starts with `prefix` (exactly one). */
  function command(prefix: string): string {
    const found = recipe.run.filter((line) => line === prefix || line.startsWith(`${prefix} `));
    if (found.length !== 1) throw new Error(`expected one README command "${prefix} ..." to run in the project, found ${found.length}: ${recipe.run.join(" | ")}`);
    return found[0];
  }

  /** `it(` calls in the README's test files: how many tests must pass. */
  function testsInRecipe(): number {
    return recipe.files.filter((f) => f.path.startsWith("test/")).reduce((n, f) => n + (f.content.match(/^\s*it\(/gm) ?? []).length, 0);
  }

  before(function () {
    recipe = readRecipe();
    dir = mkdtempSync(path.join(os.tmpdir(), "hardhat-parallel-pack-"));
    project = path.join(dir, recipe.project);

    // The tarball goes where the README's install expects it, relative to the project.
    const tarballDir = path.resolve(project, path.dirname(recipe.tarball));
    mkdirSync(tarballDir, { recursive: true });
    timed("npm pack (build included)", () => run(NPM, ["pack", "--pack-destination", tarballDir], ROOT, env));
    const packed = readdirSync(tarballDir).filter((f) => f.endsWith(".tgz"));
    expect(packed, `the README installs ${recipe.tarball}; npm pack wrote ${packed.join(", ")}: update the README`).to.deep.equal([path.basename(recipe.tarball)]);

    timed("README project creation (npm init, npm install)", () => bash(recipe.create, dir, env));
    for (const file of recipe.files) {
      mkdirSync(path.dirname(path.join(project, file.path)), { recursive: true });
      writeFileSync(path.join(project, file.path), file.content);
    }
  });

  after(function () {
    console.log(`      times: ${timings.join("; ")}`);
    if (dir !== undefined && process.env.KEEP_SAMPLE_PROJECT === undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("installs the README's pins fresh: Hardhat 2, toolbox 6.1, TypeScript 5", function () {
    const versions = ["hardhat", "@nomicfoundation/hardhat-toolbox", "typescript", "ts-node", "@types/node", "chai", "ethers", "solc", "hardhat-parallel"].map((p) => `${p}@${installed(project, p)}`);
    console.log(`      resolved: ${versions.join(" ")}`);
    expect(installed(project, "typescript")).to.match(/^5\./, "ts-node, which Hardhat 2 runs TypeScript with, fails under TypeScript 7");
    expect(installed(project, "hardhat")).to.match(/^2\./);
    expect(installed(project, "@nomicfoundation/hardhat-toolbox")).to.match(/^6\./);
    // No lockfile was copied in: npm wrote the project's own.
    expect(readFileSync(path.join(project, "package-lock.json"), "utf8")).not.to.equal(readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
  });

  it("ships compiled JavaScript, type declarations and the bundled contracts, not the sources", function () {
    const pkg = path.join(project, "node_modules", "hardhat-parallel");
    const manifest = JSON.parse(readFileSync(path.join(pkg, "package.json"), "utf8")) as { peerDependencies: Record<string, string> };
    expect(Object.keys(manifest.peerDependencies).sort()).to.deep.equal(["ethers", "hardhat"]);
    for (const file of ["dist/plugin/index.js", "dist/plugin/index.d.ts", "dist/plugin/offline-solc.js", "dist/plugin/offline-solc.d.ts", "dist/plugin/engine/worker-entry.js", "dist/plugin/engine/worker.js", "dist/bundled-artifacts/AmmRouter.json"]) {
      expect(() => readFileSync(path.join(pkg, file)), file).not.to.throw();
    }
    expect(() => readFileSync(path.join(pkg, "plugin/index.ts"))).to.throw();
    const loaded = run(process.execPath, ["-e", 'const e = require("hardhat-parallel/engine"); const w = require("hardhat-parallel/workloads"); console.log(typeof e.executeBlock, w.PRESET_NAMES.join(","))'], project, env);
    expect(loaded).to.contain("function transfers,amm");
  });

  it("runs only the README commands this test checks", function () {
    // A command added to the README needs a check here, or it would go untested.
    expect(recipe.run.map((line) => line.split(" --")[0])).to.deep.equal(["npx hardhat test", "HARDHAT_PARALLEL=1 npx hardhat test", "npx hardhat parallel-bench", "npx hardhat parallel-conflicts"]);
  });

  it("`npx hardhat test`: compiles offline and passes on Hardhat's network", function () {
    const out = timed("npx hardhat test", () => bash(command("npx hardhat test"), project, env));
    expect(out).to.match(/Compiled \d+ Solidity files? successfully/);
    expect(out).to.contain(`${testsInRecipe()} passing`);
    expect(out).not.to.match(/failing|hardhat-parallel/);
  });

  it("`HARDHAT_PARALLEL=1 npx hardhat test`: the same tests pass on the parallel network, its block in parallel", function () {
    const out = timed("HARDHAT_PARALLEL=1 npx hardhat test", () => bash(command("HARDHAT_PARALLEL=1 npx hardhat test"), project, env));
    expect(out).to.contain(`${testsInRecipe()} passing`);
    expect(out).not.to.match(/failing/);
    expect(out).to.match(/\d+ txs ran parallel on \d+ workers/);
  });

  it("`npx hardhat parallel-bench`: runs on the shipped contracts, every run verified", function () {
    const line = command("npx hardhat parallel-bench");
    const out = timed("npx hardhat parallel-bench", () => bash(line, project, env));
    const txs = /--txs (\d+)/.exec(line)?.[1];
    for (const workload of (/--workload (\S+)/.exec(line)?.[1] ?? "").split(",")) {
      expect(out).to.match(new RegExp(`\\| ${workload} +\\| ${txs} `), workload);
    }
    expect(out).to.contain("| yes");
    expect(out).not.to.match(/\| no\b/);
  });

  it("`npx hardhat parallel-conflicts`: names a bundled workload's hotspots from the layouts the package ships", function () {
    const out = timed("npx hardhat parallel-conflicts", () => bash(command("npx hardhat parallel-conflicts"), project, env));
    expect(out).to.match(/\| 1 +\| AmmPair\.reserve0 \(slot 0x\w+, packed with reserve1 and blockTimestampLast\) +\| amm-reserves/);
  });

  it("the README's parallel-friendliness checks: matchers, the reporter's JSON, the baseline, and a worsened contract failing the check", function () {
    const checks = readChecksRecipe();
    expect(checks.run.map((line) => line.split(" --")[0])).to.deep.equal(["HARDHAT_PARALLEL=1 HARDHAT_PARALLEL_REPORT=1 npx hardhat test", "npx hardhat parallel-baseline", "npx hardhat parallel-baseline"]);
    for (const file of checks.files) writeFileSync(path.join(project, file.path), file.content);
    const [testRun, write, check] = checks.run;
    const tests = [...recipe.files, ...checks.files].filter((f) => f.path.startsWith("test/")).reduce((n, f) => n + (f.content.match(/^\s*it\(/gm) ?? []).length, 0);

    const out = timed("tests with the reporter", () => bash(testRun, project, env));
    expect(out).to.contain(`${tests} passing`);
    expect(out).to.match(/\| Points\.transfer +\| 12 +\| 0 +\| 0\.0% +\|/);
    const report = JSON.parse(readFileSync(path.join(project, "parallel-report.json"), "utf8"));
    expect(report).to.include({ schemaVersion: 1, network: "parallel" });
    const transfer = report.functions.find((f: { function: string }) => f.function === "Points.transfer");
    expect(transfer).to.deep.equal({ function: "Points.transfer", calls: 12, inConflict: 0, conflictShare: 0, variables: [] });
    const batch = report.batches.find((b: { test: string }) => b.test === "Points runs transfers between different accounts in parallel");
    expect(batch).to.include({ txs: 10, dependentTxs: 0 });
    expect(batch.idealSpeedup).to.be.closeTo(10, 0.01); // ten independent transfers (gas differs by a few units)
    const pairs = report.pairs.find((p: { earlier: string; later: string }) => p.earlier === "Points.transfer" && p.later === "Points.transfer");
    expect(pairs).to.include({ conflicts: 0 });
    expect(pairs.pairs).to.equal(1 + 45);

    timed("parallel-baseline", () => bash(write, project, env));
    const baseline = JSON.parse(readFileSync(path.join(project, "parallel-baseline.json"), "utf8"));
    expect(baseline.functions["Points.transfer"]).to.deep.equal({ calls: 12, conflictShare: 0, variables: [] });
    expect(timed("parallel-baseline --check", () => bash(check, project, env))).to.contain("**Parallel-friendliness: no regression**");

    // The README's worsened contract: a global counter in transfer.
    const sol = path.join(project, "contracts", "Points.sol");
    const worsened = readFileSync(sol, "utf8")
      .replace("mapping(address => uint256) public balanceOf;", "mapping(address => uint256) public balanceOf;\n    uint256 public transfers;")
      .replace("balanceOf[to] += amount;\n    }\n}", "balanceOf[to] += amount;\n        transfers += 1;\n    }\n}");
    expect(worsened).to.contain("transfers += 1;");
    writeFileSync(sol, worsened);
    const r = spawnSync("bash", ["-euo", "pipefail", "-c", check], { cwd: project, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const failed = `${r.stdout}${r.stderr}`;
    expect(r.status, failed.slice(-3000)).to.not.equal(0);
    expect(failed).to.match(/expected the batch of 10 txs to be conflict-free, but 9 depend on an earlier one; hotspots: Points\.transfers/);
    expect(failed).to.contain("1 failing");
    expect(failed).to.contain("| worse |");
    // What the README shows of it is what the check prints.
    const shown = /Add a global counter[\s\S]*?```text\n([\s\S]*?)```/.exec(readFileSync(path.join(ROOT, "README.md"), "utf8"))![1];
    for (const line of shown.trim().split("\n")) expect(failed).to.contain(line);
  });

  it("the README's TypeScript type-checks with the README's tsconfig", function () {
    // ts-node only transpiles under Hardhat; an editor shows what tsc does.
    timed("npx tsc --noEmit", () => run("npx", ["tsc", "--noEmit", "-p", "."], project, env));
  });

  it("its engine executes a block in worker threads from the compiled code", function () {
    // The engine's own entry, outside Hardhat: a workload block through 2 workers equals sequential execution.
    const script = `
      const { ParallelExecutor, executeBlockSequential, firstDifference } = require("hardhat-parallel/engine");
      const { generateWorkload, prepareWorkloadOnEngine, shippedArtifactReader } = require("hardhat-parallel/workloads");
      (async () => {
        const w = prepareWorkloadOnEngine(generateWorkload("amm", { txs: 24, accounts: 60 }, shippedArtifactReader()));
        const seq = await executeBlockSequential(await w);
        const ex = new ParallelExecutor({ workers: 2, minTxsForParallel: 1 });
        const par = await ex.executeBlock(await w);
        await ex.close();
        console.log(par.stats.mode, firstDifference(par, seq)?.description ?? "identical");
      })().catch((e) => { console.error(e); process.exit(1); });`;
    expect(run(process.execPath, ["-e", script], project, env).trim().split("\n").pop()).to.equal("parallel identical");
  });
});

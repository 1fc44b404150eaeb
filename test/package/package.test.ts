/**
 * The plugin as a user gets it. `npm pack` builds the package (prepack:
 * compiled JavaScript, type declarations, the bundled contracts' artifacts)
 * and packs it; a sample Hardhat 2 project with hardhat-toolbox, created in
 * a temporary folder, installs the tarball (everything else from the npm
 * registry, the local cache first), and then:
 * - its toolbox tests pass on the parallel network, turned on by one import
 *   and `parallel: { enabled: true }` in its config;
 * - `npx hardhat parallel-bench` runs there on the shipped artifacts;
 * - the package's subpath exports load.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";

import { SAMPLE_CONFIG, SAMPLE_CONTRACT, SAMPLE_SOLC, SAMPLE_TEST } from "./sample-project";

const ROOT = path.resolve(__dirname, "..", "..");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

/** Runs a command; returns its standard output, or throws with the tail of both streams. */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`\`${cmd} ${args.join(" ")}\` in ${cwd} exited with ${r.status}:\n${`${r.stdout ?? ""}${r.stderr ?? ""}`.slice(-6000)}`);
  return r.stdout;
}

/** Versions this repository's lockfile installed, so the sample resolves the same ones (and hits the npm cache). */
function installedVersion(pkg: string): string {
  return (JSON.parse(readFileSync(path.join(ROOT, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
}

describe("npm package: installed into a sample Hardhat project", function () {
  this.timeout(15 * 60_000);
  let dir: string;
  let project: string;
  // The sample must not inherit this run's network switch: its config alone turns the plugin on.
  const env = { ...process.env, HARDHAT_PARALLEL: undefined, TS_NODE_PROJECT: undefined, TS_NODE_TRANSPILE_ONLY: undefined };

  before(function () {
    dir = mkdtempSync(path.join(os.tmpdir(), "hardhat-parallel-pack-"));
    const packed = run(NPM, ["pack", "--pack-destination", dir, "--json"], ROOT, env);
    // prepack's build output comes first on stdout, the JSON report last.
    const tarball = path.join(dir, (JSON.parse(packed.slice(packed.lastIndexOf("\n[") + 1)) as { filename: string }[])[0].filename);

    project = path.join(dir, "sample");
    mkdirSync(path.join(project, "contracts"), { recursive: true });
    mkdirSync(path.join(project, "test"), { recursive: true });
    const toolbox = JSON.parse(readFileSync(path.join(ROOT, "node_modules/@nomicfoundation/hardhat-toolbox/package.json"), "utf8")) as { peerDependencies: Record<string, string> };
    const devDependencies: Record<string, string> = { "@nomicfoundation/hardhat-toolbox": installedVersion("@nomicfoundation/hardhat-toolbox"), solc: SAMPLE_SOLC, "hardhat-parallel": `file:${tarball}` };
    for (const peer of Object.keys(toolbox.peerDependencies)) {
      try {
        devDependencies[peer] = installedVersion(peer);
      } catch {
        devDependencies[peer] = toolbox.peerDependencies[peer]; // not installed here: npm resolves the range
      }
    }
    writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "hardhat-parallel-sample", version: "1.0.0", private: true, devDependencies }, null, 2));
    writeFileSync(path.join(project, "hardhat.config.ts"), SAMPLE_CONFIG);
    writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "es2020", module: "commonjs", esModuleInterop: true, strict: true, skipLibCheck: true, resolveJsonModule: true } }));
    writeFileSync(path.join(project, "contracts", "Jar.sol"), SAMPLE_CONTRACT);
    writeFileSync(path.join(project, "test", "Jar.ts"), SAMPLE_TEST);
    run(NPM, ["install", "--prefer-offline", "--no-audit", "--no-fund"], project, env);
  });

  after(function () {
    if (dir !== undefined && process.env.KEEP_SAMPLE_PROJECT === undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("ships compiled JavaScript, type declarations and the bundled contracts, not the sources", function () {
    const pkg = path.join(project, "node_modules", "hardhat-parallel");
    const manifest = JSON.parse(readFileSync(path.join(pkg, "package.json"), "utf8")) as { peerDependencies: Record<string, string> };
    expect(Object.keys(manifest.peerDependencies).sort()).to.deep.equal(["ethers", "hardhat"]);
    for (const file of ["dist/plugin/index.js", "dist/plugin/index.d.ts", "dist/plugin/engine/worker-entry.js", "dist/plugin/engine/worker.js", "dist/bundled-artifacts/AmmRouter.json"]) {
      expect(() => readFileSync(path.join(pkg, file)), file).not.to.throw();
    }
    expect(() => readFileSync(path.join(pkg, "plugin/index.ts"))).to.throw();
    const loaded = run(process.execPath, ["-e", 'const e = require("hardhat-parallel/engine"); const w = require("hardhat-parallel/workloads"); console.log(typeof e.executeBlock, w.PRESET_NAMES.join(","))'], project, env);
    expect(loaded).to.contain("function transfers,amm");
  });

  it("runs the project's toolbox tests on the parallel network", function () {
    const out = run("npx", ["hardhat", "test"], project, env);
    expect(out).to.match(/5 passing/);
    expect(out).not.to.match(/failing/);
  });

  it("runs parallel-bench on the shipped contracts", function () {
    const out = run("npx", ["hardhat", "parallel-bench", "--workload", "transfers", "--txs", "40", "--accounts", "200", "--workers", "2", "--repeats", "1", "--skip-stock"], project, env);
    expect(out).to.match(/\| transfers +\| 40 /);
    expect(out).to.contain("| yes");
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

/**
 * Runs a third-party Hardhat 2 project's own test suite, unchanged, on
 * Hardhat's network and on the parallel network, and compares the outcomes.
 * Opt-in (long, needs the npm registry): not part of `npm test` or CI.
 *
 *   TS_NODE_TRANSPILE_ONLY=1 npx ts-node scripts/third-party-suite.ts <project> [test patterns...] [options]
 *
 * In a copy of the project (a temporary folder, or --work DIR):
 *  1. `npm ci` from the project's own lockfile;
 *  2. reads the project's Solidity version from its resolved config;
 *  3. installs this plugin from a tarball (`npm pack` of this repository, or
 *     --tarball) and the npm `solc` package of that version (offline compiling);
 *  4. wraps the project's hardhat config: the project's config, then
 *     require("hardhat-parallel") and require("hardhat-parallel/offline-solc")
 *     (scripts/third-party-suite/project-files.ts);
 *  5. compiles once, then runs `hardhat test --no-compile <files>` with
 *     HARDHAT_PARALLEL=0 and with HARDHAT_PARALLEL=1, mocha's JSON reporter
 *     writing each run's results;
 *  6. prints the comparison: counts per network, every test whose outcome
 *     differs with its error, the tests failing on both, the wall times and
 *     their ratio (and writes it all as JSON with --out).
 *
 * With --work DIR, a folder this script prepared before is reused as it is
 * (steps 1-5's install and compile are skipped): rerun other tests cheaply.
 * Exit code: 0 when no test's outcome differs, 1 when some do, 2 when the
 * script could not get that far.
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { compareOutcomes, formatComparison, outcomesOf } from "./third-party-suite/compare";
import type { MochaReport, RunSummary } from "./third-party-suite/compare";
import { expandTestPatterns } from "./third-party-suite/globs";
import { JSON_REPORTER, REPORTER_FILE, REPORT_ENV, RUNNER_FILE, SOLCJS_RUNNER, WORK_DIR, originalConfigName, wrapperConfig } from "./third-party-suite/project-files";

const ROOT = path.resolve(__dirname, "..");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
const NPX = process.platform === "win32" ? "npx.cmd" : "npx";
const CONFIG_FILES = ["hardhat.config.ts", "hardhat.config.cjs", "hardhat.config.js"];
/** Marks a prepared copy (installed, patched, compiled), for --work reuse. */
const PREPARED = "prepared.json";

const USAGE = `Usage: TS_NODE_TRANSPILE_ONLY=1 npx ts-node scripts/third-party-suite.ts <project> [test patterns...] [options]

  <project>          a Hardhat 2 project's folder (with package-lock.json); it is copied, never changed
  [test patterns]    test files, folders or globs (*, **, ?) relative to the project; default: all its tests
  --work DIR         prepare the copy in DIR (kept); if DIR was prepared before, reuse it as it is
  --keep             keep the temporary copy (always kept with --work)
  --tarball FILE     install this hardhat-parallel tarball instead of running \`npm pack\` here
  --only hardhat|parallel   run on one network only (no comparison)
  --max-minutes N    stop a run after N minutes (default 60)
  --out FILE         also write the comparison as JSON`;

interface Options {
  project: string;
  patterns: string[];
  work?: string;
  keep: boolean;
  tarball?: string;
  only?: "hardhat" | "parallel";
  maxMinutes: number;
  out?: string;
}

function parseOptions(argv: string[]): Options {
  const options: Partial<Options> & { patterns: string[]; keep: boolean; maxMinutes: number } = { patterns: [], keep: false, maxMinutes: 60 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) fail(`${arg} needs a value.\n\n${USAGE}`);
      return v;
    };
    if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else if (arg === "--work") options.work = path.resolve(value());
    else if (arg === "--keep") options.keep = true;
    else if (arg === "--tarball") options.tarball = path.resolve(value());
    else if (arg === "--out") options.out = path.resolve(value());
    else if (arg === "--only") {
      const v = value();
      if (v !== "hardhat" && v !== "parallel") fail(`--only takes "hardhat" or "parallel", got "${v}"`);
      options.only = v;
    } else if (arg === "--max-minutes") {
      const v = Number(value());
      if (!(v > 0)) fail(`--max-minutes takes a positive number of minutes`);
      options.maxMinutes = v;
    } else if (arg.startsWith("--")) fail(`Unknown option ${arg}.\n\n${USAGE}`);
    else if (options.project === undefined) options.project = path.resolve(arg);
    else options.patterns.push(arg);
  }
  if (options.project === undefined) fail(`Name the project's folder.\n\n${USAGE}`);
  return options as Options;
}

class ScriptError extends Error {}

function fail(message: string): never {
  throw new ScriptError(message);
}

/** The environment of every command in the copy: nothing of this run's network switch or ts-node settings. */
const ENV: NodeJS.ProcessEnv = {
  ...process.env,
  HARDHAT_PARALLEL: undefined,
  TS_NODE_PROJECT: undefined,
  TS_NODE_TRANSPILE_ONLY: undefined,
  TS_NODE_FILES: undefined,
  [REPORT_ENV]: undefined,
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
};

/** Runs a command to completion; returns its output or fails with its tail. */
function run(cmd: string, args: string[], cwd: string, what: string): string {
  const started = Date.now();
  process.stdout.write(`- ${what}: ${cmd} ${args.join(" ")} ... `);
  const r = spawnSync(cmd, args, { cwd, env: ENV, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  if (r.status !== 0) {
    console.log("failed");
    fail(`${what} failed (\`${cmd} ${args.join(" ")}\` in ${cwd} exited with ${r.status ?? r.signal}):\n${output.slice(-6000)}`);
  }
  console.log(`${((Date.now() - started) / 1000).toFixed(1)} s`);
  return output;
}

function installedVersion(project: string, pkg: string): string | undefined {
  const manifest = path.join(project, "node_modules", pkg, "package.json");
  return existsSync(manifest) ? (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version : undefined;
}

function configFileOf(project: string): string {
  const found = CONFIG_FILES.filter((f) => existsSync(path.join(project, f)));
  if (found.length === 0) fail(`${project} has no hardhat.config.{ts,cjs,js}: is it a Hardhat 2 project's root folder?`);
  return found[0];
}

/** The Solidity versions of the project's resolved config (compilers and overrides). */
function solidityVersions(project: string): string[] {
  const probe = path.join(WORK_DIR, "solidity-versions.js");
  writeFileSync(
    path.join(project, probe),
    `const { config } = require("hardhat");
const versions = [...config.solidity.compilers, ...Object.values(config.solidity.overrides)].map((c) => c.version);
console.log("SOLIDITY_VERSIONS " + JSON.stringify([...new Set(versions)]));
`,
  );
  const out = run(NPX, ["hardhat", "run", "--no-compile", probe], project, "read the project's Solidity version");
  const line = /^SOLIDITY_VERSIONS (.*)$/m.exec(out);
  if (line === null) fail(`Could not read the Solidity versions of ${project}'s config:\n${out.slice(-3000)}`);
  return JSON.parse(line[1]) as string[];
}

/** Packs this repository (prepack builds dist/) into `dir`; returns the tarball's path. */
function packPlugin(dir: string): string {
  mkdirSync(dir, { recursive: true });
  run(NPM, ["pack", "--pack-destination", dir], ROOT, "npm pack hardhat-parallel (build included)");
  const tarballs = readdirSync(dir).filter((f) => f.endsWith(".tgz"));
  if (tarballs.length !== 1) fail(`npm pack wrote ${tarballs.length} tarballs into ${dir}: ${tarballs.join(", ")}`);
  return path.join(dir, tarballs[0]);
}

interface Prepared {
  configFile: string;
  solidity: string;
  hardhatFromLockfile: string;
  hardhat: string;
  plugin: string;
  compileSeconds: number;
}

/** Copies, installs, patches and compiles the project in `work`. */
function prepare(options: Options, work: string): Prepared {
  const source = options.project;
  if (!existsSync(path.join(source, "package-lock.json"))) {
    fail(`${source} has no package-lock.json: this script installs the project's dependencies with \`npm ci\` from its own lockfile`);
  }
  const configFile = configFileOf(source);
  console.log(`Preparing ${source} in ${work}`);
  // The project's sources only: its installed packages and build output are made anew.
  cpSync(source, work, {
    recursive: true,
    filter: (from) => {
      const name = path.basename(from);
      if (name === "node_modules") return false;
      return path.dirname(from) !== source || ![".git", "artifacts", "cache", WORK_DIR].includes(name);
    },
  });
  mkdirSync(path.join(work, WORK_DIR), { recursive: true });

  run(NPM, ["ci"], work, "install the project's dependencies from its lockfile");
  const hardhatFromLockfile = installedVersion(work, "hardhat");
  if (hardhatFromLockfile === undefined || !hardhatFromLockfile.startsWith("2.")) {
    fail(`${source} installs hardhat ${hardhatFromLockfile ?? "(none)"}; the plugin runs on Hardhat 2 projects`);
  }
  const versions = solidityVersions(work);
  if (versions.length !== 1) {
    fail(
      `${source}'s config compiles with Solidity ${versions.join(", ")}; the offline compiler (the npm "solc" package) ships one version. ` +
        `Set one version for this run, e.g. through the project's own environment switches if it has any.`,
    );
  }
  const [solidity] = versions;

  const tarball = options.tarball ?? packPlugin(path.join(work, WORK_DIR, "pack"));
  // The plugin's peer range (hardhat ^2.29) may move the project's Hardhat up; reported below.
  run(NPM, ["install", "--save-dev", "--save-exact", tarball, `solc@${solidity}`], work, "install hardhat-parallel and the offline compiler");

  renameSync(path.join(work, configFile), path.join(work, originalConfigName(configFile)));
  writeOwnFiles(work, configFile);

  const started = Date.now();
  run(NPX, ["hardhat", "compile"], work, "compile (offline, once for both runs)");
  const prepared: Prepared = {
    configFile,
    solidity,
    hardhatFromLockfile,
    hardhat: installedVersion(work, "hardhat")!,
    plugin: installedVersion(work, "hardhat-parallel")!,
    compileSeconds: (Date.now() - started) / 1000,
  };
  writeFileSync(path.join(work, WORK_DIR, PREPARED), JSON.stringify(prepared, null, 2));
  return prepared;
}

/** The wrapper config, the solcjs runner and the reporter; written again on reuse, so a prepared copy gets this script's current ones. */
function writeOwnFiles(work: string, configFile: string): void {
  writeFileSync(path.join(work, configFile), wrapperConfig(configFile));
  writeFileSync(path.join(work, WORK_DIR, RUNNER_FILE), SOLCJS_RUNNER);
  writeFileSync(path.join(work, WORK_DIR, REPORTER_FILE), JSON_REPORTER);
}

interface TestRun {
  summary: RunSummary;
  log: string;
}

/** `hardhat test --no-compile <files>` on one network; mocha's JSON report read back. */
async function runTests(work: string, network: "hardhat" | "parallel", files: string[], maxMinutes: number): Promise<TestRun> {
  const report = path.join(work, WORK_DIR, `${network}.json`);
  const log = path.join(work, WORK_DIR, `${network}.log`);
  rmSync(report, { force: true });
  const args = ["hardhat", "test", "--no-compile", ...files];
  const env = { ...ENV, HARDHAT_PARALLEL: network === "parallel" ? "1" : "0", [REPORT_ENV]: report };
  console.log(`- ${network === "parallel" ? "the parallel network" : "Hardhat's network"} (HARDHAT_PARALLEL=${env.HARDHAT_PARALLEL}): npx hardhat test --no-compile <${files.length || "all"} files>, log ${log}`);
  const started = Date.now();
  const exit = await new Promise<string>((resolve) => {
    const child = spawn(NPX, args, { cwd: work, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const out = createWriteStream(log);
    child.stdout.pipe(out);
    child.stderr.pipe(out);
    const timer = setTimeout(
      () => {
        out.write(`\n[third-party-suite] stopped after ${maxMinutes} minutes\n`);
        // The whole process group: npx, hardhat and anything they started.
        process.kill(-child.pid!, "SIGKILL");
      },
      maxMinutes * 60_000,
    );
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve(signal === null ? `exit code ${code}` : `signal ${signal}`);
    });
  });
  const wallSeconds = (Date.now() - started) / 1000;
  if (!existsSync(report)) {
    const tail = readFileSync(log, "utf8").slice(-4000);
    fail(`The run on ${network} ended (${exit}, ${wallSeconds.toFixed(0)} s) without mocha's report ${report}: it crashed or was stopped. End of its log (${log}):\n${tail}`);
  }
  const parsed = JSON.parse(readFileSync(report, "utf8")) as MochaReport;
  console.log(`  ${wallSeconds.toFixed(1)} s, ${exit}: ${parsed.stats.passes} passing, ${parsed.stats.failures} failing, ${parsed.stats.pending} pending`);
  return { summary: { label: network, wallSeconds, report: parsed }, log };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (!existsSync(options.project)) fail(`No such folder: ${options.project}`);
  const work = options.work ?? mkdtempSync(path.join(os.tmpdir(), "third-party-suite-"));
  const keep = options.keep || options.work !== undefined;
  const preparedFile = path.join(work, WORK_DIR, PREPARED);
  try {
    let prepared: Prepared;
    if (existsSync(preparedFile)) {
      prepared = JSON.parse(readFileSync(preparedFile, "utf8")) as Prepared;
      console.log(`Reusing ${work}, prepared before (remove it to prepare anew)`);
      writeOwnFiles(work, prepared.configFile);
    } else {
      if (existsSync(work) && readdirSync(work).length > 0) fail(`--work ${work} is not empty and was not prepared by this script: name a new or empty folder`);
      prepared = prepare(options, work);
    }
    console.log(
      `Project: Hardhat ${prepared.hardhat}${prepared.hardhat !== prepared.hardhatFromLockfile ? ` (${prepared.hardhatFromLockfile} in its lockfile; moved up by the plugin's peer range)` : ""}, ` +
        `Solidity ${prepared.solidity} (npm solc), hardhat-parallel ${prepared.plugin}; compiled in ${prepared.compileSeconds.toFixed(0)} s`,
    );

    const files = options.patterns.length === 0 ? [] : expandTestPatterns(work, options.patterns);
    if (files.length > 0) console.log(`Test files (${files.length}): ${files.join(" ")}`);
    const networks = options.only === undefined ? (["hardhat", "parallel"] as const) : ([options.only] as const);
    const runs: TestRun[] = [];
    for (const network of networks) runs.push(await runTests(work, network, files, options.maxMinutes));
    if (runs.length < 2) return 0;

    const [hardhat, parallel] = runs.map((r) => r.summary);
    const comparison = compareOutcomes(outcomesOf(hardhat.report, work), outcomesOf(parallel.report, work));
    console.log("");
    console.log("hardhat = HARDHAT_PARALLEL=0 (Hardhat's network, EDR); parallel = HARDHAT_PARALLEL=1 (the parallel network)");
    console.log(formatComparison(hardhat, parallel, comparison));
    if (options.out !== undefined) {
      const json = {
        project: options.project,
        prepared,
        files,
        wallSeconds: { hardhat: hardhat.wallSeconds, parallel: parallel.wallSeconds },
        stats: { hardhat: hardhat.report.stats, parallel: parallel.report.stats },
        bothPassed: comparison.bothPassed.length,
        bothPending: comparison.bothPending.length,
        bothFailed: comparison.bothFailed,
        differences: Object.fromEntries(comparison.differences),
      };
      writeFileSync(options.out, JSON.stringify(json, null, 2));
      console.log(`\nWritten: ${options.out}`);
    }
    return comparison.differences.size === 0 ? 0 : 1;
  } finally {
    if (keep) console.log(`The project copy, logs and reports stay in ${work} (${WORK_DIR}/)`);
    else rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof ScriptError ? `\n${e.message}` : e);
    process.exit(2);
  },
);

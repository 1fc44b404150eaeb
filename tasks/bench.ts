/**
 * `npx hardhat parallel-bench`: a thin wrapper over runBench
 * (plugin/bench/bench.ts). Parses and validates the arguments and the output
 * paths (before any work), compiles the bundled contracts when running from
 * the sources, prints the tables (plugin/bench/bench-text.ts) and optionally
 * writes JSON and HTML.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";

import { BENCH_WORKLOADS, DEFAULT_BENCH_WORKLOADS, RUN_SIZES, defaultTxs, runBench } from "../plugin/bench/bench";
import { renderBench, wrap } from "../plugin/bench/bench-text";
import { benchEnvironment, describeMachine } from "../plugin/bench/environment";
import { workersBeyondCores } from "../plugin/bench/warnings";
import { checkOutputPaths } from "../plugin/hardhat/output-paths";
import type { BenchReport, BenchWorkload } from "../plugin/bench/bench";
import { pluginError } from "../plugin/hardhat/errors";
import { PRESET_NAMES, WorkloadParameterError } from "../plugin/workloads";
import type { ArtifactReader, PresetName } from "../plugin/workloads";
import { largeProject } from "../plugin/bench/large-project";
import { runNetworkBench } from "../plugin/bench/network-bench";
import type { NetworkBenchReport } from "../plugin/bench/network-bench";
import os from "node:os";
import type { BenchTaskArgs } from "../plugin/hardhat/task-args";
import { parseWorkerList } from "../plugin/hardhat/parse-args";
import { table } from "../plugin/hardhat/text-table";
import { writeHtmlReport, writeJsonReport } from "../plugin/hardhat/report-files";
import { renderBenchHtml } from "../plugin/analysis/html/bench-html";
import { bundledArtifacts } from "../plugin/hardhat/workload-artifacts";

export async function benchAction(args: BenchTaskArgs, hre: HardhatRuntimeEnvironment): Promise<BenchReport | NetworkBenchReport> {
  const workers = parseWorkerList(args.workers, "--workers");
  if (args.html !== undefined && args.vsHardhat) throw pluginError("--html draws the engine benchmark's speedups against workers; --vs-hardhat has no such chart. Drop one of the two.");
  if (args.txs !== undefined && (!Number.isInteger(args.txs) || args.txs < 1 || args.txs > 100_000)) {
    throw pluginError(`--txs must be an integer from 1 to 100000, got ${args.txs}. Example: npx hardhat parallel-bench --txs 2000`);
  }
  if (args.repeats !== undefined && (!Number.isInteger(args.repeats) || args.repeats < 1 || args.repeats > 50)) {
    throw pluginError(`--repeats must be an integer from 1 to 50, got ${args.repeats}. Example: npx hardhat parallel-bench --repeats 7`);
  }
  // --vs-hardhat also knows "ordinary": a test suite's one-transaction blocks (plugin/bench/ordinary-tests.ts).
  const names = args.workload.split(",").map((s) => s.trim());
  const ordinary = args.vsHardhat && (args.workload === "default" || names.includes(ORDINARY));
  const rest = names.filter((n) => n !== ORDINARY).join(",");
  const workloads = args.vsHardhat && rest === "" ? [] : parseWorkloads(args.vsHardhat ? rest : args.workload);
  const largestBlock = Math.max(0, ...workloads.map((w) => args.txs ?? defaultTxs(w)));
  if (!Number.isInteger(args.accounts) || args.accounts < 2 * largestBlock) {
    throw pluginError(`--accounts must be an integer of at least twice the block size (${2 * largestBlock}) so every transaction has its own sender and a distinct counterparty, got ${args.accounts}.`);
  }

  // Before any work: a run of minutes that cannot write its report at the end is lost.
  checkOutputPaths({ "--json": args.json, "--html": args.html });

  if (args.vsHardhat) return networkBenchAction(args, hre, workloads, await bundledArtifacts(hre), ordinary);
  const size = args.full ? RUN_SIZES.full : RUN_SIZES.default;
  const repeats = args.repeats ?? size.repeats;
  const stock = size.stock && !args.skipStock;
  const say = (text: string) => process.stderr.write(wrap(`parallel-bench: ${text}`).join("\n") + "\n");
  say(
    `${workloads.join(", ")}; workers ${workers.join(",")}; ${size.warmupRuns} warm-ups and ${repeats} timed runs each; ` +
      (stock ? "with the stock baseline" : args.full ? "stock baseline skipped" : "no stock baseline (--full adds it)"),
  );
  const cores = os.availableParallelism();
  const beyond = workers.filter((w) => w > cores);
  if (beyond.length > 0) say(`warning: ${workersBeyondCores(beyond, cores)}`);
  const artifacts = await bundledArtifacts(hre);
  const report = await runBench({
    txs: args.txs,
    accounts: args.accounts,
    workers,
    repeats,
    warmupRuns: size.warmupRuns,
    workloads,
    artifacts,
    stock,
    full: args.full,
    executorOptions: { maxReexecutionRatio: hre.config.parallel.maxReexecutionRatio, onWorkerFailure: hre.config.parallel.onWorkerFailure },
    onProgress: (line) => process.stderr.write(`parallel-bench ${line}\n`),
  }).catch((e: unknown) => {
    // A knob the task did not check itself (e.g. too few accounts for a preset's senders).
    if (e instanceof WorkloadParameterError) throw pluginError(`${e.message}. Adjust --txs or --accounts.`, e);
    throw e;
  });
  console.log(renderBench(report));
  if (args.json !== undefined) console.log(`JSON written to ${writeJsonReport(args.json, report)}`);
  if (args.html !== undefined) console.log(`HTML written to ${writeHtmlReport(args.html, renderBenchHtml(report))}`);
  const unverified = report.rows.filter((r) => !r.verified);
  if (unverified.length > 0 || report.baselines.some((b) => !b.verified)) {
    throw pluginError(`some runs did not match sequential execution: ${unverified.map((r) => `${r.workload}@${r.workers}`).join(", ")} — this is a bug, please report it.`);
  }
  return report;
}

/** `parallel-bench --vs-hardhat`: the parallel network against Hardhat's, as a Hardhat user sees them. */
async function networkBenchAction(args: BenchTaskArgs, hre: HardhatRuntimeEnvironment, asked: BenchWorkload[], artifacts: ArtifactReader, ordinary: boolean): Promise<NetworkBenchReport> {
  const presets = (args.workload === "default" ? [...PRESET_NAMES] : asked.filter((w) => (PRESET_NAMES as readonly string[]).includes(w))) as PresetName[];
  if (presets.length === 0 && !ordinary) {
    throw pluginError(`--vs-hardhat compares "${ORDINARY}" (a test suite's requests) and the DeFi presets (${PRESET_NAMES.join(", ")}); --workload named none of them.`);
  }
  const workers = parseWorkerList(args.workers, "--workers");
  const txs = args.txs ?? 1000;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { applyProviderWrappers, createProvider } = require("hardhat/internal/core/providers/construction");
  const { createParallelNetwork } = await import("../plugin/hardhat/network-factory");
  // The parallel network runs with the largest worker count asked for.
  const networkWorkers = Math.max(...workers);
  const parallelNetwork = (artifacts = hre.artifacts) => createParallelNetwork(hre.network.config as never, { ...hre.config.parallel, workers: networkWorkers }, artifacts);
  const userNetwork = async (artifacts = hre.artifacts) => {
    const network = await parallelNetwork(artifacts);
    return Object.assign(applyProviderWrappers(network, hre.network.config, []), { close: () => network.close() });
  };
  const large = ordinary ? await largeProject(hre.artifacts, LARGE_PROJECT_ARTIFACTS) : undefined;
  const report = await runNetworkBench({
    workloads: presets,
    txs,
    accounts: args.accounts,
    artifacts,
    hardhatNetwork: () => createProvider(hre.config, "hardhat", hre.artifacts),
    parallelNetwork: () => parallelNetwork(),
    // createProvider wraps Hardhat's network already; the plugin wraps its own network the same way (plugin/hardhat/network.ts).
    userHardhatNetwork: () => createProvider(hre.config, "hardhat", hre.artifacts),
    userParallelNetwork: () => userNetwork(),
    largeProject: large && { artifacts: large.count, network: () => userNetwork(large.artifacts), reads: large.reads },
    ordinaryTests: ordinary ? ORDINARY_TESTS : 0,
    ordinaryRounds: ORDINARY_ROUNDS,
    onProgress: (m) => process.stderr.write(`parallel-bench: ${m}\n`),
  });
  const rows = report.rows.map((r) => [
    r.workload,
    String(r.txs),
    fmt(r.hardhatMineMs),
    fmt(r.parallelMineMs),
    `${fmt(r.speedup, 2)}x`,
    r.mode,
    `${fmt(r.sendMsHardhat)}/${fmt(r.sendMsParallel)}`,
    r.verified ? "yes" : "NO",
  ]);
  const environment = benchEnvironment();
  const out: string[] = [
    `machine: ${describeMachine(environment.machine)}`,
    `software: Node ${environment.node}, ${environment.plugin.name} ${environment.plugin.version}`,
    `parallel network with ${networkWorkers} workers; one run per preset, fresh networks`,
  ];
  const o = report.ordinary;
  if (o !== undefined) {
    out.push("");
    out.push(
      ...wrap(
        `Ordinary tests (${o.tests} tests, ${o.transactions} automined transactions, ${o.requests} requests; ${o.rounds} rounds on fresh networks, alternating which goes first): ` +
          `Hardhat's network ${fmt(o.hardhatMs)} ms, parallel network ${fmt(o.parallelMs)} ms (medians), ratio ${fmt(o.ratio, 2)}x (median; rounds ${o.ratios.map((r) => `${fmt(r, 2)}x`).join(", ")}); ` +
          `CPU time ${fmt(o.hardhatCpuMs)} ms against ${fmt(o.parallelCpuMs)} ms, ratio ${fmt(o.cpuRatio, 2)}x (medians; all threads of the process); same outcomes: ${o.verified ? "yes" : "NO"}`,
      ),
    );
  }
  if (report.startup !== undefined) {
    const projectArtifacts = (await hre.artifacts.getAllFullyQualifiedNames()).length;
    out.push(
      ...wrap(
        `Startup (network created behind Hardhat's wrappers, first request answered; ${projectArtifacts} artifacts in this project): Hardhat's network ${fmt(report.startup.hardhatMs)} ms, parallel network ${fmt(report.startup.parallelMs)} ms`,
      ),
    );
  }
  const lp = report.largeProject;
  if (lp !== undefined) {
    out.push(
      ...wrap(
        `Large project (this project's artifacts listed again under other names, ${lp.artifacts} in all): parallel network startup ${fmt(lp.startupMs)} ms, ` +
          `artifacts read by then: ${lp.readsAtStartup}; its first test ${fmt(lp.firstTestMs)} ms, including the first custom-error revert, which reads them (${lp.readsAfterFirstTest} reads)`,
      ),
    );
  }
  if (rows.length > 0) {
    out.push("");
    out.push(...table([["Workload", "Txs", "Hardhat ms", "Parallel ms", "Speedup", "Mode", "Send ms (hh/par)", "Same receipts"], ...rows]));
    out.push(
      ...wrap(
        "Hardhat ms, Parallel ms: the evm_mine call that mines the block, on Hardhat's network and on the parallel network. Speedup: " +
          "Hardhat ms / Parallel ms. Send ms: sending the block's transactions before it (Hardhat's/parallel). Same receipts: status and gas of every receipt agree.",
      ),
    );
  }
  out.push("");
  out.push(`JSON-RPC: one eth_call takes ${fmt(report.rpc.hardhatMicros)} us on Hardhat's network and ${fmt(report.rpc.parallelMicros)} us on the parallel network (mean of ${report.rpc.calls}).`);
  out.push(...wrap("Speedup < 1.00x: the parallel network is slower than Hardhat's (EDR runs the EVM in Rust; the engine runs @ethereumjs in JavaScript)."));
  console.log(out.join("\n"));
  if (args.json !== undefined) {
    const options = { workloads: presets, ordinaryTests: ordinary ? ORDINARY_TESTS : 0, txs, accounts: args.accounts, workers: networkWorkers };
    console.log(`JSON written to ${writeJsonReport(args.json, { schemaVersion: 1, kind: "network", ...environment, options, ...report })}`);
  }
  if (report.rows.some((r) => !r.verified) || o?.verified === false) throw pluginError("some blocks gave different receipts on the two networks — this is a bug, please report it.");
  return report;
}

/** The --vs-hardhat workload of a test suite's requests, and its number of tests. */
const ORDINARY = "ordinary";
const ORDINARY_TESTS = 100;
/** Rounds of it: one run moved by 1.3x between runs on a shared machine; the median of several, alternating, less. */
const ORDINARY_ROUNDS = 5;
/** The project size of issue 10's startup target: a large third-party suite has about this many artifacts. */
const LARGE_PROJECT_ARTIFACTS = 700;

/** `--workload`: "default", "all", or a comma-separated list of workload names. */
export function parseWorkloads(arg: string): BenchWorkload[] {
  if (arg === "default") return [...DEFAULT_BENCH_WORKLOADS];
  if (arg === "all") return [...BENCH_WORKLOADS];
  const names = arg.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const unknown = names.filter((n) => !(BENCH_WORKLOADS as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw pluginError(`--workload must be "default", "all" or a comma-separated list of ${BENCH_WORKLOADS.join(", ")}; got "${arg}"${unknown.length > 0 ? ` (unknown: ${unknown.join(", ")})` : ""}. Example: --workload amm,lending`);
  }
  return [...new Set(names)] as BenchWorkload[];
}

const fmt = (n: number, d = 1) => n.toFixed(d);

/**
 * `npx hardhat parallel-bench`: a thin wrapper over runBench
 * (plugin/bench/bench.ts). Parses and validates the arguments, compiles the
 * bundled token, prints a table and optionally writes JSON.
 */
import { writeFileSync } from "node:fs";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

import { BENCH_WORKLOADS, DEFAULT_BENCH_WORKLOADS, defaultTxs, runBench } from "../plugin/bench/bench";
import type { BenchReport, BenchWorkload } from "../plugin/bench/bench";
import { pluginError } from "../plugin/hardhat/errors";
import { PRESET_NAMES, WorkloadParameterError } from "../plugin/workloads";
import type { ArtifactReader, PresetName } from "../plugin/workloads";
import { runNetworkBench } from "../plugin/bench/network-bench";
import type { NetworkBenchReport } from "../plugin/bench/network-bench";
import os from "node:os";
import type { BenchTaskArgs } from "../plugin/hardhat/task-args";
import { parseWorkerList } from "../plugin/hardhat/parse-args";
import { table } from "../plugin/hardhat/text-table";
import { writeHtmlReport } from "../plugin/hardhat/report-files";
import { renderBenchHtml } from "../plugin/analysis/html/bench-html";
import { bundledArtifacts } from "../plugin/hardhat/workload-artifacts";

export async function benchAction(args: BenchTaskArgs, hre: HardhatRuntimeEnvironment): Promise<BenchReport | NetworkBenchReport> {
  const workers = parseWorkerList(args.workers, "--workers");
  if (args.html !== undefined && args.vsHardhat) throw pluginError("--html draws the engine benchmark's speedups against workers; --vs-hardhat has no such chart. Drop one of the two.");
  if (args.txs !== undefined && (!Number.isInteger(args.txs) || args.txs < 1 || args.txs > 100_000)) {
    throw pluginError(`--txs must be an integer from 1 to 100000, got ${args.txs}. Example: npx hardhat parallel-bench --txs 2000`);
  }
  if (!Number.isInteger(args.repeats) || args.repeats < 1 || args.repeats > 50) {
    throw pluginError(`--repeats must be an integer from 1 to 50, got ${args.repeats}.`);
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

  const artifacts = await bundledArtifacts(hre);
  if (args.vsHardhat) return networkBenchAction(args, hre, workloads, artifacts, ordinary);
  const report = await runBench({
    txs: args.txs,
    accounts: args.accounts,
    workers,
    repeats: args.repeats,
    workloads,
    artifacts,
    skipStock: args.skipStock,
    executorOptions: { maxReexecutionRatio: hre.config.parallel.maxReexecutionRatio, onWorkerFailure: hre.config.parallel.onWorkerFailure },
    onProgress: (m) => process.stderr.write(`parallel-bench: ${m}\n`),
  }).catch((e: unknown) => {
    // A knob the task did not check itself (e.g. too few accounts for a preset's senders).
    if (e instanceof WorkloadParameterError) throw pluginError(`${e.message}. Adjust --txs or --accounts.`, e);
    throw e;
  });
  console.log(renderBench(report));
  if (args.json !== undefined) {
    writeFileSync(args.json, JSON.stringify(report, null, 2) + "\n");
    console.log(`JSON written to ${args.json}`);
  }
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
  const parallelNetwork = () => createParallelNetwork(hre.network.config as never, { ...hre.config.parallel, workers: Math.max(...workers) }, hre.artifacts);
  const report = await runNetworkBench({
    workloads: presets,
    txs,
    accounts: args.accounts,
    artifacts,
    hardhatNetwork: () => createProvider(hre.config, "hardhat", hre.artifacts),
    parallelNetwork,
    // createProvider wraps Hardhat's network already; the plugin wraps its own network the same way (plugin/hardhat/network.ts).
    userHardhatNetwork: () => createProvider(hre.config, "hardhat", hre.artifacts),
    userParallelNetwork: async () => {
      const network = await parallelNetwork();
      return Object.assign(applyProviderWrappers(network, hre.network.config, []), { close: () => network.close() });
    },
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
  console.log(`machine: ${os.availableParallelism()} cores, Node ${process.version}; parallel network with ${Math.max(...workers)} workers; one run per preset, fresh networks`);
  const o = report.ordinary;
  if (o !== undefined) {
    console.log(
      `\nOrdinary tests (${o.tests} tests, ${o.transactions} automined transactions, ${o.requests} requests; ${o.rounds} rounds on fresh networks, alternating which goes first): ` +
        `Hardhat's network ${fmt(o.hardhatMs)} ms, parallel network ${fmt(o.parallelMs)} ms (medians), ratio ${fmt(o.ratio, 2)}x (median; rounds ${o.ratios.map((r) => `${fmt(r, 2)}x`).join(", ")}); ` +
        `CPU time ${fmt(o.hardhatCpuMs)} ms against ${fmt(o.parallelCpuMs)} ms, ratio ${fmt(o.cpuRatio, 2)}x (medians; all threads of the process); same outcomes: ${o.verified ? "yes" : "NO"}`,
    );
  }
  if (report.startup !== undefined) {
    const artifacts = (await hre.artifacts.getAllFullyQualifiedNames()).length;
    console.log(
      `Startup (network created behind Hardhat's wrappers, first request answered; ${artifacts} artifacts in this project): Hardhat's network ${fmt(report.startup.hardhatMs)} ms, parallel network ${fmt(report.startup.parallelMs)} ms`,
    );
  }
  if (rows.length > 0) console.log(table([["Workload", "Txs", "Hardhat evm_mine ms", "Parallel evm_mine ms", "Speedup", "Mode", "Send ms (hardhat/parallel)", "Same receipts"], ...rows]).join("\n"));
  console.log(`\nJSON-RPC: one eth_call takes ${fmt(report.rpc.hardhatMicros)} us on Hardhat's network and ${fmt(report.rpc.parallelMicros)} us on the parallel network (mean of ${report.rpc.calls}).`);
  console.log("Speedup < 1.00x: the parallel network is slower than Hardhat's (EDR runs the EVM in Rust; the engine runs @ethereumjs in JavaScript).");
  if (args.json !== undefined) writeFileSync(args.json, JSON.stringify({ schemaVersion: 1, kind: "network", ...report }, null, 2) + "\n");
  if (report.rows.some((r) => !r.verified) || o?.verified === false) throw pluginError("some blocks gave different receipts on the two networks — this is a bug, please report it.");
  return report;
}

/** The --vs-hardhat workload of a test suite's requests, and its number of tests. */
const ORDINARY = "ordinary";
const ORDINARY_TESTS = 100;
/** Rounds of it: one run moved by 1.3x between runs on a shared machine; the median of several, alternating, less. */
const ORDINARY_ROUNDS = 5;

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

export function renderBench(report: BenchReport): string {
  const lines: string[] = [];
  lines.push(`machine: ${report.machine.cores} cores, Node ${report.machine.node}, ${report.machine.platform}`);
  lines.push(`method: ${report.method}`);
  lines.push("");
  const header = ["Workload", "Txs", "Gas", "Workers", "Sequential ms", "Parallel ms", "Speedup", "Exec seq ms", "Exec par ms", "Exec speedup", "Root ms (seq/par)", "Ideal", "Re-exec/tx", "Verified"];
  const rows = report.rows.map((r) => [
    r.workload,
    String(r.txs),
    r.gas,
    String(r.workers),
    `${fmt(r.sequentialMs.median)} (${fmt(r.sequentialMs.min)}-${fmt(r.sequentialMs.max)})`,
    `${fmt(r.parallelMs.median)} (${fmt(r.parallelMs.min)}-${fmt(r.parallelMs.max)})`,
    `${fmt(r.speedup, 2)}x`,
    fmt(r.sequentialExecutionMs),
    fmt(r.parallelExecutionMs),
    `${fmt(r.executionSpeedup, 2)}x`,
    `${fmt(r.sequentialStateRootMs)}/${fmt(r.parallelStateRootMs)}`,
    `${fmt(r.ideal, 2)}x`,
    fmt(r.reexecutionsPerTx, 2),
    r.verified ? "yes" : "NO",
  ]);
  lines.push(...table([header, ...rows]));
  if (report.baselines.length > 0) {
    lines.push("");
    lines.push("Speedup vs stock (@ethereumjs runBlock + MerkleStateManager, one run, end to end):");
    lines.push(
      ...table([
        ["Workload", "Txs", "Stock ms", "Sequential ms", "Speedup vs stock", "Verified"],
        ...report.baselines.map((b) => [b.workload, String(b.txs), fmt(b.stockMs), fmt(b.sequentialMs), `${fmt(b.speedupVsStock, 2)}x`, b.verified ? "yes" : "NO"]),
      ]),
    );
  }
  if (report.scaling.length > 0) {
    lines.push("");
    lines.push("Simulated speedup, end to end: the scheduler model (plugin/analysis/simulate.ts) with this run's per-tx times, dependencies,");
    lines.push("coordinator cost per incarnation and time outside execution. It assumes threads do not slow each other down: compare");
    lines.push("the model's figures at the worker counts measured here with the measured ones before trusting the others.");
    const counts = report.scaling[0].simulated.map((s) => s.workers);
    lines.push(
      ...table([
        ["Workload", "Coord us/inc", "Serial ms", "Measured", ...counts.map((c) => `@${c}`)],
        ...report.scaling.map((s) => [
          s.workload,
          fmt(s.coordinatorMicrosPerIncarnation),
          fmt(s.serialMs),
          s.measured.map((m) => `@${m.workers} ${fmt(m.speedup, 2)}x`).join(", "),
          ...s.simulated.map((m) => `${fmt(m.speedup, 2)}x`),
        ]),
      ]),
    );
  }
  lines.push("");
  lines.push("Speedup < 1.00x is a slowdown. Speedup = sequential / parallel wall time (end to end); Exec speedup = transaction execution alone.");
  return lines.join("\n");
}


/**
 * What a Hardhat user sees (`parallel-bench --vs-hardhat`): each preset's block
 * mined with evm_mine on the parallel network against the same block on
 * Hardhat's own network (EDR), fresh networks per preset, same process; and
 * the JSON-RPC overhead of a simple request on each. Only the evm_mine call
 * is timed for blocks (sending the transactions is reported apart), and both
 * networks must produce the same receipts (status and gas per transaction).
 * Before them, the "ordinary tests" workload (ordinary-tests.ts): a test
 * suite's one-transaction blocks, calls and snapshots, timed whole.
 */
import { performance } from "node:perf_hooks";

import { generateWorkload, mineWorkloadOnProvider } from "../workloads";
import { runOrdinaryTests } from "./ordinary-tests";
import { median } from "./median";
import type { ArtifactReader, Eip1193Provider, PresetName } from "../workloads";

export interface NetworkBenchRow {
  workload: PresetName;
  txs: number;
  /** evm_mine on Hardhat's network, ms. */
  hardhatMineMs: number;
  /** evm_mine on the parallel network, ms. */
  parallelMineMs: number;
  /** hardhat / parallel: above 1 the parallel network is faster. */
  speedup: number;
  /** How the parallel network executed the block (parallel_getBlockReport). */
  mode: string;
  sendMsHardhat: number;
  sendMsParallel: number;
  verified: boolean;
}

export interface OrdinaryTestsRow {
  tests: number;
  requests: number;
  transactions: number;
  /** Rounds run: each a fresh network of each kind, in alternating order (Hardhat's first in even rounds). */
  rounds: number;
  /** Median wall time of the whole workload on each network over the rounds, ms. */
  hardhatMs: number;
  parallelMs: number;
  /** Median over the rounds of parallel / hardhat (above 1 the parallel network is slower). */
  ratio: number;
  /** Each round's parallel / hardhat, in round order: the spread a single run would show. */
  ratios: number[];
  /** Median CPU time of the process over the workload on each network (all threads), ms, and the median of the rounds' CPU ratios. */
  hardhatCpuMs: number;
  parallelCpuMs: number;
  cpuRatio: number;
  /** Both networks gave the same receipts (status, gas) and call results, in every round. */
  verified: boolean;
}

/** Creating each network behind Hardhat's wrappers and answering its first request (eth_blockNumber), ms. */
export interface StartupRow {
  hardhatMs: number;
  parallelMs: number;
}

/** The parallel network of a project with many artifacts (large-project.ts): what its size costs at startup and at the first custom-error revert. */
export interface LargeProjectRow {
  artifacts: number;
  /** Network created behind Hardhat's wrappers and its first request answered, ms. */
  startupMs: number;
  /** Artifact reads (names, artifacts, build infos) by then: none expected. */
  readsAtStartup: number;
  /** One ordinary test (deploy, transfers, a transfer that reverts with a custom error, which reads the artifacts to name it), ms. */
  firstTestMs: number;
  /** Artifact reads after that test. */
  readsAfterFirstTest: number;
}

export interface NetworkBenchReport {
  ordinary?: OrdinaryTestsRow;
  startup?: StartupRow;
  largeProject?: LargeProjectRow;
  rows: NetworkBenchRow[];
  /** Mean time of one eth_call (a value-less call to an account) over `calls` requests, µs. */
  rpc: { calls: number; hardhatMicros: number; parallelMicros: number };
}

export interface NetworkBenchOptions {
  workloads: PresetName[];
  txs: number;
  accounts: number;
  artifacts: ArtifactReader;
  /** A fresh Hardhat network (EDR) and a fresh parallel network, per call. */
  hardhatNetwork: () => Promise<Eip1193Provider>;
  parallelNetwork: () => Promise<Eip1193Provider & { close?: () => Promise<void> }>;
  /** The same two networks behind Hardhat's provider wrappers, as a test suite's hre.network sees them. */
  userHardhatNetwork: () => Promise<Eip1193Provider>;
  userParallelNetwork: () => Promise<Eip1193Provider & { close?: () => Promise<void> }>;
  /** With the ordinary tests: the parallel network over a project of this many artifacts, and its read count. */
  largeProject?: { artifacts: number; network: () => Promise<Eip1193Provider & { close?: () => Promise<void> }>; reads: () => number };
  /** Tests of the ordinary-tests workload (0: skip it). */
  ordinaryTests: number;
  /** Rounds of it, each on fresh networks (default 1); the report gives medians and every round's ratio. */
  ordinaryRounds?: number;
  onProgress?: (message: string) => void;
}

const RPC_CALLS = 2000;

export async function runNetworkBench(opts: NetworkBenchOptions): Promise<NetworkBenchReport> {
  const progress = opts.onProgress ?? (() => {});
  const rows: NetworkBenchRow[] = [];
  let rpc: NetworkBenchReport["rpc"] | undefined;
  let ordinary: OrdinaryTestsRow | undefined;
  let startup: StartupRow | undefined;
  let largeProject: LargeProjectRow | undefined;
  if (opts.ordinaryTests > 0) {
    const rounds = Math.max(1, opts.ordinaryRounds ?? 1);
    const runs: { hardhatMs: number; parallelMs: number; hardhatCpuMs: number; parallelCpuMs: number; verified: boolean }[] = [];
    let hardhat: Eip1193Provider | undefined;
    let parallel: (Eip1193Provider & { close?: () => Promise<void> }) | undefined;
    let requests = 0;
    let transactions = 0;
    try {
      for (let round = 0; round < rounds; round++) {
        await parallel?.close?.();
        // Alternating order, so that neither network always runs on the process (JIT, heap) the other left behind.
        const order: ("hardhat" | "parallel")[] = round % 2 === 0 ? ["hardhat", "parallel"] : ["parallel", "hardhat"];
        const results: Partial<Record<"hardhat" | "parallel", Awaited<ReturnType<typeof runOrdinaryTests>>>> = {};
        for (const which of order) {
          progress(`ordinary tests, round ${round + 1} of ${rounds}: ${opts.ordinaryTests} tests on ${which === "hardhat" ? "Hardhat's network" : "the parallel network"}`);
          const started = performance.now();
          const provider = which === "hardhat" ? (hardhat = await opts.userHardhatNetwork()) : (parallel = await opts.userParallelNetwork());
          await provider.request({ method: "eth_blockNumber", params: [] });
          if (round === 0) (startup ??= { hardhatMs: 0, parallelMs: 0 })[which === "hardhat" ? "hardhatMs" : "parallelMs"] = performance.now() - started;
          results[which] = await runOrdinaryTests(provider, opts.artifacts, opts.ordinaryTests);
        }
        const [onHardhat, onParallel] = [results.hardhat!, results.parallel!];
        ({ requests, transactions } = onParallel);
        runs.push({ hardhatMs: onHardhat.wallMs, parallelMs: onParallel.wallMs, hardhatCpuMs: onHardhat.cpuMs, parallelCpuMs: onParallel.cpuMs, verified: onHardhat.outcomes.join() === onParallel.outcomes.join() });
      }
      const ratios = runs.map((r) => r.parallelMs / r.hardhatMs);
      ordinary = {
        tests: opts.ordinaryTests,
        requests,
        transactions,
        rounds,
        hardhatMs: median(runs.map((r) => r.hardhatMs)),
        parallelMs: median(runs.map((r) => r.parallelMs)),
        ratio: median(ratios),
        ratios,
        hardhatCpuMs: median(runs.map((r) => r.hardhatCpuMs)),
        parallelCpuMs: median(runs.map((r) => r.parallelCpuMs)),
        cpuRatio: median(runs.map((r) => r.parallelCpuMs / r.hardhatCpuMs)),
        verified: runs.every((r) => r.verified),
      };
      if (opts.largeProject !== undefined) largeProject = await measureLargeProject(opts.largeProject, opts.artifacts, progress);
      progress(`JSON-RPC overhead: ${RPC_CALLS} eth_call requests on each network`);
      const [from, to] = (await hardhat!.request({ method: "eth_accounts", params: [] })) as string[];
      const call = { from, to, data: "0x" };
      rpc = { calls: RPC_CALLS, hardhatMicros: await timeCalls(hardhat!, call), parallelMicros: await timeCalls(parallel!, call) };
    } finally {
      await parallel?.close?.();
    }
  }
  for (const name of opts.workloads) {
    const w = generateWorkload(name, { txs: opts.txs, accounts: opts.accounts }, opts.artifacts);
    progress(`${name}: mining setup and a ${opts.txs}-tx block on Hardhat's network`);
    const hardhat = await opts.hardhatNetwork();
    const onHardhat = await mineWorkloadOnProvider(hardhat, w);
    progress(`${name}: the same on the parallel network`);
    const parallel = await opts.parallelNetwork();
    try {
      const onParallel = await mineWorkloadOnProvider(parallel, w);
      const report = (await parallel.request({ method: "parallel_getBlockReport", params: ["latest"] })) as { mode: string };
      const view = (rs: typeof onHardhat.block.receipts) => rs.map((r) => `${BigInt(r.status)}:${BigInt(r.gasUsed)}`).join();
      rows.push({
        workload: name,
        txs: opts.txs,
        hardhatMineMs: onHardhat.block.mineMs,
        parallelMineMs: onParallel.block.mineMs,
        speedup: onHardhat.block.mineMs / onParallel.block.mineMs,
        mode: report.mode,
        sendMsHardhat: onHardhat.block.sendMs,
        sendMsParallel: onParallel.block.sendMs,
        verified: view(onHardhat.block.receipts) === view(onParallel.block.receipts),
      });
      if (rpc === undefined) {
        progress(`JSON-RPC overhead: ${RPC_CALLS} eth_call requests on each network`);
        // The simplest eth_call: a value-less call to an account, so the request path dominates.
        const call = { from: w.senders[0], to: w.senders[1] ?? w.senders[0], data: "0x" };
        rpc = { calls: RPC_CALLS, hardhatMicros: await timeCalls(hardhat, call), parallelMicros: await timeCalls(parallel, call) };
      }
    } finally {
      await parallel.close?.();
    }
  }
  return { ordinary, startup, largeProject, rows, rpc: rpc ?? { calls: 0, hardhatMicros: 0, parallelMicros: 0 } };
}

async function timeCalls(provider: Eip1193Provider, call: { from: string; to: string; data: string }): Promise<number> {
  for (let i = 0; i < 100; i++) await provider.request({ method: "eth_call", params: [call, "latest"] });
  const t = performance.now();
  for (let i = 0; i < RPC_CALLS; i++) await provider.request({ method: "eth_call", params: [call, "latest"] });
  return ((performance.now() - t) * 1000) / RPC_CALLS;
}

async function measureLargeProject(large: NonNullable<NetworkBenchOptions["largeProject"]>, artifacts: ArtifactReader, progress: (m: string) => void): Promise<LargeProjectRow> {
  progress(`startup of the parallel network in a project of ${large.artifacts} artifacts, and its first test`);
  const started = performance.now();
  const provider = await large.network();
  try {
    await provider.request({ method: "eth_blockNumber", params: [] });
    const startupMs = performance.now() - started;
    const readsAtStartup = large.reads();
    const firstTestMs = (await runOrdinaryTests(provider, artifacts, 1)).wallMs;
    return { artifacts: large.artifacts, startupMs, readsAtStartup, firstTestMs, readsAfterFirstTest: large.reads() };
  } finally {
    await provider.close?.();
  }
}

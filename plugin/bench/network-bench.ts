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
  /** Wall time of the whole workload on each network, ms. */
  hardhatMs: number;
  parallelMs: number;
  /** parallel / hardhat: above 1 the parallel network is slower. */
  ratio: number;
  /** Both networks gave the same receipts (status, gas) and call results. */
  verified: boolean;
}

/** Creating each network behind Hardhat's wrappers and answering its first request (eth_blockNumber), ms. */
export interface StartupRow {
  hardhatMs: number;
  parallelMs: number;
}

export interface NetworkBenchReport {
  ordinary?: OrdinaryTestsRow;
  startup?: StartupRow;
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
  /** Tests of the ordinary-tests workload (0: skip it). */
  ordinaryTests: number;
  onProgress?: (message: string) => void;
}

const RPC_CALLS = 2000;

export async function runNetworkBench(opts: NetworkBenchOptions): Promise<NetworkBenchReport> {
  const progress = opts.onProgress ?? (() => {});
  const rows: NetworkBenchRow[] = [];
  let rpc: NetworkBenchReport["rpc"] | undefined;
  let ordinary: OrdinaryTestsRow | undefined;
  let startup: StartupRow | undefined;
  if (opts.ordinaryTests > 0) {
    progress(`ordinary tests: ${opts.ordinaryTests} tests on Hardhat's network`);
    let started = performance.now();
    const hardhat = await opts.userHardhatNetwork();
    await hardhat.request({ method: "eth_blockNumber", params: [] });
    const hardhatStartupMs = performance.now() - started;
    const onHardhat = await runOrdinaryTests(hardhat, opts.artifacts, opts.ordinaryTests);
    progress("ordinary tests: the same on the parallel network");
    started = performance.now();
    const parallel = await opts.userParallelNetwork();
    await parallel.request({ method: "eth_blockNumber", params: [] });
    startup = { hardhatMs: hardhatStartupMs, parallelMs: performance.now() - started };
    try {
      const onParallel = await runOrdinaryTests(parallel, opts.artifacts, opts.ordinaryTests);
      ordinary = {
        tests: opts.ordinaryTests,
        requests: onParallel.requests,
        transactions: onParallel.transactions,
        hardhatMs: onHardhat.wallMs,
        parallelMs: onParallel.wallMs,
        ratio: onParallel.wallMs / onHardhat.wallMs,
        verified: onHardhat.outcomes.join() === onParallel.outcomes.join(),
      };
      progress(`JSON-RPC overhead: ${RPC_CALLS} eth_call requests on each network`);
      const [from, to] = (await hardhat.request({ method: "eth_accounts", params: [] })) as string[];
      const call = { from, to, data: "0x" };
      rpc = { calls: RPC_CALLS, hardhatMicros: await timeCalls(hardhat, call), parallelMicros: await timeCalls(parallel, call) };
    } finally {
      await parallel.close?.();
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
  return { ordinary, startup, rows, rpc: rpc ?? { calls: 0, hardhatMicros: 0, parallelMicros: 0 } };
}

async function timeCalls(provider: Eip1193Provider, call: { from: string; to: string; data: string }): Promise<number> {
  for (let i = 0; i < 100; i++) await provider.request({ method: "eth_call", params: [call, "latest"] });
  const t = performance.now();
  for (let i = 0; i < RPC_CALLS; i++) await provider.request({ method: "eth_call", params: [call, "latest"] });
  return ((performance.now() - t) * 1000) / RPC_CALLS;
}

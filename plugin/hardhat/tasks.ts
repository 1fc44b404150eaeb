// Registers the plugin's tasks. The actions live in tasks/ and are imported
// lazily so that loading hardhat.config.ts stays fast and does not pull in
// the engine (and its worker threads) for unrelated tasks such as `compile`.
import { subtask, task, types } from "hardhat/config";
import { TASK_TEST_RUN_MOCHA_TESTS } from "hardhat/builtin-tasks/task-names";

import type { BaselineTaskArgs, BenchTaskArgs, ConflictsTaskArgs, ReplayTaskArgs } from "./task-args";
import { reportCapture, reportRequested } from "./test-observer";

export const TASK_PARALLEL_BENCH = "parallel-bench";
export const TASK_PARALLEL_REPLAY = "parallel-replay";
export const TASK_PARALLEL_CONFLICTS = "parallel-conflicts";
export const TASK_PARALLEL_BASELINE = "parallel-baseline";

task<BenchTaskArgs>(
  TASK_PARALLEL_BENCH,
  "Benchmarks sequential against parallel block execution on generated DeFi workloads (about 90 s on 2 cores; --full for a longer run)",
)
  .addOptionalParam("txs", "Transactions per generated block (default: 2000 for the ERC-20 workloads, 500 for the DeFi presets)", undefined, types.int)
  .addOptionalParam(
    "accounts",
    "Distinct accounts the workloads draw from (fewer accounts, more conflicts)",
    10000,
    types.int,
  )
  .addOptionalParam("workers", 'Comma-separated worker counts to measure, e.g. "1,2,4"; counts above the cores are warned about', "1,2", types.string)
  .addOptionalParam("repeats", "Timed runs per workload and configuration, after untimed warm-ups (default 3; 5 with --full)", undefined, types.int)
  .addOptionalParam("json", "Also write the results, options, plugin version, Node and machine as JSON to this file (checked before the run)", undefined, types.string)
  .addOptionalParam(
    "workload",
    'Comma-separated workloads (erc20-independent, erc20-one-recipient, transfers, amm, amm-hot, lending, nft-mint, nft-market, mixed), "default" (erc20-independent, erc20-one-recipient, mixed) or "all"',
    "default",
    types.string,
  )
  .addOptionalParam("html", "Also write a self-contained HTML page (speedup against workers: measured, ideal, simulated to 64) to this file (checked before the run)", undefined, types.string)
  .addFlag("full", "The longer, steadier run: 3 warm-ups and 5 timed runs per configuration, and the stock @ethereumjs runBlock baseline (several minutes)")
  .addFlag("skipStock", "Skip the stock @ethereumjs runBlock baseline of --full (the slowest part)")
  .addFlag("vsHardhat", "Instead: mine each DeFi preset's block with evm_mine on the parallel network and on Hardhat's own network, and time a simple JSON-RPC call on both")
  .setAction(async (args, hre) => {
    const { benchAction } = await import("../../tasks/bench");
    return benchAction(args, hre);
  });

task<ReplayTaskArgs>(
  TASK_PARALLEL_REPLAY,
  "Replays recorded mainnet blocks (or one fetched from an archive node) sequentially and in parallel and checks that the results match. " +
    "Table columns: block, txs, Mgas (gas used, millions); seq ms and par ms: median [min-max] wall time of the sequential and the parallel executor; " +
    "w: workers; speedup: seq/par median (below 1.00x a slowdown); ideal: total tx time / heaviest dependency chain from the read sets, capped by w; " +
    "eff: speedup / ideal; re-exec: re-executions per tx (incarnations beyond the first / txs); fallback: why the executor ran the block sequentially; " +
    "ok: header and every parallel result verified",
)
  .addOptionalParam(
    "fixtures",
    'A block folder (block.json, pre_state.json, optional block_hashes.json) or a folder of such block folders (default "../shared/fixtures/mainnet-blocks")',
    undefined,
    types.string,
  )
  .addOptionalParam(
    "block",
    "A block.json file (eth_getBlockByNumber with full transactions) to replay instead of --fixtures, with --prestate; with --rpc, the number of the block to fetch",
    undefined,
    types.string,
  )
  .addOptionalParam("prestate", "The prestateTracer result JSON giving the pre-state of --block", undefined, types.string)
  .addOptionalParam(
    "rpc",
    "An archive node's JSON-RPC URL: fetch --block <number>, its pre-state (debug_traceBlockByNumber, prestateTracer) and the block hashes it reads, and replay it",
    undefined,
    types.string,
  )
  .addOptionalParam("save", "With --rpc: also write the fetched block to this folder (block.json, pre_state.json, block_hashes.json) to replay it offline with --fixtures", undefined, types.string)
  .addOptionalParam("workers", 'Comma-separated worker counts to measure, e.g. "1,2,4"', "1,2", types.string)
  .addOptionalParam("json", "Also write the results as JSON to this file", undefined, types.string)
  .addOptionalParam("blocks", 'Comma-separated block numbers to limit the replay to, e.g. "4370000,17666333"', undefined, types.string)
  .setAction(async (args, hre) => {
    const { replayAction } = await import("../../tasks/replay");
    return replayAction(args, hre);
  });

task<ConflictsTaskArgs>(
  TASK_PARALLEL_CONFLICTS,
  "Finds the storage locations (named as Solidity variables) that make a block's transactions conflict, why, and what changing them would gain",
)
  .addOptionalParam("run", "A script to run on the parallel network; the blocks it mines are analysed", undefined, types.string)
  .addOptionalParam("workload", "A workload preset to analyse: transfers, amm, amm-hot, lending, nft-mint, nft-market or mixed", undefined, types.string)
  .addOptionalParam("txs", "Transactions in the preset's block (default 200)", undefined, types.int)
  .addOptionalParam("skew", "Popularity skew of the preset (Zipf exponent: 0 uniform, larger hotter)", undefined, types.float)
  .addOptionalParam("seed", "Seed of the preset's generator", undefined, types.int)
  .addOptionalParam("accounts", "User accounts of the preset (default: 4 per transaction, at least 100)", undefined, types.int)
  .addOptionalParam("pools", "AMM pools of the preset", undefined, types.int)
  .addOptionalParam("markets", "Lending markets of the preset", undefined, types.int)
  .addOptionalParam("collections", "NFT collections of the preset", undefined, types.int)
  .addOptionalParam("txsPerSender", "Transactions each sender sends in the block (a nonce chain of this length)", undefined, types.int)
  .addOptionalParam("fixtures", "Recorded blocks: a block folder (block.json, pre_state.json) or a folder of such folders", undefined, types.string)
  .addOptionalParam("block", "A block.json file (eth_getBlockByNumber with full transactions), with --prestate", undefined, types.string)
  .addOptionalParam("prestate", "The prestateTracer result JSON giving the pre-state of --block", undefined, types.string)
  .addOptionalParam("blocks", 'Comma-separated block numbers to limit --fixtures to, e.g. "17666333"', undefined, types.string)
  .addOptionalParam("workers", "Workers of the measured parallel run (1: no parallel run, re-executions from the scheduler model); default: the config's parallel.workers", undefined, types.int)
  .addOptionalParam("top", "Hotspots listed per block", 10, types.int)
  .addOptionalParam("shards", "Ways of the sharding what-if", 8, types.int)
  .addOptionalParam("json", "Also write the report as JSON to this file", undefined, types.string)
  .addOptionalParam("html", "Also write the report as a self-contained HTML page (dependency graph, hotspot chart, remedies) to this file", undefined, types.string)
  .addOptionalParam("bal", "Also write each block's access list in the EIP-7928 block access list shape (JSON) to this file", undefined, types.string)
  .setAction(async (args, hre) => {
    const { conflictsAction } = await import("../../tasks/conflicts");
    return conflictsAction({ ...args, workers: args.workers ?? hre.config.parallel.workers }, hre);
  });

// The parallel-friendliness reporter (test-reporter.ts) wraps the mocha run of `npx hardhat test` when asked for.
subtask(TASK_TEST_RUN_MOCHA_TESTS).setAction(async (args, hre, runSuper) => {
  if (reportCapture() === undefined && !reportRequested(hre)) return runSuper(args);
  const { runWithReport } = await import("./test-reporter");
  return runWithReport(args, hre, runSuper);
});

task<BaselineTaskArgs>(
  TASK_PARALLEL_BASELINE,
  "Runs the tests on the parallel network with the parallel-friendliness reporter and writes its baseline (each function's conflict share, each batch's ideal speedup), or with --check fails when one got worse",
)
  .addOptionalParam("file", "The baseline file", "parallel-baseline.json", types.string)
  .addFlag("check", "Compare with the baseline file instead of writing it, and fail on a regression beyond --tolerance")
  .addOptionalParam("tolerance", "Allowed worsening: absolute for conflict shares (0.05 = 5 points), relative for ideal speedups (0.05 = 5%)", 0.05, types.float)
  .addFlag("diff", "Also print the comparison as a Markdown summary, e.g. for a pull-request comment")
  .addOptionalParam("report", "Use this report JSON (written by the test reporter) instead of running the tests", undefined, types.string)
  .addOptionalVariadicPositionalParam("testFiles", "Test files to run (default: all)", [])
  .setAction(async (args, hre) => {
    const { baselineAction } = await import("../../tasks/baseline");
    return baselineAction(args, hre);
  });

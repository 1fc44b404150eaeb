// Registers the plugin's tasks. The actions live in tasks/ and are imported
// lazily so that loading hardhat.config.ts stays fast and does not pull in
// the engine (and its worker threads) for unrelated tasks such as `compile`.
import { task, types } from "hardhat/config";

import type { BenchTaskArgs, ConflictsTaskArgs, ReplayTaskArgs } from "./task-args";

export const TASK_PARALLEL_BENCH = "parallel-bench";
export const TASK_PARALLEL_REPLAY = "parallel-replay";
export const TASK_PARALLEL_CONFLICTS = "parallel-conflicts";

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
  "Replays recorded mainnet blocks sequentially and in parallel and checks that the results match",
)
  .addOptionalParam(
    "fixtures",
    "A block folder (block.json, pre_state.json, optional block_hashes.json) or a folder of such block folders",
    "../shared/fixtures/mainnet-blocks",
    types.string,
  )
  .addOptionalParam(
    "block",
    "A block.json file (eth_getBlockByNumber with full transactions) to replay instead of --fixtures",
    undefined,
    types.string,
  )
  .addOptionalParam("prestate", "The prestateTracer result JSON giving the pre-state of --block", undefined, types.string)
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

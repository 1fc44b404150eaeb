/**
 * Arguments of the plugin's tasks, exactly as Hardhat passes them to the
 * actions (after its own type parsing). Lists such as `workers` arrive as the
 * raw comma-separated string; the actions parse and validate them.
 */

/** `npx hardhat parallel-bench` */
export interface BenchTaskArgs {
  /** Transactions per generated block. Default: 2000 for the ERC-20 workloads, 500 for the DeFi presets. */
  txs?: number;
  /** Distinct accounts the workload draws from (fewer means more contention). Default 10000. */
  accounts: number;
  /** Comma-separated worker counts to measure, e.g. "1,2,4". Default "1,2". */
  workers: string;
  /** Timed runs per configuration. Default 3, or 5 with `full`. */
  repeats?: number;
  /** File to write the JSON report to; no file when absent. */
  json?: string;
  /** "default" (erc20-independent, erc20-one-recipient, mixed), "all", or a comma-separated list. */
  workload: string;
  /** Skip the stock runBlock baseline (only `full` runs it). */
  skipStock: boolean;
  /** `--full`: the longer, steadier run (5 timed runs after 3 warm-ups, and the stock baseline). */
  full: boolean;
  /** `--vs-hardhat`: compare mining on the parallel network with Hardhat's own network instead. */
  vsHardhat: boolean;
  /** File to write the HTML report (speedup against workers) to. */
  html?: string;
}

/** `npx hardhat parallel-replay` */
export interface ReplayTaskArgs {
  /**
   * A block folder in mainnet-blocks layout (`block.json`, `pre_state.json`,
   * optionally `block_hashes.json`), or a folder holding several such block
   * folders. Default "../shared/fixtures/mainnet-blocks" (when neither
   * `block` nor `rpc` is given).
   */
  fixtures?: string;
  /**
   * A single `block.json` (eth_getBlockByNumber(n, true) result), used with
   * `prestate`; with `rpc`, the number of the block to fetch.
   */
  block?: string;
  /** A prestateTracer result JSON giving the pre-state of `block`. */
  prestate?: string;
  /** An archive node's JSON-RPC URL to fetch `block` (a number) and its pre-state from. */
  rpc?: string;
  /** With `rpc`: a folder to write the fetched block to (block.json, pre_state.json, block_hashes.json). */
  save?: string;
  /** Comma-separated worker counts, e.g. "1,2,4". Default "1,2". */
  workers: string;
  /** File to write the JSON report to; no file when absent. */
  json?: string;
  /** Comma-separated block numbers to limit the replay to; all when absent. */
  blocks?: string;
}

/** `npx hardhat parallel-conflicts` */
export interface ConflictsTaskArgs {
  /** A script to run on the parallel network; the blocks it mines are analysed. */
  run?: string;
  /** A workload preset to generate and analyse (one of PRESET_NAMES). */
  workload?: string;
  /** Transactions in the preset's block. Default 200. */
  txs?: number;
  /** Zipf exponent of the preset's popularity (0 uniform, larger hotter); the preset's own when absent. */
  skew?: number;
  /** Seed of the preset's generator; the preset's own when absent. */
  seed?: number;
  /** The preset's other knobs (plugin/workloads/knobs.ts); the preset's own when absent. */
  accounts?: number;
  pools?: number;
  markets?: number;
  collections?: number;
  txsPerSender?: number;
  /** Recorded blocks: a block folder (block.json, pre_state.json) or a folder of them. */
  fixtures?: string;
  /** A single block.json, with `prestate`. */
  block?: string;
  /** The prestateTracer result for `block`. */
  prestate?: string;
  /** Comma-separated block numbers to limit the fixtures to. */
  blocks?: string;
  /** Workers of the measured parallel run (1: model only). Default: the config's `parallel.workers`. */
  workers: number;
  /** Hotspots listed per block. Default 10. */
  top: number;
  /** Ways of the sharding what-if. Default 8. */
  shards: number;
  /** File to write the JSON report to. */
  json?: string;
  /** File to write the HTML report to. */
  html?: string;
  /** File to write each block's EIP-7928 access list to (JSON). */
  bal?: string;
}

/** `npx hardhat parallel-baseline` */
export interface BaselineTaskArgs {
  /** The baseline file. Default "parallel-baseline.json". */
  file: string;
  /** Compare with the file instead of writing it; fail on regressions beyond the tolerance. */
  check: boolean;
  /** Allowed worsening: absolute for conflict shares (0.05 = 5 points), relative for ideal speedups. Default 0.05. */
  tolerance: number;
  /** Also print the comparison as a Markdown summary (for a pull-request comment). */
  diff: boolean;
  /** A report JSON written by the test reporter, used instead of running the tests. */
  report?: string;
  /** Test files to run (default: all, as `npx hardhat test`). */
  testFiles: string[];
}

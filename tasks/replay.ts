// `npx hardhat parallel-replay`: replays recorded mainnet blocks sequentially
// and in parallel, prints a table and optionally writes JSON. A thin wrapper:
// argument parsing and output here, the work in plugin/replay/replay.ts and
// the loading in plugin/fixtures/mainnet-blocks.ts.
import os from "node:os";

import type { HardhatRuntimeEnvironment } from "hardhat/types";

import { loadBlocks, parseBlockNumbers, withFixtureErrors } from "../plugin/hardhat/block-sources";
import { pluginError } from "../plugin/hardhat/errors";
import { writeJsonReport } from "../plugin/hardhat/report-files";
import { parseWorkerList } from "../plugin/hardhat/parse-args";
import type { ReplayTaskArgs } from "../plugin/hardhat/task-args";
import { formatReplayTable, replayBlocks, replayReport } from "../plugin/replay/replay";
import type { ReplayProgress, ReplayRow } from "../plugin/replay/replay";

/** Timed runs per executor and block, after one warm-up run. */
const REPEATS = 3;

export async function replayAction(args: ReplayTaskArgs, hre: HardhatRuntimeEnvironment): Promise<ReplayRow[]> {
  const workers = parseWorkerList(args.workers, "--workers");
  const only = args.blocks === undefined ? undefined : parseBlockNumbers(args.blocks);
  const blocks = withFixtureErrors(() => loadBlocks(args, hre.config.paths.root, only, log));

  const cores = os.availableParallelism();
  if (workers.some((w) => w > cores)) {
    log(`note: this machine has ${cores} cores; runs with more workers than cores measure oversubscription`);
  }
  log(`replaying ${blocks.length} block(s) with ${workers.join(", ")} worker(s): ${REPEATS} timed runs after one warm-up, median (${cores} cores, Node ${process.version})`);
  const rows = await replayBlocks(blocks, { workers, repeats: REPEATS, onProgress: progress, maxReexecutionRatio: hre.config.parallel.maxReexecutionRatio });

  console.log(formatReplayTable(rows));
  console.log(
    `\nspeedup = median sequential wall time / median parallel wall time (project's own sequential executor, same process, no state root: the pre-state is partial); ` +
      `times are medians [min-max] of ${REPEATS} runs; below 1.00x is a slowdown. ${cores} cores, Node ${process.version}.`,
  );
  const failed = rows.filter((r) => !r.verified);
  for (const r of failed) console.log(`block ${r.block} @${r.workers}w NOT VERIFIED: ${r.mismatch}`);

  if (args.json !== undefined) log(`wrote ${writeJsonReport(args.json, replayReport(rows, REPEATS))}`);
  if (failed.length > 0) {
    const blocksFailed = [...new Set(failed.map((r) => r.block))];
    throw pluginError(`${blocksFailed.length} block(s) not verified (${blocksFailed.join(", ")}): ${failed[0].mismatch}`);
  }
  return rows;
}

function progress(p: ReplayProgress): void {
  switch (p.kind) {
    case "block":
      log(`[${p.index + 1}/${p.total}] block ${p.block}: ${p.txs} txs, ${(p.gas / 1e6).toFixed(2)} Mgas`);
      break;
    case "sequential":
      log(`  sequential ${p.medianMs.toFixed(0)} ms${p.mismatch === undefined ? "" : `  MISMATCH: ${p.mismatch}`}`);
      break;
    case "parallel":
      log(`  parallel @${p.workers}w ${p.medianMs.toFixed(0)} ms, speedup ${p.speedup.toFixed(2)}x, ${p.verified ? "verified" : `NOT VERIFIED: ${p.mismatch}`}`);
      break;
  }
}

function log(line: string): void {
  process.stderr.write(line + "\n");
}

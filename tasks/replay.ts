// `npx hardhat parallel-replay`: replays recorded mainnet blocks (or one
// fetched from an archive node with --rpc) sequentially and in parallel,
// prints a table and optionally writes JSON. A thin wrapper: argument parsing
// and output here, the work in plugin/replay/replay.ts, the loading in
// plugin/hardhat/block-sources.ts.
//
// A block that cannot be loaded or does not verify does not stop the run:
// the others are replayed, and the task fails at the end with a summary.
import os from "node:os";

import type { HardhatRuntimeEnvironment } from "hardhat/types";

import { loadReplayBlocks, parseBlockNumbers } from "../plugin/hardhat/block-sources";
import { pluginError } from "../plugin/hardhat/errors";
import { writeJsonReport } from "../plugin/hardhat/report-files";
import { parseWorkerList } from "../plugin/hardhat/parse-args";
import type { ReplayTaskArgs } from "../plugin/hardhat/task-args";
import { formatReplayColumns, formatReplayTable, replayBlocks, replayReport } from "../plugin/replay/replay";
import type { ReplayProgress, ReplayRow } from "../plugin/replay/replay";

/** Timed runs per executor and block, after one warm-up run. */
const REPEATS = 3;

export async function replayAction(args: ReplayTaskArgs, hre: HardhatRuntimeEnvironment): Promise<ReplayRow[]> {
  const workers = parseWorkerList(args.workers, "--workers");
  const only = args.blocks === undefined ? undefined : parseBlockNumbers(args.blocks);
  const { blocks, failures } = await loadReplayBlocks(args, hre.config.paths.root, only, log);

  const cores = os.availableParallelism();
  if (workers.some((w) => w > cores)) {
    log(`note: this machine has ${cores} cores; runs with more workers than cores measure oversubscription`);
  }
  log(`replaying ${blocks.length} block(s) with ${workers.join(", ")} worker(s): ${REPEATS} timed runs after one warm-up, median (${cores} cores, Node ${process.version})`);
  const rows = blocks.length === 0 ? [] : await replayBlocks(blocks, { workers, repeats: REPEATS, onProgress: progress, maxReexecutionRatio: hre.config.parallel.maxReexecutionRatio });

  if (rows.length > 0) {
    console.log(formatReplayTable(rows));
    console.log(`\n${formatReplayColumns()}`);
    console.log(
      `Both executors are the project's own, same process, no state root (the pre-state is partial);\n` +
        `${REPEATS} timed runs after one warm-up. ${cores} cores, Node ${process.version}.`,
    );
  }
  if (args.json !== undefined) log(`wrote ${writeJsonReport(args.json, replayReport(rows, REPEATS, failures))}`);

  const unverified = [...new Set(rows.filter((r) => !r.verified).map((r) => r.block))];
  if (failures.length === 0 && unverified.length === 0) return rows;
  const summary: string[] = [];
  for (const f of failures) summary.push(`  not loaded: ${f.reason}`);
  for (const b of unverified) {
    const r = rows.find((x) => x.block === b && !x.verified)!;
    summary.push(`  block ${b} not verified (${rows.filter((x) => x.block === b && !x.verified).map((x) => `@${x.workers}w`).join(", ")}): ${r.mismatch}`);
  }
  console.log(`\n${failures.length + unverified.length} of ${failures.length + blocks.length} block(s) failed:\n${summary.join("\n")}`);
  throw pluginError(
    `${failures.length} block(s) could not be loaded and ${unverified.length} did not verify, of ${failures.length + blocks.length}; ` +
      `the ${blocks.length - unverified.length} other(s) replayed and verified (the summary above names each failure and its reason)`,
  );
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

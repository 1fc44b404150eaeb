// `npx hardhat parallel-replay`: replays recorded mainnet blocks sequentially
// and in parallel, prints a table and optionally writes JSON. A thin wrapper:
// argument parsing and output here, the work in plugin/replay/replay.ts and
// the loading in plugin/fixtures/mainnet-blocks.ts.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import type { HardhatRuntimeEnvironment } from "hardhat/types";

import { FixtureError } from "../plugin/fixtures/fixture-error";
import type { LoadedBlock } from "../plugin/fixtures/mainnet-blocks";
import { findBlockFolders, loadMainnetBlock, loadPrestateTracerBlock } from "../plugin/fixtures/mainnet-blocks";
import { pluginError } from "../plugin/hardhat/errors";
import { parseWorkerList } from "../plugin/hardhat/parse-args";
import type { ReplayTaskArgs } from "../plugin/hardhat/task-args";
import { formatReplayTable, replayBlocks, replayReport } from "../plugin/replay/replay";
import type { ReplayProgress, ReplayRow } from "../plugin/replay/replay";

/** The --fixtures default, as registered in plugin/hardhat/tasks.ts. */
const DEFAULT_FIXTURES = "../shared/fixtures/mainnet-blocks";
/** Timed runs per executor and block, after one warm-up run. */
const REPEATS = 3;

export async function replayAction(args: ReplayTaskArgs, hre: HardhatRuntimeEnvironment): Promise<ReplayRow[]> {
  const workers = parseWorkerList(args.workers, "--workers");
  const only = args.blocks === undefined ? undefined : parseBlockNumbers(args.blocks);
  const blocks = withFixtureErrors(() => loadBlocks(args, hre.config.paths.root, only));

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

  if (args.json !== undefined) {
    const file = path.resolve(args.json);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(replayReport(rows, REPEATS), null, 2) + "\n");
    log(`wrote ${file}`);
  }
  if (failed.length > 0) {
    const blocksFailed = [...new Set(failed.map((r) => r.block))];
    throw pluginError(`${blocksFailed.length} block(s) not verified (${blocksFailed.join(", ")}): ${failed[0].mismatch}`);
  }
  return rows;
}

function parseBlockNumbers(raw: string): Set<bigint> {
  const parts = raw.split(",").map((p) => p.trim());
  if (parts.some((p) => !/^[0-9]+$/.test(p))) {
    throw pluginError(`--blocks must be a comma-separated list of block numbers, e.g. "4370000,17666333"; got "${raw}"`);
  }
  return new Set(parts.map(BigInt));
}

function loadBlocks(args: ReplayTaskArgs, root: string, only: Set<bigint> | undefined): LoadedBlock[] {
  if ((args.block === undefined) !== (args.prestate === undefined)) {
    throw pluginError(
      args.block === undefined
        ? "--prestate needs --block: pass the block JSON (eth_getBlockByNumber(n, true)) with --block"
        : "--block needs --prestate: pass the prestateTracer result (debug_traceBlockByNumber with { tracer: \"prestateTracer\" }) with --prestate",
    );
  }
  let blocks: LoadedBlock[];
  let available: string[] = [];
  if (args.block !== undefined && args.prestate !== undefined) {
    const blockFile = path.resolve(root, args.block);
    const prestateFile = path.resolve(root, args.prestate);
    for (const [flag, file] of [["--block", blockFile], ["--prestate", prestateFile]]) {
      if (!existsSync(file)) throw pluginError(`${flag}: ${file} does not exist`);
    }
    log(`loading ${blockFile} with ${prestateFile}`);
    blocks = [loadPrestateTracerBlock(blockFile, prestateFile)];
  } else {
    const dir = path.resolve(root, args.fixtures);
    if (!existsSync(dir)) {
      const what = args.fixtures === DEFAULT_FIXTURES ? `The mainnet-block fixtures are missing: ${dir} does not exist.` : `--fixtures: ${dir} does not exist.`;
      throw pluginError(
        `${what} Pass --fixtures <folder> (a block folder holding block.json and pre_state.json, or a folder of such block folders; relative paths are resolved from the project root ${root}), ` +
          `or --block <block.json> --prestate <prestateTracer.json>.`,
      );
    }
    let folders = findBlockFolders(dir);
    available = folders.map((f) => path.basename(f));
    if (only !== undefined) {
      // Folders named by block number are filtered before loading; others are loaded and checked.
      folders = folders.filter((f) => !/^[0-9]+$/.test(path.basename(f)) || only.has(BigInt(path.basename(f))));
    }
    blocks = [];
    for (const folder of folders) {
      log(`loading ${folder}`);
      blocks.push(loadMainnetBlock(folder));
    }
  }
  if (only !== undefined) {
    const found = blocks.filter((b) => only.has(b.number));
    const missing = [...only].filter((n) => !blocks.some((b) => b.number === n));
    if (missing.length > 0) {
      throw pluginError(`--blocks: no fixture for block(s) ${missing.join(", ")}; available: ${available.length > 0 ? available.join(", ") : blocks.map((b) => b.number).join(", ")}`);
    }
    blocks = found;
  }
  return blocks;
}

/** A bad fixture file is a usage problem: print it as one, naming the file and field. */
function withFixtureErrors<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof FixtureError) throw pluginError(e.message, e);
    throw e;
  }
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

/**
 * Recorded blocks as the tasks take them (`parallel-replay`,
 * `parallel-conflicts`): a mainnet-blocks folder (or a folder of them) with
 * --fixtures, or a block.json with its prestateTracer result (--block,
 * --prestate), optionally narrowed with --blocks. Bad files become usage
 * errors naming the file and the field.
 */
import { existsSync } from "node:fs";
import path from "node:path";

import { FixtureError } from "../fixtures/fixture-error";
import type { LoadedBlock } from "../fixtures/mainnet-blocks";
import { findBlockFolders, loadMainnetBlock, loadPrestateTracerBlock } from "../fixtures/mainnet-blocks";
import { pluginError } from "./errors";

/** The --fixtures default, as registered in plugin/hardhat/tasks.ts. */
export const DEFAULT_FIXTURES = "../shared/fixtures/mainnet-blocks";

export interface BlockSourceArgs {
  fixtures: string;
  block?: string;
  prestate?: string;
}

export function parseBlockNumbers(raw: string): Set<bigint> {
  const parts = raw.split(",").map((p) => p.trim());
  if (parts.some((p) => !/^[0-9]+$/.test(p))) {
    throw pluginError(`--blocks must be a comma-separated list of block numbers, e.g. "4370000,17666333"; got "${raw}"`);
  }
  return new Set(parts.map(BigInt));
}

export function loadBlocks(args: BlockSourceArgs, root: string, only: Set<bigint> | undefined, log: (line: string) => void): LoadedBlock[] {
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
export function withFixtureErrors<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof FixtureError) throw pluginError(e.message, e);
    throw e;
  }
}


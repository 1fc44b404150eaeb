/**
 * Recorded blocks as the tasks take them (`parallel-replay`,
 * `parallel-conflicts`): a mainnet-blocks folder (or a folder of them) with
 * --fixtures, or a block.json with its prestateTracer result (--block,
 * --prestate), optionally narrowed with --blocks, or (parallel-replay only)
 * one block fetched from an archive node with --rpc --block. Bad files
 * become errors naming the file and the field: of the run for a single
 * block, of that block only for a folder of blocks.
 */
import { existsSync } from "node:fs";
import path from "node:path";

import { FixtureError } from "../fixtures/fixture-error";
import type { LoadedBlock } from "../fixtures/mainnet-blocks";
import { findBlockFolders, loadMainnetBlock, loadPrestateTracerBlock } from "../fixtures/mainnet-blocks";
import type { FetchedBlock } from "../fixtures/rpc-block";
import { RpcBlockError, fetchRpcBlock, saveBlockFolder } from "../fixtures/rpc-block";
import { pluginError } from "./errors";

/** The --fixtures default, as registered in plugin/hardhat/tasks.ts. */
export const DEFAULT_FIXTURES = "../shared/fixtures/mainnet-blocks";

export interface BlockSourceArgs {
  /** Default DEFAULT_FIXTURES. */
  fixtures?: string;
  block?: string;
  prestate?: string;
}

export interface ReplaySourceArgs extends BlockSourceArgs {
  /** An archive node's JSON-RPC URL: fetch --block (a number) from it. */
  rpc?: string;
  /** With --rpc: write the fetched block to this block folder. */
  save?: string;
}

/** A block that could not be loaded: the run goes on without it and reports it at the end. */
export interface BlockLoadFailure {
  /** The folder or file (or node and block) it came from. */
  source: string;
  reason: string;
}

export interface LoadedBlocks {
  blocks: LoadedBlock[];
  failures: BlockLoadFailure[];
}

export function parseBlockNumbers(raw: string): Set<bigint> {
  const parts = raw.split(",").map((p) => p.trim());
  if (parts.some((p) => !/^[0-9]+$/.test(p))) {
    throw pluginError(`--blocks must be a comma-separated list of block numbers, e.g. "4370000,17666333"; got "${raw}"`);
  }
  return new Set(parts.map(BigInt));
}

/**
 * The blocks of --fixtures or --block/--prestate, stopping at the first
 * block that does not load (parallel-conflicts analyses what it is given).
 */
export function loadBlocks(args: BlockSourceArgs, root: string, only: Set<bigint> | undefined, log: (line: string) => void): LoadedBlock[] {
  const { blocks, failures } = loadBlockFiles(args, root, only, log);
  if (failures.length > 0) throw pluginError(failures[0].reason);
  return blocks;
}

/**
 * The blocks of --fixtures or --block/--prestate. A block folder that does
 * not load is a failure of that block, not of the run: it is returned with
 * its reason and the others load. Usage errors (a missing folder, --blocks
 * naming blocks that are not there) still throw.
 */
export function loadBlockFiles(args: BlockSourceArgs, root: string, only: Set<bigint> | undefined, log: (line: string) => void): LoadedBlocks {
  if ((args.block === undefined) !== (args.prestate === undefined)) {
    throw pluginError(
      args.block === undefined
        ? "--prestate needs --block: pass the block JSON (eth_getBlockByNumber(n, true)) with --block"
        : "--block needs --prestate: pass the prestateTracer result (debug_traceBlockByNumber with { tracer: \"prestateTracer\" }) with --prestate (or --rpc <url> with --block <number> to fetch both from a node)",
    );
  }
  let blocks: LoadedBlock[] = [];
  const failures: BlockLoadFailure[] = [];
  let available: string[] = [];
  if (args.block !== undefined && args.prestate !== undefined) {
    const blockFile = path.resolve(root, args.block);
    const prestateFile = path.resolve(root, args.prestate);
    for (const [flag, file] of [["--block", blockFile], ["--prestate", prestateFile]]) {
      if (!existsSync(file)) throw pluginError(`${flag}: ${file} does not exist`);
    }
    log(`loading ${blockFile} with ${prestateFile}`);
    blocks = [withFixtureErrors(() => loadPrestateTracerBlock(blockFile, prestateFile))];
  } else {
    const fixtures = args.fixtures ?? DEFAULT_FIXTURES;
    const dir = path.resolve(root, fixtures);
    if (!existsSync(dir)) {
      const what = fixtures === DEFAULT_FIXTURES ? `The mainnet-block fixtures are missing: ${dir} does not exist.` : `--fixtures: ${dir} does not exist.`;
      throw pluginError(
        `${what} Pass --fixtures <folder> (a block folder holding block.json and pre_state.json, or a folder of such block folders; relative paths are resolved from the project root ${root}), ` +
          `--block <block.json> --prestate <prestateTracer.json>, or --rpc <archive node URL> --block <number>.`,
      );
    }
    let folders = withFixtureErrors(() => findBlockFolders(dir));
    available = folders.map((f) => path.basename(f));
    if (only !== undefined) {
      // Folders named by block number are filtered before loading; others are loaded and checked.
      folders = folders.filter((f) => !/^[0-9]+$/.test(path.basename(f)) || only.has(BigInt(path.basename(f))));
    }
    for (const folder of folders) {
      log(`loading ${folder}`);
      try {
        blocks.push(loadMainnetBlock(folder));
      } catch (e) {
        if (!(e instanceof FixtureError)) throw e;
        log(`  cannot load ${folder}: ${e.message}`);
        failures.push({ source: folder, reason: e.message });
      }
    }
  }
  if (only !== undefined) {
    const found = blocks.filter((b) => only.has(b.number));
    const missing = [...only].filter((n) => !blocks.some((b) => b.number === n) && !failures.some((f) => path.basename(f.source) === n.toString()));
    if (missing.length > 0) {
      throw pluginError(`--blocks: no fixture for block(s) ${missing.join(", ")}; available: ${available.length > 0 ? available.join(", ") : blocks.map((b) => b.number).join(", ")}`);
    }
    blocks = found;
  }
  return { blocks, failures };
}

/**
 * What parallel-replay replays: --rpc with --block <number> (fetched from
 * the node, optionally saved with --save), or the files as loadBlockFiles
 * takes them. --rpc excludes --fixtures and --prestate.
 */
export async function loadReplayBlocks(args: ReplaySourceArgs, root: string, only: Set<bigint> | undefined, log: (line: string) => void): Promise<LoadedBlocks> {
  if (args.rpc === undefined) {
    if (args.save !== undefined) throw pluginError("--save writes a block fetched with --rpc: pass --rpc <archive node URL> --block <number> with it");
    return loadBlockFiles(args, root, only, log);
  }
  const conflicting = [args.fixtures !== undefined && "--fixtures", args.prestate !== undefined && "--prestate", only !== undefined && "--blocks"].filter((f): f is string => f !== false);
  if (conflicting.length > 0) {
    throw pluginError(`--rpc fetches one block from a node and cannot be combined with ${conflicting.join(" or ")}: pass either --rpc <url> --block <number>, or recorded blocks (--fixtures, or --block <block.json> --prestate <trace.json>)`);
  }
  if (args.block === undefined) throw pluginError("--rpc needs --block <number>: the block to fetch, e.g. --rpc http://localhost:8545 --block 19426587");
  const raw = args.block.trim();
  if (!/^([0-9]+|0x[0-9a-fA-F]+)$/.test(raw)) {
    throw pluginError(`--block must be a block number with --rpc (decimal, or 0x hex), e.g. --block 19426587; got "${args.block}"`);
  }
  const number = BigInt(raw);
  let fetched: FetchedBlock;
  try {
    fetched = await fetchRpcBlock(args.rpc, number, { log });
  } catch (e) {
    if (e instanceof RpcBlockError || e instanceof FixtureError) throw pluginError(e.message, e);
    throw e;
  }
  if (args.save !== undefined) {
    const dir = path.resolve(root, args.save);
    try {
      saveBlockFolder(dir, fetched);
    } catch (e) {
      if (e instanceof RpcBlockError || e instanceof FixtureError) throw pluginError(e.message, e);
      throw e;
    }
    log(`saved block ${number} to ${dir} (replay it offline with --fixtures ${args.save})`);
  }
  return { blocks: [fetched.loaded], failures: [] };
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


// Shared by the dev scripts: the recorded mainnet blocks beside the repository
// (../shared/fixtures/mainnet-blocks, or FIX), as engine inputs.
import path from "node:path";

import type { ParallelBlockInput } from "../plugin/engine";
import { findBlockFolders, loadMainnetBlock } from "../plugin/fixtures/mainnet-blocks";

export const MAINNET_BLOCKS = process.env.FIX ?? path.resolve(__dirname, "..", "..", "shared", "fixtures", "mainnet-blocks");

/** The folder of one recorded block by its number. */
export function mainnetBlockDir(block: string): string {
  return path.join(MAINNET_BLOCKS, block);
}

/** Every recorded block (or those named in `wanted`), as [name, input] pairs without a state root. */
export function mainnetBlockInputs(wanted?: readonly string[]): [string, ParallelBlockInput][] {
  const inputs: [string, ParallelBlockInput][] = [];
  for (const dir of findBlockFolders(MAINNET_BLOCKS)) {
    if (wanted !== undefined && !wanted.includes(path.basename(dir))) continue;
    const b = loadMainnetBlock(dir);
    inputs.push([path.basename(dir), { block: b.block, preState: b.preState, blockHashes: b.blockHashes, senders: b.senders, computeStateRoot: false }]);
  }
  return inputs;
}

/**
 * The sequential executor: the oracle every parallel result is checked
 * against, and the best single-threaded path the project has (flat state,
 * native sender recovery, state root once per block from the diff). It runs
 * the same TxExecutor as the workers, one transaction after another over a
 * BlockOverlay.
 */
import { bytesToHex, bytesToUnprefixedHex } from "@ethereumjs/util";
import type { Address } from "@ethereumjs/util";
import { performance } from "node:perf_hooks";

import { BlockOverlay } from "./block-overlay";
import { runPrePhase } from "./block-phases";
import { InvalidBlockError, blockGasLimitError, committedFailure, emptyStats } from "./block-result";
import type { BlockResult } from "./block-result";
import { withKeccakRecorder } from "./crypto";
import { prepareBlock } from "./prepare";
import type { BlockInput, StorageSiteSink } from "./prepare";
import { storageKey } from "./location";
import { TxExecutor } from "./tx-executor";
import type { Read, TxReceiptData, TxWriteSet } from "./types";
import { finishBlock } from "./finish";

/**
 * `reuse`: an executor made by TxExecutor.create for the same chain (Common
 * and rules) that no other execution is using now; the block's hashes replace
 * the ones it had. Without it, the block gets an executor of its own.
 */
export async function executeBlockSequential(input: BlockInput, reuse?: TxExecutor): Promise<BlockResult> {
  const started = performance.now();
  const { block, common, txs } = prepareBlock(input);
  // Recording needs an executor of its own: its Common hashes through the recorder, its EVM has a step listener.
  const own = reuse === undefined || input.preimages !== undefined || input.storageSites !== undefined;
  const executor = own
    ? await TxExecutor.create(input.preimages === undefined ? common : withKeccakRecorder(common, input.preimages), input.blockHashes ?? new Map(), input.rules)
    : reuse;
  if (!own) reuse.useBlockHashes(input.blockHashes ?? new Map());
  const overlay = new BlockOverlay(input.preState);
  const stats = emptyStats("sequential", 1);
  let current = -1;
  if (input.storageSites !== undefined) recordStorageSites(executor, input.storageSites, () => current);
  await runPrePhase(executor, block, overlay);

  const receipts: TxReceiptData[] = [];
  const reads: Read[][] = [];
  const writeSets: TxWriteSet[] = [];
  let blockGas = 0n;
  const execStart = performance.now();
  for (let i = 0; i < block.transactions.length; i++) {
    const limitError = blockGasLimitError(block, i, blockGas);
    if (limitError !== undefined) throw limitError;
    current = i;
    const outcome = await executor.run(block, txs.get(i), i, 0, overlay.sourceFor());
    if (outcome.kind === "invalid") throw committedFailure(block, i, outcome);
    if (outcome.kind === "blocked") throw new Error(`bug: sequential execution of tx ${i} read an estimate`);
    overlay.apply(i, outcome.writeSet);
    receipts.push(outcome.receipt);
    reads.push(outcome.reads);
    writeSets.push(outcome.writeSet);
    blockGas += outcome.receipt.blockGasUsed;
    stats.txs.push({ incarnations: 1, micros: outcome.micros, totalMicros: outcome.micros });
  }
  stats.executionMs = performance.now() - execStart;
  return finishBlock({ input, block, executor, overlay, receipts, reads, writeSets, stats, started });
}


/** SLOAD and SSTORE of every transaction, with the code running them (an EVM step listener: analysis runs only, it slows execution). */
function recordStorageSites(executor: TxExecutor, sink: StorageSiteSink, tx: () => number): void {
  executor.vm.evm.events!.on("step", (step: { opcode: { name: string }; stack: bigint[]; address: Address; codeAddress?: Address; pc: number }) => {
    const access = step.opcode.name === "SLOAD" ? "r" : step.opcode.name === "SSTORE" ? "w" : undefined;
    if (access === undefined) return;
    const slot = step.stack[step.stack.length - 1].toString(16).padStart(64, "0");
    const key = `${tx()}:${access}:${storageKey(bytesToUnprefixedHex(step.address.bytes), slot)}`;
    // Init code (a constructor) has no code address: it runs at the address being created, and its pcs are not the runtime code's.
    if (!sink.has(key)) sink.set(key, { codeAddress: bytesToUnprefixedHex((step.codeAddress ?? step.address).bytes), pc: step.pc, ...(step.codeAddress === undefined ? { initCode: true } : {}) });
  });
}

/**
 * Runs a block for the conflict analysis: sequentially (the exact read and
 * write sets, with every keccak preimage recorded so slots can be named),
 * then, when an executor is given, in parallel, to measure which locations
 * wasted incarnations. Both results are checked against each other: an
 * analysis of a wrong block would be worthless.
 */
import { bytesToHex } from "@ethereumjs/util";

import { executeBlockSequential, firstDifference } from "../engine";
import type { BlockResult, ParallelBlockInput, ParallelExecutor } from "../engine";
import type { PreimageSink } from "../engine/crypto";
import type { StorageSiteSink } from "../engine/prepare";
import type { BlockTrace } from "./trace";

export interface TracedBlock {
  input: ParallelBlockInput;
  trace: BlockTrace;
  preimages: PreimageSink;
  result: BlockResult;
}

export interface TraceOptions {
  /** Measure a parallel run too. */
  executor?: ParallelExecutor;
  /** Sequential runs before the timed one, so per-transaction times are not those of cold code (default 1). */
  warmups?: number;
  /** Skip the timed run (the test reporter weighs transactions by gas): times come from the recording run, slowed by its step listener. */
  untimed?: boolean;
}

export async function traceBlock(input: ParallelBlockInput, opts: TraceOptions = {}): Promise<TracedBlock> {
  for (let i = 0; i < (opts.warmups ?? 1); i++) await executeBlockSequential({ ...input, computeStateRoot: false });
  // Times come from a run without recording: the step listener that finds storage sites slows every opcode.
  const untimed = opts.untimed === true && opts.executor === undefined;
  const timedRun = untimed ? undefined : await executeBlockSequential(input);
  const preimages: PreimageSink = new Map();
  const storageSites: StorageSiteSink = new Map();
  const result = await executeBlockSequential({ ...input, computeStateRoot: false, preimages, storageSites });
  const timed = timedRun ?? result;
  const { block } = input;
  const trace: BlockTrace = {
    number: Number(block.header.number),
    hash: bytesToHex(block.hash()),
    beneficiary: block.header.coinbase.toString().slice(2).toLowerCase(),
    timestamp: block.header.timestamp,
    blockNumber: block.header.number,
    txs: result.receipts.map((receipt, i) => ({
      hash: receipt.txHash,
      from: receipt.sender.slice(2).toLowerCase(),
      to: block.transactions[i].to?.toString().slice(2).toLowerCase() ?? null,
      ...callee(block.transactions[i].data, receipt.createdAddress),
      reads: result.reads[i],
      writes: result.writeSets[i].writes,
      micros: timed.stats.txs[i].micros,
      gasUsed: receipt.gasUsed,
    })),
    serialMicros: Math.max(0, 1000 * (timed.stats.wallMs - timed.stats.executionMs)),
    storageSites,
  };
  if (opts.executor !== undefined) {
    const parallel = await opts.executor.executeBlock(input);
    const difference = firstDifference(parallel, timed);
    if (difference !== undefined) throw new Error(`bug: the parallel run of block ${trace.number} differs from the sequential one (${JSON.stringify(difference)}); please report it`);
    const s = parallel.stats;
    const incarnations = s.txs.reduce((a, t) => a + t.incarnations, 0);
    trace.measured = {
      workers: s.workers,
      mode: s.mode,
      reexecutions: s.reexecutions,
      wasted: s.wasted,
      ...(s.mode === "parallel" && incarnations > 0 ? { coordinatorMicros: (1000 * s.coordinatorMs) / incarnations } : {}),
    };
  }
  return { input, trace, preimages, result };
}

/** What a trace keeps of a transaction's target: the selector it calls, or the contract it created. */
function callee(data: Uint8Array, created: string | undefined): { selector?: string; created?: string } {
  if (created !== undefined) return { created: created.replace(/^0x/, "").toLowerCase() };
  return data.length >= 4 ? { selector: bytesToHex(data.subarray(0, 4)).slice(2) } : {};
}

/**
 * What the test reporter records while a test suite runs on the parallel
 * network: every mined block's transactions, named (`Token.transfer`), and
 * the dependencies between them, in groups of transactions that ran against
 * one evolving state:
 *
 * - a *batch*: a block of two or more transactions (mineBatch, evm_mine with
 *   automine off). Its dependencies are the block's own (conflict-graph.ts).
 * - a *sequence*: the one-transaction blocks a test mines one after another
 *   (automine), until the test ends or a snapshot or revert (loadFixture)
 *   moves the state. Tx j depends on an earlier tx i of the sequence when it
 *   read a location i wrote: had both been sent in one block, j would have
 *   waited for i.
 *
 * Two kinds of dependency say nothing about a contract and are left out: on
 * or of a deployment (a call needs the contract to exist), and a sender's own
 * account (its nonce orders its transactions on any chain). Fee payments to
 * the block's beneficiary commute and are not dependencies (as in the
 * conflict report).
 */
import { callLabel, variableLabel } from "../../analysis/calls";
import { conflictGraph } from "../../analysis/conflict-graph";
import { conflictReport, withoutBeneficiaryCredits } from "../../analysis/conflict-report";
import type { Naming } from "../../analysis/conflict-report";
import type { TracedBlock } from "../../analysis/trace-block";
import type { TxTrace } from "../../analysis/trace";
import { addressOf, balanceKey, infoKey } from "../../engine/location";
import type { LocationKey } from "../../engine/types";
import type { NetworkObserver } from "../../network/node";

export interface TxRecord {
  /** `Contract.function` (analysis/calls.ts). */
  call: string;
  from: string;
  creation: boolean;
  gas: bigint;
}

export interface GroupEdge {
  /** Indexes in the group: `to` depends on `from`. */
  from: number;
  to: number;
  /** The variables it depends through (analysis/calls.ts variableLabel). */
  variables: string[];
}

export interface BatchFacts {
  block: number;
  dependentTxs: number;
  /** Total gas / gas of the heaviest dependency chain: the most any number of workers could gain (deterministic: gas, not time). */
  idealSpeedup: number;
  /** The block's hotspots, as the conflict report names them. */
  hotspots: string[];
}

export interface TxGroup {
  kind: "batch" | "sequence";
  /** The test (or hook) that mined it, as mocha names it ("Token transfers one way" / "Token \"before each\" hook"). */
  test: string;
  blocks: number;
  txs: TxRecord[];
  edges: GroupEdge[];
  batch?: BatchFacts;
}

interface OpenSequence {
  group: TxGroup;
  /** The last writer of each location in the sequence, with the location's variable named when it was written. */
  lastWriter: Map<LocationKey, { tx: number; variable: string }>;
}

export class TestRecorder implements NetworkObserver {
  /** The runnable now running (set by the reporter's mocha hooks). */
  label = "(outside any test)";
  readonly groups: TxGroup[] = [];
  readonly errors: string[] = [];
  private open: OpenSequence | undefined;

  blockMined(traced: TracedBlock, naming: Naming | undefined): void {
    const { trace } = traced;
    if (trace.txs.length > 1) {
      this.close();
      this.groups.push(batchGroup(traced, naming, this.label));
      return;
    }
    if (this.open !== undefined && this.open.group.test !== this.label) this.close();
    const open = (this.open ??= { group: { kind: "sequence", test: this.label, blocks: 0, txs: [], edges: [] }, lastWriter: new Map() });
    appendToSequence(open, trace.txs[0], trace.beneficiary, naming);
  }

  stateMoved(): void {
    this.close();
  }

  failed(error: unknown): void {
    if (this.errors.length < 10) this.errors.push(`a block could not be analysed during "${this.label}": ${error instanceof Error ? error.message : String(error)}`);
  }

  /** Ends the open sequence (a test ended, the state moved). */
  close(): void {
    if (this.open !== undefined && this.open.group.txs.length > 0) this.groups.push(this.open.group);
    this.open = undefined;
  }
}

function record(tx: TxTrace, naming: Naming | undefined): TxRecord {
  return { call: callLabel(tx, naming), from: tx.from, creation: tx.created !== undefined || tx.to === null, gas: tx.gasUsed };
}

/** Whether a dependency of `reader` on `writer` through `key` is about the contracts (see the module comment). */
function countsAsDependency(writer: TxRecord, reader: TxRecord, key: LocationKey): boolean {
  if (writer.creation || reader.creation) return false;
  return !(writer.from === reader.from && (key === infoKey(reader.from) || key === balanceKey(reader.from)));
}

function appendToSequence(open: OpenSequence, tx: TxTrace, beneficiary: string, naming: Naming | undefined): void {
  const { group, lastWriter } = open;
  const j = group.txs.length;
  const reader = record(tx, naming);
  group.txs.push(reader);
  group.blocks++;
  const byWriter = new Map<number, Set<string>>();
  for (const read of tx.reads) {
    if (read.predicate !== undefined || addressOf(read.key) === beneficiary) continue;
    const written = lastWriter.get(read.key);
    if (written === undefined || !countsAsDependency(group.txs[written.tx], reader, read.key)) continue;
    let variables = byWriter.get(written.tx);
    if (variables === undefined) byWriter.set(written.tx, (variables = new Set()));
    variables.add(written.variable);
  }
  for (const [from, variables] of byWriter) group.edges.push({ from, to: j, variables: [...variables] });
  for (const w of tx.writes) {
    if (addressOf(w.key) !== beneficiary) lastWriter.set(w.key, { tx: j, variable: variableLabel(w.key, naming) });
  }
}

function batchGroup(traced: TracedBlock, naming: Naming | undefined, test: string): TxGroup {
  const trace = withoutBeneficiaryCredits(traced.trace);
  const txs = trace.txs.map((tx) => record(tx, naming));
  const graph = conflictGraph(trace.txs, (reader, key, writer) => countsAsDependency(txs[writer], txs[reader], key));
  const edges = graph.edges.map((e) => ({ from: e.from, to: e.to, variables: [...new Set(e.keys.map((k) => variableLabel(k, naming)))] }));
  // The block as it is (every dependency), weighed by gas so the figure is the same on every run.
  const byGas = conflictGraph(trace.txs.map((tx) => ({ reads: tx.reads, micros: Number(tx.gasUsed) })));
  const totalGas = byGas.work.reduce((a, b) => a + b, 0);
  const report = conflictReport(traced.trace, { naming, top: 3 });
  return {
    kind: "batch",
    test,
    blocks: 1,
    txs,
    edges,
    batch: {
      block: trace.number,
      dependentTxs: report.dependentTxs,
      idealSpeedup: byGas.criticalMicros > 0 ? totalGas / byGas.criticalMicros : 1,
      hotspots: report.hotspots.map((h) => h.display),
    },
  };
}

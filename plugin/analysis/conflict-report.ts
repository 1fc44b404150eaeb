/**
 * The conflict report of a block: its dependency graph, the locations behind
 * the dependencies ranked by impact (hotspots), each named as a Solidity
 * variable where the project's storage layouts allow, classified, with a
 * remedy and what-if bounds; dependency distances and hub contracts.
 * `parallel-conflicts`, `parallel_getConflictReport` and the tests share it
 * (docs/conflicts.md defines every field).
 */
import { addressOf, balanceKey, kindOf, slotOf } from "../engine/location";
import type { LocationKind } from "../engine/location";
import type { LocationKey } from "../engine/types";
import { callLabel, variableLabel, variableRoot } from "./calls";
import { conflictGraph, distanceHistogram } from "./conflict-graph";
import type { ConflictGraph } from "./conflict-graph";
import { locationFacts } from "./location-facts";
import type { LocationFacts } from "./location-facts";
import { classify } from "./patterns";
import type { Classification, VariableHint } from "./patterns";
import { simulateBlockStm } from "./simulate";
import type { SourceSite } from "./source-sites";
import type { BlockTrace, MeasuredRun } from "./trace";
import { boundOf, whatIf } from "./what-if";
import type { ModelSettings, SpeedupBound, WhatIf } from "./what-if";

export const CONFLICT_REPORT_SCHEMA_VERSION = 1;

/** What `parallel-conflicts --json` writes (docs/conflicts.md). */
export interface ConflictsReport {
  schemaVersion: number;
  /** What was analysed, as given on the command line. */
  source: { kind: "workload" | "fixtures" | "block" | "script" | "network"; description: string };
  blocks: BlockConflicts[];
  /** Blocks that could not be analysed, and why. */
  skipped: { block: string; reason: string }[];
}

/** A location named by the project's storage layouts (or only by its mapping keys). */
export interface LocationName {
  contract: string | null;
  /** Full variable path, e.g. `markets[0x…].totalBorrows`; null when only the key is known. */
  variable: string | null;
  /** Decoded mapping keys and array indices, in order. */
  key: string[];
  type: string | null;
  /** Labels of every variable packed in the slot (more than one: packed). */
  packed: string[];
  arrayLength: boolean;
  /** Whether the slot comes from a keccak preimage (a mapping entry or array element): per-key state. */
  derived: boolean;
  /** Packed fields that differ between two slot values (for the packed-slot pattern). */
  changedFields?: (before: bigint, after: bigint) => string[];
}

export interface Naming {
  name(key: LocationKey): LocationName | undefined;
  /** Contract name deployed at an address (40 hex, no 0x), when known. */
  contractAt(address: string): string | undefined;
  isContract(address: string): boolean;
  /** The Solidity source of an instruction of the code at `codeAddress`, when the project has it. */
  sourceOf?(codeAddress: string, pc: number): SourceSite | undefined;
  /** The function a selector (8 hex digits) calls on a contract of the project: its name, or its signature when overloaded. */
  functionOf?(contract: string, selector: string): string | undefined;
}

/** Where a hotspot is read or written, in the source (or the code address and pc without one). */
export interface AccessSite {
  access: "read" | "write";
  /** Transactions that accessed the location there (readers: those that depended on an earlier write). */
  txs: number;
  contract: string | null;
  /** 0x-prefixed address of the code that ran the SLOAD or SSTORE (for storage behind a proxy, the implementation). */
  codeAddress: string;
  pc: number;
  file: string | null;
  line: number | null;
  function: string | null;
  code: string | null;
}

export interface ConflictReportOptions {
  naming?: Naming;
  /** Hotspots listed per block (default 10). */
  top?: number;
  /**
   * Dependent transactions a location needs to count as a hotspot (default
   * 2): one pair of transactions meeting at one account (a recipient who
   * then sends) is an incidental dependency, counted but not listed.
   */
  minDependents?: number;
  /** Ways of the sharding what-if (default 8). */
  shards?: number;
  /** Workers of the scheduler model that blames re-executions when no parallel run was measured (default 8). */
  modelWorkers?: number;
  /** Calling-thread cost per incarnation for the model when not measured (default 30 µs, metrics.md). */
  coordinatorMicros?: number;
  /** Dependencies listed in `graph.edges` for drawing (default 5,000; the rest are counted in `graph.omitted`). */
  maxGraphEdges?: number;
  /** Also list every variable the block's transactions read or wrote (`variables`). */
  accessedVariables?: boolean;
}

export interface Hotspot {
  rank: number;
  kind: LocationKind;
  /** 0x-prefixed account address. */
  address: string;
  /** 0x-prefixed 32-byte slot for storage, null otherwise. */
  slot: string | null;
  contract: string | null;
  variable: string | null;
  key: string[];
  type: string | null;
  packedWith: string[];
  /** One line naming the location, e.g. `AmmPair.reserve0 (slot 8, packed with reserve1 and blockTimestampLast)`. */
  display: string;
  /** Transactions that depend on an earlier one through this location. */
  dependentTxs: number;
  /** Writer-to-reader pairs through it. */
  dependencies: number;
  /** Of those, pairs whose reader also wrote it (an update chain: write after write); the rest only read it. */
  updateDependencies: number;
  /** Pairs for which it is the first stale location the reader read: where validation fails. */
  blamedDependencies: number;
  reexecutions: number;
  reexecutionsSource: "measured" | "model";
  /** Execution time of the wasted incarnations blamed on it, µs. */
  wastedMicros: number;
  /** Gas those wasted incarnations burnt (each counted at its transaction's gas). */
  wastedGas: string;
  /** Share of the critical path's time whose link goes through it (0 to 1). */
  criticalPathShare: number;
  pattern: Classification["pattern"];
  origin: Classification["origin"];
  commutative: boolean;
  remedy: string;
  whatIf: WhatIf;
  /** Where the conflicting writes and the dependent reads happen (storage locations, up to 2 places each); empty when not recorded. */
  sites: AccessSite[];
}

export interface BlockConflicts {
  number: number;
  hash: string | null;
  txs: number;
  dependentTxs: number;
  dependencies: number;
  /** The block as it is. */
  bound: SpeedupBound;
  measured: MeasuredRun | null;
  /** Dependencies by distance j - i (close ones cost optimistic execution most). */
  distances: { distance: number; dependencies: number }[];
  hubs: Hub[];
  hotspots: Hotspot[];
  /** Hotspots not listed (beyond `top`). */
  moreHotspots: number;
  /** Locations behind fewer than `minDependents` dependent txs (not hotspots). */
  incidental: number;
  /** The dependencies themselves, for drawing the graph (the HTML report's arc diagram); absent in reports from before it was added. */
  graph?: DependencyEdges;
  /** What each transaction called, `Contract.function` (calls.ts), in block order; absent in reports from before it was added. */
  calls?: string[];
  /** Every variable the transactions read or wrote, as `Contract.variable` (packed neighbours included), with `accessedVariables`. */
  variables?: string[];
}

/**
 * Every dependency as `[writer, reader, hotspot]`, in block order of the
 * reader: `hotspot` is the rank of the listed hotspot it goes through (the
 * best-ranked one when several), 0 when it goes through none of them. At
 * most `maxGraphEdges` are listed; `omitted` counts the rest.
 */
export interface DependencyEdges {
  edges: [from: number, to: number, hotspot: number][];
  omitted: number;
}

export const DEFAULT_MAX_GRAPH_EDGES = 5000;

export interface Hub {
  address: string;
  contract: string | null;
  /** Dependencies through its state. */
  dependencies: number;
  /** Through per-key state (mapping entries, array elements). */
  perKey: number;
  /** Through fixed slots, its balance or its account. */
  global: number;
}

const DEFAULT_COORDINATOR_MICROS = 30;

export function conflictReport(fullTrace: BlockTrace, opts: ConflictReportOptions = {}): BlockConflicts {
  const trace = withoutBeneficiaryCredits(fullTrace);
  const graph = conflictGraph(trace.txs);
  const facts = locationFacts(trace);
  const model: ModelSettings = {
    coordinatorMicros: trace.measured?.coordinatorMicros ?? opts.coordinatorMicros ?? DEFAULT_COORDINATOR_MICROS,
    serialMicros: trace.serialMicros,
  };
  const stats = locationStats(trace, graph, model, opts.modelWorkers ?? 8);
  const ranked = [...stats.values()].sort(
    (a, b) => b.dependents.size - a.dependents.size || b.blamed - a.blamed || b.wastedMicros - a.wastedMicros || (a.key < b.key ? -1 : 1),
  );
  const hot = ranked.filter((s) => s.dependents.size >= (opts.minDependents ?? 2));
  const top = hot.slice(0, opts.top ?? 10);
  const hotspots = top.map((s, i) => hotspot(trace, s, facts.get(s.key), graph, model, opts, i + 1));
  // Several instances of one contract (two tokens): tell them apart by address.
  for (const h of hotspots) {
    if (h.contract !== null && hotspots.some((o) => o.contract === h.contract && o.address !== h.address)) h.display = h.display.replace(h.contract, `${h.contract}@${shortHex(h.address)}`);
  }
  return {
    number: trace.number,
    hash: trace.hash ?? null,
    txs: trace.txs.length,
    dependentTxs: graph.dependsOn.filter((d) => d.length > 0).length,
    dependencies: graph.edges.length,
    bound: boundOf(graph, model),
    measured: trace.measured ?? null,
    distances: [...distanceHistogram(graph.edges)].map(([distance, dependencies]) => ({ distance, dependencies })),
    hubs: hubs(graph, opts.naming),
    hotspots,
    moreHotspots: hot.length - top.length,
    incidental: ranked.length - hot.length,
    graph: dependencyEdges(graph, new Map(top.map((s, i) => [s.key, i + 1])), opts.maxGraphEdges ?? DEFAULT_MAX_GRAPH_EDGES),
    calls: trace.txs.map((tx) => callLabel(tx, opts.naming)),
    ...(opts.accessedVariables === true ? { variables: accessedVariables(trace, opts.naming) } : {}),
  };
}

/** The named variables among the locations the block read or wrote, sorted. */
function accessedVariables(trace: BlockTrace, naming: Naming | undefined): string[] {
  const keys = new Set<LocationKey>();
  for (const tx of trace.txs) {
    for (const r of tx.reads) if (kindOf(r.key) === "storage") keys.add(r.key);
    for (const w of tx.writes) if (kindOf(w.key) === "storage") keys.add(w.key);
  }
  const variables = new Set<string>();
  for (const key of keys) {
    const name = naming?.name(key);
    if (!name?.variable) continue;
    variables.add(variableLabel(key, naming));
    // The variables packed beside it share the slot: they were read or written too.
    if (name.packed.length > 1 && name.contract !== null) for (const packed of name.packed) variables.add(`${name.contract}.${variableRoot(packed)}`);
  }
  return [...variables].sort();
}

function dependencyEdges(graph: ConflictGraph, rankOf: Map<LocationKey, number>, max: number): DependencyEdges {
  if (!Number.isInteger(max) || max < 0) throw new RangeError(`maxGraphEdges must be a non-negative integer, got ${max}`);
  const edges = graph.edges.slice(0, max).map((e): [number, number, number] => {
    let best = 0;
    for (const key of e.keys) {
      const rank = rankOf.get(key);
      if (rank !== undefined && (best === 0 || rank < best)) best = rank;
    }
    return [e.from, e.to, best];
  });
  return { edges, omitted: graph.edges.length - edges.length };
}

/**
 * Ether sent to the block's beneficiary (a builder tip through
 * block.coinbase.transfer) only adds to its balance: like the fee payments,
 * it commutes with every other credit, so the tip's read of that balance is
 * not counted as a dependency. (This engine still reads the balance to add to
 * it; a measured run's re-executions show what that costs.)
 */
export function withoutBeneficiaryCredits(trace: BlockTrace): BlockTrace {
  const key = balanceKey(trace.beneficiary);
  const txs = trace.txs.map((tx) => {
    if (tx.from === trace.beneficiary) return tx;
    const before = tx.reads.find((r) => r.key === key && r.predicate === undefined);
    const after = tx.writes.find((w) => w.key === key);
    if (before === undefined || after === undefined || typeof before.value !== "bigint" || typeof after.value !== "bigint" || after.value < before.value) return tx;
    return { ...tx, reads: tx.reads.filter((r) => r !== before) };
  });
  return { ...trace, txs };
}

interface LocationStats {
  key: LocationKey;
  dependents: Set<number>;
  dependencies: number;
  updates: number;
  blamed: number;
  reexecutions: number;
  wastedMicros: number;
  wastedGas: bigint;
  criticalMicros: number;
}

function locationStats(trace: BlockTrace, graph: ConflictGraph, model: ModelSettings, modelWorkers: number): Map<LocationKey, LocationStats> {
  const stats = new Map<LocationKey, LocationStats>();
  const of = (key: LocationKey): LocationStats => {
    let s = stats.get(key);
    if (s === undefined) stats.set(key, (s = { key, dependents: new Set(), dependencies: 0, updates: 0, blamed: 0, reexecutions: 0, wastedMicros: 0, wastedGas: 0n, criticalMicros: 0 }));
    return s;
  };
  const written = trace.txs.map((tx) => new Set(tx.writes.map((w) => w.key)));
  const firstKey = new Map<string, LocationKey>();
  for (const e of graph.edges) {
    // Keys are in the reader's read order: validation finds the first one stale.
    firstKey.set(`${e.from}>${e.to}`, e.keys[0]);
    of(e.keys[0]).blamed++;
    for (const key of e.keys) {
      const s = of(key);
      s.dependents.add(e.to);
      s.dependencies++;
      if (written[e.to].has(key)) s.updates++;
    }
  }
  const blame = (key: LocationKey, tx: number, micros: number): void => {
    const s = of(key);
    s.reexecutions++;
    s.wastedMicros += micros;
    s.wastedGas += trace.txs[tx].gasUsed;
  };
  if (trace.measured !== undefined && trace.measured.mode === "parallel") {
    for (const w of trace.measured.wasted) blame(w.key, w.tx, w.micros);
  } else {
    const run = simulateBlockStm({ work: graph.work, dependsOn: graph.dependsOn, ...model, recordWaste: true }, modelWorkers);
    for (const w of run.wasted ?? []) blame(firstKey.get(`${w.dependency}>${w.tx}`)!, w.tx, w.micros);
  }
  for (const link of graph.criticalPath) {
    for (const key of new Set(link.via)) of(key).criticalMicros += graph.work[link.tx];
  }
  // Locations only blamed by a measured run but behind no dependency of the sequential trace stay listed: they cost time.
  return stats;
}

function hotspot(trace: BlockTrace, s: LocationStats, facts: LocationFacts | undefined, graph: ConflictGraph, model: ModelSettings, opts: ConflictReportOptions, rank: number): Hotspot {
  const kind = kindOf(s.key);
  const address = addressOf(s.key);
  const slot = kind === "storage" ? slotOf(s.key) : undefined;
  const name = opts.naming?.name(s.key);
  const contract = name?.contract ?? opts.naming?.contractAt(address) ?? null;
  const packedWith = name?.packed.filter((p) => p !== name.variable?.split(".").pop()) ?? [];
  const hint: VariableHint | undefined = name?.variable ? { variable: name.variable, type: name.type ?? "", packed: name.packed, arrayLength: name.arrayLength } : undefined;
  const emptyFacts: LocationFacts = { key: s.key, kind, address, slot, writers: [], deltas: [], blindWriters: 0, restoringWriters: 0, timestampWriters: 0, senders: new Set() };
  const f = facts ?? emptyFacts;
  const classification = classify({
    facts: f,
    beneficiary: trace.beneficiary,
    sameSenderChain: kind === "info" && graph.edges.every((e) => !e.keys.includes(s.key) || (trace.txs[e.from].from === address && trace.txs[e.to].from === address)),
    isContract: opts.naming?.isContract(address) ?? false,
    changedFields: name?.changedFields !== undefined && name.packed.length > 1 ? changedFieldsOf(trace, s.key, name.changedFields) : undefined,
    hint,
  });
  return {
    rank,
    kind,
    address: "0x" + address,
    slot: slot === undefined ? null : "0x" + slot,
    contract,
    variable: name?.variable ?? null,
    key: name?.key ?? [],
    type: name?.type ?? null,
    packedWith,
    display: displayOf(kind, address, slot, contract, name, packedWith),
    dependentTxs: s.dependents.size,
    dependencies: s.dependencies,
    updateDependencies: s.updates,
    blamedDependencies: s.blamed,
    reexecutions: s.reexecutions,
    reexecutionsSource: trace.measured?.mode === "parallel" ? "measured" : "model",
    wastedMicros: Math.round(s.wastedMicros),
    wastedGas: s.wastedGas.toString(),
    criticalPathShare: graph.criticalMicros > 0 ? s.criticalMicros / graph.criticalMicros : 0,
    pattern: classification.pattern,
    origin: classification.origin,
    commutative: classification.commutative,
    remedy: classification.remedy,
    whatIf: whatIf(trace, s.key, facts, classification.commutative, model, opts.shards ?? 8),
    sites: kind === "storage" ? accessSites(trace, s.key, f.writers, s.dependents, opts.naming) : [],
  };
}

/** `written at TestToken.sol:73 in _update(): \`_balances[to] = ...\` (11 txs)`, or by code address and pc without a source. */
export function describeSite(s: AccessSite): string {
  const verb = s.access === "write" ? "written" : "read";
  const count = `(${s.txs} tx${s.txs === 1 ? "" : "s"})`;
  if (s.file === null) return `${verb} by ${s.contract ?? s.codeAddress} at pc ${s.pc} ${count}`;
  return `${verb} at ${s.file}:${s.line}${s.function === null ? "" : ` in ${s.function}`}: \`${s.code}\` ${count}`;
}

/** The places that wrote the location and the places where dependents read it, the busiest first. */
function accessSites(trace: BlockTrace, key: LocationKey, writers: readonly number[], readers: ReadonlySet<number>, naming: Naming | undefined): AccessSite[] {
  const sites = trace.storageSites;
  if (sites === undefined) return [];
  const out: AccessSite[] = [];
  for (const [access, txs] of [["write", writers], ["read", [...readers]]] as const) {
    const byPlace = new Map<string, AccessSite>();
    for (const tx of txs) {
      const site = sites.get(`${tx}:${access === "write" ? "w" : "r"}:${key}`);
      if (site === undefined) continue;
      const source = site.initCode === true ? undefined : naming?.sourceOf?.(site.codeAddress, site.pc);
      // One place per source line (the optimizer may load a slot at several pcs of one statement).
      const place = source === undefined ? `${site.codeAddress}:${site.pc}` : `${source.file}:${source.line}`;
      const known = byPlace.get(place);
      if (known !== undefined) {
        known.txs++;
        continue;
      }
      byPlace.set(place, {
        access,
        txs: 1,
        contract: naming?.contractAt(site.codeAddress) ?? null,
        codeAddress: "0x" + site.codeAddress,
        pc: site.pc,
        file: source?.file ?? null,
        line: source?.line ?? null,
        function: source?.function ?? (site.initCode === true ? "constructor" : null),
        code: source?.code ?? null,
      });
    }
    out.push(...[...byPlace.values()].sort((a, b) => b.txs - a.txs).slice(0, 2));
  }
  return out;
}

/** Per writer of a packed slot, the fields its write changed. */
function changedFieldsOf(trace: BlockTrace, key: LocationKey, diff: (before: bigint, after: bigint) => string[]): string[][] {
  const out: string[][] = [];
  for (const tx of trace.txs) {
    const w = tx.writes.find((x) => x.key === key);
    const r = tx.reads.find((x) => x.key === key);
    if (w !== undefined && typeof w.value === "bigint" && r !== undefined && typeof r.value === "bigint") out.push(diff(r.value, w.value));
  }
  return out;
}

function displayOf(kind: LocationKind, address: string, slot: string | undefined, contract: string | null, name: LocationName | undefined, packedWith: string[]): string {
  const who = contract ?? `0x${address}`;
  if (kind === "balance") return `${who} ether balance`;
  if (kind === "info") return `${who} account (nonce, code)`;
  if (kind === "wipe") return `${who} storage wipe`;
  const slotText = `slot ${shortHex("0x" + BigInt("0x" + slot).toString(16))}`;
  if (name?.variable) {
    const packed = name.packed.length > 1 ? `, packed with ${packedWith.join(" and ")}` : "";
    return `${who}.${name.variable} (${slotText}${packed})`;
  }
  if (name !== undefined && name.key.length > 0) return `${who} ${slotText} [key ${name.key.join("][")}]`;
  return `${who} ${slotText}`;
}

/** Long hex shortened for display: 0x1234…abcd. */
export function shortHex(hex: string): string {
  return hex.length > 14 ? `${hex.slice(0, 6)}…${hex.slice(-4)}` : hex;
}

function hubs(graph: ConflictGraph, naming: Naming | undefined): Hub[] {
  const byAddress = new Map<string, Hub>();
  for (const e of graph.edges) {
    // Per contract on this dependency: whether any of its locations involved is global (a fixed slot, its balance or account).
    const global = new Map<string, boolean>();
    for (const key of e.keys) {
      const address = addressOf(key);
      global.set(address, (global.get(address) ?? false) || naming?.name(key)?.derived !== true);
    }
    for (const [address, isGlobal] of global) {
      let hub = byAddress.get(address);
      if (hub === undefined) byAddress.set(address, (hub = { address: "0x" + address, contract: naming?.contractAt(address) ?? null, dependencies: 0, perKey: 0, global: 0 }));
      hub.dependencies++;
      if (isGlobal) hub.global++;
      else hub.perKey++;
    }
  }
  return [...byAddress.values()].sort((a, b) => b.dependencies - a.dependencies).slice(0, 10);
}

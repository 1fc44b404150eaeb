// `npx hardhat parallel-conflicts`: which storage locations (named as
// Solidity variables where the project's layouts allow) make a block's
// transactions depend on each other, why, and what changing them would gain.
// Argument parsing and output here; the analysis in plugin/analysis.
import { bytesToHex } from "@ethereumjs/util";
import { existsSync } from "node:fs";
import path from "node:path";

import type { HardhatRuntimeEnvironment } from "hardhat/types";

import { CONFLICT_REPORT_SCHEMA_VERSION, conflictReport, describeSite } from "../plugin/analysis/conflict-report";
import type { ConflictsReport, Hotspot } from "../plugin/analysis/conflict-report";
import { blockAccessList } from "../plugin/analysis/block-access-list";
import type { AccountChanges } from "../plugin/analysis/block-access-list";
import { traceBlock } from "../plugin/analysis/trace-block";
import type { TracedBlock } from "../plugin/analysis/trace-block";
import { ParallelExecutor } from "../plugin/engine";
import type { ParallelBlockInput } from "../plugin/engine";
import { loadBlocks, parseBlockNumbers, withFixtureErrors } from "../plugin/hardhat/block-sources";
import { pluginError } from "../plugin/hardhat/errors";
import { installParallelNetwork, servesParallelNetwork } from "../plugin/hardhat/network";
import { runScriptInProcess } from "../plugin/hardhat/run-script";
import { writeHtmlReport, writeJsonReport } from "../plugin/hardhat/report-files";
import { renderConflictsHtml } from "../plugin/analysis/html/conflicts-html";
import { projectNaming } from "../plugin/hardhat/storage-naming";
import type { ProjectNaming } from "../plugin/hardhat/storage-naming";
import type { ConflictsTaskArgs } from "../plugin/hardhat/task-args";
import { table } from "../plugin/hardhat/text-table";
import { bundledArtifacts } from "../plugin/hardhat/workload-artifacts";
import { PRESET_NAMES, WorkloadParameterError, generateWorkload, prepareWorkloadOnEngine } from "../plugin/workloads";
import type { PresetName } from "../plugin/workloads";

/** A block to analyse, however it was obtained. */
interface SourceBlock {
  label: string;
  /** A block recorded from a chain: its header's gas and receipts root must come out of the run. */
  recorded?: boolean;
  /** With the senders the source knows (they let the parallel run schedule nonce chains). */
  input: ParallelBlockInput;
}

export async function conflictsAction(args: ConflictsTaskArgs, hre: HardhatRuntimeEnvironment): Promise<ConflictsReport> {
  checkArgs(args);
  const accessLists: BlockAccessLists["blocks"] = [];
  const report = args.run !== undefined ? await scriptReport(args, args.run, hre) : await blockReport(args, hre, args.bal === undefined ? undefined : accessLists);
  console.log(renderConflicts(report, args.shards));
  if (args.json !== undefined) log(`wrote ${writeJsonReport(args.json, report)}`);
  if (args.html !== undefined) log(`wrote ${writeHtmlReport(args.html, renderConflictsHtml(report))}`);
  if (args.bal !== undefined) log(`wrote ${writeJsonReport(args.bal, { format: "EIP-7928 block access list (JSON, camelCase)", blocks: accessLists } satisfies BlockAccessLists)}`);
  if (report.blocks.length === 0) throw pluginError(`no block could be analysed: ${report.skipped.map((s) => `${s.block}: ${s.reason}`).join("; ")}`);
  return report;
}

/** What `--bal` writes: each analysed block's access list (plugin/analysis/block-access-list.ts). */
interface BlockAccessLists {
  format: string;
  blocks: { number: number; hash: string | null; accessList: AccountChanges[] }[];
}

/** Workload presets and recorded blocks: run here, sequentially with preimages and on the parallel executor. */
async function blockReport(args: ConflictsTaskArgs, hre: HardhatRuntimeEnvironment, accessLists?: BlockAccessLists["blocks"]): Promise<ConflictsReport> {
  const { source, blocks } = await sourceBlocks(args, hre);
  // After the sources: a workload compiles the bundled contracts first when running from this repository.
  const naming = await projectNaming(hre.artifacts);
  warnWithoutLayouts(naming);
  if (blocks.length === 0) throw pluginError(`${source.description} holds no block to analyse. Point --fixtures at a folder with block.json and pre_state.json, or use --workload.`);
  const executor = args.workers > 1 ? new ParallelExecutor({ workers: args.workers, maxReexecutionRatio: hre.config.parallel.maxReexecutionRatio }) : undefined;
  const report: ConflictsReport = { schemaVersion: CONFLICT_REPORT_SCHEMA_VERSION, source, blocks: [], skipped: [] };
  try {
    for (const [i, b] of blocks.entries()) {
      log(`[${i + 1}/${blocks.length}] ${b.label}: ${b.input.block.transactions.length} txs: running sequentially${executor === undefined ? "" : ` and on ${args.workers} workers`}`);
      if (b.input.block.transactions.length === 0) {
        report.skipped.push({ block: b.label, reason: "the block has no transactions" });
        continue;
      }
      let traced: TracedBlock;
      try {
        traced = await traceBlock(b.input, { executor });
        if (b.recorded) checkAgainstHeader(traced);
      } catch (e) {
        // A block that does not execute as recorded (a partial pre-state, an invalid transaction) is reported; the others are still analysed.
        const reason = e instanceof Error ? e.message : String(e);
        log(`  skipped: ${reason}`);
        report.skipped.push({ block: b.label, reason });
        continue;
      }
      log(`  analysing ${traced.trace.txs.length} txs (${traced.preimages.size} keccak preimages recorded)`);
      report.blocks.push(conflictReport(traced.trace, { naming: naming.forBlock(traced), top: args.top, shards: args.shards }));
      accessLists?.push({ number: traced.trace.number, hash: traced.trace.hash ?? null, accessList: blockAccessList(traced) });
    }
  } finally {
    await executor?.close();
  }
  return report;
}

/**
 * `--run`: the script runs in this process on the parallel network (installed
 * for this run when the config does not select it), and the blocks it mined
 * are analysed by the network itself (parallel_getConflictReport), which
 * runs each again on its own pre-state with preimages recorded.
 */
async function scriptReport(args: ConflictsTaskArgs, script: string, hre: HardhatRuntimeEnvironment): Promise<ConflictsReport> {
  const file = path.resolve(hre.config.paths.root, script);
  if (!existsSync(file)) throw pluginError(`--run: ${file} does not exist. Give the path of a script, e.g. --run scripts/simulate.ts`);
  if (hre.network.name !== "hardhat") throw pluginError(`--run analyses blocks of the in-process network: run with --network hardhat (got --network ${hre.network.name})`);
  // As `hardhat run` does: the script deploys the project's contracts, and their layouts name the slots.
  await hre.run("compile", { quiet: true });
  warnWithoutLayouts(await projectNaming(hre.artifacts));
  if (!servesParallelNetwork(hre)) installParallelNetwork(hre);
  const provider = hre.network.provider;
  const first = Number(await provider.request({ method: "eth_blockNumber" })) + 1;
  log(`running ${script} on the parallel network (from block ${first})`);
  const { failure } = await runScriptInProcess(file);
  const last = Number(await provider.request({ method: "eth_blockNumber" }));
  if (failure !== undefined) log(`the script failed: ${failure}\nparallel-conflicts: analysing the blocks it mined before that`);
  const report: ConflictsReport = { schemaVersion: CONFLICT_REPORT_SCHEMA_VERSION, source: { kind: "script", description: `script ${script}, blocks ${first} to ${last}` }, blocks: [], skipped: [] };
  if (last < first) {
    report.skipped.push({ block: "none", reason: `the script mined no block${failure === undefined ? "" : ` (it failed: ${failure.split("\n")[0]})`}` });
    return report;
  }
  // The network answers in ranges of at most 64 blocks.
  for (let from = first; from <= last; from += 64) {
    const to = Math.min(last, from + 63);
    log(`analysing blocks ${from} to ${to}`);
    const part = (await provider.request({ method: "parallel_getConflictReport", params: [from, to, { top: args.top, shards: args.shards }] })) as ConflictsReport;
    report.blocks.push(...part.blocks);
    report.skipped.push(...part.skipped);
  }
  if (report.blocks.length === 0) {
    report.skipped.push({ block: "all", reason: "no block the script mined has transactions (send with automine off and mine with evm_mine to put several in one block)" });
  }
  return report;
}

/**
 * A recorded block whose run does not give its header's gas used and
 * receipts root was run on a wrong or partial pre-state (a missing account or
 * slot reads as empty): analysing it would describe another block.
 */
function checkAgainstHeader(traced: TracedBlock): void {
  const { header } = traced.input.block;
  const gasUsed = traced.result.gasUsed;
  // Before Byzantium a receipt holds the state root after its transaction, which a partial pre-state cannot give: gas only.
  const receiptsMatch = !header.common.gteHardfork("byzantium") || bytesToHex(traced.result.receiptsRoot) === bytesToHex(header.receiptTrie);
  if (gasUsed === header.gasUsed && receiptsMatch) return;
  throw new Error(
    `run on the given pre-state, the block used ${gasUsed} gas${receiptsMatch ? "" : " with other receipts"} where its header says ${header.gasUsed}: the pre-state is partial or not this block's. ` +
      `Record it again with debug_traceBlockByNumber(<number>, { tracer: "prestateTracer" }) and pass it with --prestate (or as pre_state.json beside block.json).`,
  );
}

/** Contracts built before the plugin asked solc for storage layouts keep their slots unnamed until they are compiled again. */
function warnWithoutLayouts(naming: ProjectNaming): void {
  const names = naming.withoutLayout;
  if (names.length === 0) return;
  const shown = names.length > 5 ? `${names.slice(0, 5).join(", ")} and ${names.length - 5} more` : names.join(", ");
  log(`note: ${names.length} contract(s) were compiled without a storage layout (${shown}): their slots are shown by address and slot. Run \`npx hardhat compile --force\` to name them (the plugin asks solc for storageLayout).`);
}

function checkArgs(args: ConflictsTaskArgs): void {
  const sources = [args.run !== undefined, args.workload !== undefined, args.block !== undefined || args.prestate !== undefined, args.fixtures !== undefined].filter(Boolean).length;
  if (sources === 0) {
    throw pluginError(
      "say what to analyse: --workload <preset> (one of " + PRESET_NAMES.join(", ") + "), --fixtures <folder of recorded blocks>, --block <block.json> --prestate <prestateTracer.json>, or --run <script> (the blocks it mines). Example: npx hardhat parallel-conflicts --workload amm-hot",
    );
  }
  if (sources > 1) throw pluginError("give one source: --workload, --fixtures, --block with --prestate, or --run");
  if (args.bal !== undefined && args.run !== undefined) throw pluginError("--bal exports blocks this task runs itself (--workload, --fixtures, --block); with --run, ask the network for parallel_getConflictReport instead");
  const int = (flag: string, v: number | undefined, min: number, max: number): void => {
    if (v !== undefined && (!Number.isInteger(v) || v < min || v > max)) throw pluginError(`${flag} must be an integer from ${min} to ${max}, got ${v}`);
  };
  int("--txs", args.txs, 1, 20_000);
  int("--workers", args.workers, 1, 256);
  int("--top", args.top, 1, 1000);
  int("--shards", args.shards, 2, 1024);
  int("--seed", args.seed, 0, 2 ** 31 - 1);
  int("--accounts", args.accounts, 2, 1_000_000);
  int("--pools", args.pools, 1, 1000);
  int("--markets", args.markets, 1, 1000);
  int("--collections", args.collections, 1, 1000);
  int("--txs-per-sender", args.txsPerSender, 1, 20_000);
  if (args.skew !== undefined && !(args.skew >= 0 && args.skew <= 4)) throw pluginError(`--skew must be a number from 0 (uniform) to 4 (very hot), got ${args.skew}`);
  if (args.workload !== undefined && !(PRESET_NAMES as readonly string[]).includes(args.workload)) {
    throw pluginError(`--workload must be one of ${PRESET_NAMES.join(", ")}, got "${args.workload}"`);
  }
}

async function sourceBlocks(args: ConflictsTaskArgs, hre: HardhatRuntimeEnvironment): Promise<{ source: ConflictsReport["source"]; blocks: SourceBlock[] }> {
  if (args.workload !== undefined) {
    const artifacts = await bundledArtifacts(hre);
    const preset = args.workload as PresetName;
    const txs = args.txs ?? 200;
    // The preset's knobs, where given (plugin/workloads/knobs.ts).
    const given = { skew: args.skew, seed: args.seed, pools: args.pools, markets: args.markets, collections: args.collections, txsPerSender: args.txsPerSender };
    const knobs = { txs, accounts: args.accounts ?? Math.max(4 * txs, 100), ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) };
    let workload;
    try {
      workload = generateWorkload(preset, knobs, artifacts);
    } catch (e) {
      if (e instanceof WorkloadParameterError) throw pluginError(`${e.message}. Adjust --txs, --accounts or the preset's knobs.`, e);
      throw e;
    }
    log(`generating the ${preset} workload (${knobs.txs} txs) and deploying its contracts`);
    const engine = await prepareWorkloadOnEngine(workload);
    const description = `workload ${preset}, ${Object.entries(knobs).map(([k, v]) => (k === "txs" ? `${v} txs` : `${k} ${v}`)).join(", ")}`;
    return {
      source: { kind: "workload", description },
      blocks: [{ label: `${preset} block ${engine.block.header.number}`, input: { block: engine.block, preState: engine.preState, blockHashes: engine.blockHashes, senders: engine.senders } }],
    };
  }
  const only = args.blocks === undefined ? undefined : parseBlockNumbers(args.blocks);
  const loaded = withFixtureErrors(() => loadBlocks({ fixtures: args.fixtures ?? "", block: args.block, prestate: args.prestate }, hre.config.paths.root, only, log));
  return {
    source: args.block !== undefined ? { kind: "block", description: `${args.block} with ${args.prestate}` } : { kind: "fixtures", description: `fixtures ${args.fixtures}` },
    blocks: loaded.map((b) => ({
      label: `block ${b.number}`,
      recorded: true,
      // The recorded pre-state is partial: no state root.
      input: { block: b.block, preState: b.preState, blockHashes: b.blockHashes, computeStateRoot: false, senders: b.senders },
    })),
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(0)}%`;
const times = (x: number): string => `${x.toFixed(2)}x`;
const simulated = (s: Record<string, number>): string => Object.values(s).map(times).join(" / ");

export function renderConflicts(report: ConflictsReport, shards: number): string {
  const lines: string[] = [];
  // Blocks without dependencies (a script's one-transaction blocks) take one line together.
  const quiet = report.blocks.filter((b) => b.dependencies === 0);
  for (const b of report.blocks.filter((x) => x.dependencies > 0)) {
    lines.push("");
    lines.push(`Block ${b.number}${b.hash === null ? "" : ` (${b.hash})`}: ${b.txs} txs, ${b.dependentTxs} depend on an earlier one (${pct(b.dependentTxs / Math.max(1, b.txs))}), ${b.dependencies} dependencies`);
    lines.push(`  ideal speedup ${times(b.bound.idealSpeedup)}; simulated at 2 / 8 / 32 workers: ${simulated(b.bound.simulated)}`);
    if (b.measured !== null) {
      lines.push(`  measured on ${b.measured.workers} workers: ${b.measured.mode}, ${b.measured.reexecutions} re-executions`);
    }
    if (b.hotspots.length === 0) {
      lines.push(`  No hotspot: the ${b.dependencies} dependencies meet at ${b.incidental} location(s), none shared by more than one dependent transaction.`);
      continue;
    }
    lines.push("");
    const rows = [["#", "location", "pattern", "dependent txs", "re-exec", "critical path", "ideal if gone", `sharded ${shards}`, "as delta"]];
    for (const h of b.hotspots) {
      rows.push([
        String(h.rank),
        h.display,
        h.origin === "protocol" ? `${h.pattern} (protocol)` : h.pattern,
        String(h.dependentTxs),
        `${h.reexecutions}${h.reexecutionsSource === "model" ? "*" : ""}`,
        pct(h.criticalPathShare),
        times(h.whatIf.idealSpeedup),
        times(h.whatIf.sharded.idealSpeedup),
        h.whatIf.commutative === null ? "-" : times(h.whatIf.commutative.idealSpeedup),
      ]);
    }
    lines.push(...table(rows).map((l) => "  " + l.replace(/\n/g, "\n  ")));
    if (b.moreHotspots > 0) lines.push(`  ... and ${b.moreHotspots} more hotspot(s) (--top to list more)`);
    if (b.incidental > 0) lines.push(`  (${b.incidental} more location(s) behind a single dependent transaction each are not hotspots)`);
    lines.push("");
    for (const h of b.hotspots) lines.push(...remedyLines(h));
    lines.push("");
    lines.push(`  dependency distance (j - i: count): ${b.distances.slice(0, 12).map((d) => `${d.distance}: ${d.dependencies}`).join(", ")}${b.distances.length > 12 ? ", ..." : ""}`);
    if (b.hubs.length > 0) {
      lines.push(`  hubs (dependencies through the contract: per-key / global): ${b.hubs.slice(0, 5).map((h) => `${h.contract ?? h.address} ${h.dependencies} (${h.perKey} / ${h.global})`).join(", ")}`);
    }
  }
  if (quiet.length > 0) {
    lines.push("");
    lines.push(`No transaction depends on another in ${quiet.length === 1 ? "block" : `${quiet.length} blocks:`} ${quiet.map((b) => `${b.number} (${b.txs} tx${b.txs === 1 ? "" : "s"})`).join(", ")}: nothing limits their parallel execution.`);
  }
  for (const s of report.skipped) lines.push(`skipped ${s.block}: ${s.reason}`);
  lines.push("");
  lines.push(
    "Columns: dependent txs = transactions that read a value an earlier transaction of the block wrote at this location; re-exec = incarnations wasted on it " +
      "(* from the scheduler model at 8 workers; otherwise measured); critical path = share of the longest dependency chain's time waiting through it; " +
      `ideal if gone / sharded ${shards} / as delta = the block's ideal speedup if this location stopped conflicting, were split ${shards} ways by sender, or were updated as a commutative delta (docs/conflicts.md).`,
  );
  return lines.join("\n");
}

function remedyLines(h: Hotspot): string[] {
  const w = h.whatIf;
  const bound = `if gone: ideal ${times(w.idealSpeedup)}, simulated ${simulated(w.simulated)} at 2 / 8 / 32 workers`;
  return [`  ${h.rank}. ${h.display}: ${h.pattern}${h.commutative ? ", only changed by amounts (commutative)" : ""}`, ...h.sites.map((s) => `     ${describeSite(s)}`), `     ${h.remedy}`, `     ${bound}`];
}

function log(line: string): void {
  process.stderr.write(`parallel-conflicts: ${line}\n`);
}

/**
 * The terminal report of `parallel-bench`: tables that fit 120 columns, every
 * column named in a legend below them (and in the README), warnings last.
 * The JSON report holds every figure; the tables show the medians and how
 * far the runs spread.
 */
import { table } from "../hardhat/text-table";
import type { BenchReport } from "./bench";
import { describeMachine } from "./environment";
import { relativeSpread } from "./warnings";

/** The widest line the report prints. */
export const REPORT_WIDTH = 120;

const fixed = (n: number, d = 1): string => n.toFixed(d);
const times = (n: number): string => `${fixed(n, 2)}x`;
/** Milliseconds: whole above 100 (the runs vary by more than that anyway), one decimal below. */
const ms = (n: number): string => (n >= 100 ? fixed(n, 0) : fixed(n, 1));
const pct = (n: number): string => `${Math.round(100 * n)}`;

export function renderBench(report: BenchReport): string {
  const lines: string[] = [];
  const o = report.options;
  lines.push(`machine: ${describeMachine(report.machine)}`);
  lines.push(`software: Node ${report.node}, ${report.plugin.name} ${report.plugin.version}`);
  lines.push(
    ...wrap(
      `method: same process; per workload and configuration ${o.warmupRuns} untimed warm-up run${o.warmupRuns === 1 ? "" : "s"}, then ${o.repeats} timed run${o.repeats === 1 ? "" : "s"} ` +
        `alternating sequential and parallel; medians; every run verified against sequential execution.${o.full ? "" : " A longer, steadier run: --full."}`,
    ),
  );
  lines.push("");
  const coresCapped = report.rows.some((r) => r.idealCappedBy === "cores");
  lines.push(
    ...table([
      ["Workload", "Txs", "Workers", "Seq ms", "Par ms", "Spread", "Speedup", "Exec", "Ideal", "Re-exec", "Verified"],
      ...report.rows.map((r) => [
        r.workload,
        String(r.txs),
        String(r.workers),
        ms(r.sequentialMs.median),
        ms(r.parallelMs.median),
        `${pct(relativeSpread(r.sequentialMs))}/${pct(relativeSpread(r.parallelMs))}`,
        times(r.speedup),
        times(r.executionSpeedup),
        `${times(r.ideal)}${r.idealCappedBy === "cores" ? "*" : ""}`,
        fixed(r.reexecutionsPerTx, 2),
        r.verified ? "yes" : "NO",
      ]),
    ]),
  );
  if (coresCapped) lines.push(`* capped by this machine's ${report.machine.cores} cores: more workers than cores cannot run more at once.`);
  lines.push(
    ...wrap(
      "Seq ms, Par ms: median wall time of the sequential and the parallel executor, end to end (execution, receipts, state root). " +
        "Spread: (max - min) / median of the timed runs in %, sequential/parallel. Speedup: Seq ms / Par ms. " +
        "Exec: the same ratio for transaction execution alone. Ideal: total transaction time / heaviest dependency chain, " +
        "capped by the workers and by the cores. Re-exec: re-executions per transaction. Verified: every run identical to " +
        "sequential execution. Below 1.00x is a slowdown. Definitions: docs/metrics.md.",
    ),
  );

  lines.push("");
  lines.push("Blocks (the sequential runs' medians; stock: @ethereumjs runBlock + MerkleStateManager, one run, end to end):");
  const stock = new Map(report.baselines.map((b) => [b.workload, b]));
  // One row per workload: the first of its rows carries the block's sequential figures.
  const blocks = report.rows.filter((r, i) => report.rows.findIndex((q) => q.workload === r.workload) === i);
  lines.push(
    ...table([
      ["Workload", "Txs", "Gas", "Exec ms", "Root ms", "Stock ms", "Vs stock", "Stock verified"],
      ...blocks.map((r) => {
        const b = stock.get(r.workload);
        return [r.workload, String(r.txs), r.gas, ms(r.sequentialExecutionMs), ms(r.sequentialStateRootMs), b === undefined ? "-" : ms(b.stockMs), b === undefined ? "-" : times(b.speedupVsStock), b === undefined ? "-" : b.verified ? "yes" : "NO"];
      }),
    ]),
  );
  if (report.baselines.length === 0) lines.push("No stock baseline in this run (it takes longer than everything else): --full adds it.");

  if (report.scaling.length > 0) {
    lines.push("");
    lines.push(
      ...wrap(
        "Simulated speedup, end to end: the scheduler model (docs/metrics.md) fed with this run's per-transaction times, " +
          "dependencies, coordinator cost per incarnation (Coord us) and time outside execution (Serial ms). It assumes " +
          "threads do not slow each other down: check its figures against the measured ones (rows \"measured\") first.",
      ),
    );
    const counts = report.scaling[0].simulated.map((s) => s.workers);
    const rows: string[][] = [];
    for (const s of report.scaling) {
      rows.push([s.workload, fixed(s.coordinatorMicrosPerIncarnation), fixed(s.serialMs), ...s.simulated.map((m) => times(m.speedup))]);
      const measured = new Map(s.measured.map((m) => [m.workers, m.speedup]));
      if (counts.some((c) => measured.has(c))) {
        rows.push(["  measured", "", "", ...counts.map((c) => (measured.has(c) ? times(measured.get(c)!) : ""))]);
      }
    }
    lines.push(...table([["Workload", "Coord us", "Serial ms", ...counts.map((c) => `@${c}`)], ...rows]));
  }

  if (report.warnings.length > 0) {
    lines.push("");
    for (const w of report.warnings) lines.push(...wrap(`warning: ${w}`));
  }
  return lines.join("\n");
}

/** Splits prose into lines of at most REPORT_WIDTH characters, at spaces. */
export function wrap(text: string, width = REPORT_WIDTH): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

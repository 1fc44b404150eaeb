/**
 * `parallel-bench --html`: the bench report as one self-contained page
 * (docs/metrics.md). Per workload, speedup against workers on a log2 axis
 * from 1 to 64: the measured speedups, the ideal speedup capped by the
 * worker count, and the scheduler model's two variants; then the measured
 * rows and the model's figures as tables, and the stock baseline.
 */
import type { BenchReport, BenchRow, ScalingRow } from "../../bench/bench";
import { describeMachine } from "../../bench/environment";
import { html } from "./markup";
import type { Html } from "./markup";
import { page } from "./page";
import { log2LineChart, num, SERIES_COLOURS, speedup } from "./svg";
import type { LineSeries } from "./svg";

export function renderBenchHtml(report: BenchReport): string {
  const workloads = [...new Set([...report.rows.map((r) => r.workload), ...report.scaling.map((s) => s.workload)])];
  const sections = workloads.map((w) =>
    workloadSection(
      w,
      report.rows.filter((r) => r.workload === w),
      report.scaling.find((s) => s.workload === w),
    ),
  );
  const body = html`<header>
<h1>Parallel execution benchmark</h1>
<p>Machine: ${describeMachine(report.machine)}; Node ${report.node}, ${report.plugin.name} ${report.plugin.version}. Method: ${report.method}. Definitions of every figure: docs/metrics.md.</p>
${report.warnings.length === 0 ? "" : html`<ul class="warnings">${report.warnings.map((w) => html`<li>Warning: ${w}</li>`)}</ul>`}
</header>
${sections}
${baselineSection(report)}`;
  return page({ title: "Parallel execution benchmark", body });
}

const finite = (p: { x: number; y: number }): boolean => Number.isFinite(p.x) && Number.isFinite(p.y) && p.x >= 1;

function workloadSection(workload: string, rows: BenchRow[], scaling: ScalingRow | undefined): Html {
  const txs = rows[0]?.txs ?? scaling?.txs;
  const series: LineSeries[] = [{ name: "ideal", label: "ideal (capped by workers and cores)", colour: SERIES_COLOURS[2], line: true, dashed: true, points: rows.map((r) => ({ x: r.workers, y: r.ideal })).filter(finite) }];
  if (scaling !== undefined) {
    series.push(
      { name: "simulated", label: "simulated", colour: SERIES_COLOURS[1], line: true, points: scaling.simulated.map((s) => ({ x: s.workers, y: s.speedup })).filter(finite) },
      { name: "simulatedCoordinatorOnly", label: "simulated, coordinator only", colour: SERIES_COLOURS[4], line: true, points: scaling.simulatedCoordinatorOnly.map((s) => ({ x: s.workers, y: s.speedup })).filter(finite) },
    );
  }
  // Drawn last, on top of the lines.
  series.push({ name: "measured", label: "measured", colour: SERIES_COLOURS[0], line: false, points: rows.map((r) => ({ x: r.workers, y: r.speedup })).filter(finite) });
  const xMax = Math.max(64, ...series.flatMap((s) => s.points.map((p) => p.x)));
  const chart = log2LineChart({
    chart: "speedup",
    ariaLabel: `Speedup against workers for ${workload}`,
    xMax,
    series,
    xLabel: "workers (log2 scale)",
    yLabel: "speedup over the sequential executor (x)",
    reference: { y: 1, label: "1x: as fast as sequential" },
  });
  return html`<section data-workload="${workload}">
<h2>${workload}</h2>
<p>${txs === undefined ? "" : `${txs} transactions`}${rows[0] === undefined ? "" : `, ${rows[0].gas} gas`}.</p>
<figure>${chart}<figcaption>Speedup over the project's sequential executor (end to end, medians) against the number of workers. Measured: the parallel executor on this machine, at the worker counts run. Ideal: total transaction time over the heaviest dependency chain, capped by the worker count and by this machine's cores, drawn at the measured worker counts. Simulated: the scheduler model fed with this run's measurements, 1 to 64 workers, with the calling thread executing transactions as the executor does; simulated, coordinator only: the same model with a calling thread that only coordinates (workers - 1 threads execute), the alternative for many cores. Below 1x is a slowdown.</figcaption></figure>
${rows.length === 0 ? html`<p>No measured rows for this workload.</p>` : rowTable(rows)}
${scaling === undefined ? "" : scalingTable(scaling)}
</section>`;
}

function spreadText(s: BenchRow["sequentialMs"]): string {
  return `${num(s.median, 1)} (${num(s.min, 1)}-${num(s.max, 1)})`;
}

function rowTable(rows: BenchRow[]): Html {
  const body = rows.map(
    (r) => html`<tr data-workers="${r.workers}"><td class="n">${r.workers}</td><td class="n">${spreadText(r.sequentialMs)}</td><td class="n">${spreadText(r.parallelMs)}</td><td class="n">${speedup(r.speedup)}</td><td class="n">${speedup(r.executionSpeedup)}</td><td class="n">${speedup(r.ideal)}</td><td class="n">${num(r.reexecutionsPerTx, 2)}</td><td>${r.mode}${r.fallbackReason === undefined ? "" : html`<br><span class="note">${r.fallbackReason}</span>`}</td><td>${r.verified ? "yes" : "NO"}</td></tr>`,
  );
  return html`<h3>Measured</h3><table data-table="rows"><thead><tr><th class="n">Workers</th><th class="n">Sequential ms</th><th class="n">Parallel ms</th><th class="n">Speedup</th><th class="n">Execution speedup</th><th class="n">Ideal</th><th class="n">Re-executions/tx</th><th>Mode</th><th>Verified</th></tr></thead><tbody>${body}</tbody></table>
<p class="note">Milliseconds: median (min-max) of the repeats. Speedup: end to end; execution speedup: transaction execution alone.</p>`;
}

function scalingTable(s: ScalingRow): Html {
  const coordinatorOnly = new Map(s.simulatedCoordinatorOnly.map((r) => [r.workers, r]));
  const body = s.simulated.map((r) => {
    const c = coordinatorOnly.get(r.workers);
    return html`<tr><td class="n">${r.workers}</td><td class="n">${speedup(r.speedup)}</td><td class="n">${speedup(r.executionSpeedup)}</td><td class="n">${r.incarnations}</td><td class="n">${c === undefined ? "-" : speedup(c.speedup)}</td></tr>`;
  });
  return html`<h3>Scheduler model</h3><p class="note">Inputs from this run: ${num(s.coordinatorMicrosPerIncarnation, 1)} µs per finished incarnation on the calling thread, ${num(s.serialMs, 2)} ms outside execution (serial).</p>
<table data-table="scaling"><thead><tr><th class="n">Workers</th><th class="n">Simulated speedup</th><th class="n">Execution speedup</th><th class="n">Incarnations</th><th class="n">Coordinator only</th></tr></thead><tbody>${body}</tbody></table>`;
}

function baselineSection(report: BenchReport): Html {
  if (report.baselines.length === 0) return html``;
  const body = report.baselines.map(
    (b) => html`<tr><td>${b.workload}</td><td class="n">${b.txs}</td><td class="n">${num(b.stockMs, 1)}</td><td class="n">${num(b.sequentialMs, 1)}</td><td class="n">${speedup(b.speedupVsStock)}</td><td>${b.verified ? "yes" : "NO"}</td></tr>`,
  );
  return html`<h2>Against stock @ethereumjs/vm</h2><table data-table="baselines"><thead><tr><th>Workload</th><th class="n">Txs</th><th class="n">Stock ms</th><th class="n">Sequential ms</th><th class="n">Speedup vs stock</th><th>Verified</th></tr></thead><tbody>${body}</tbody></table>
<p class="note">Stock: runBlock with MerkleStateManager, one run; sequential: this project's sequential executor, median; both end to end.</p>`;
}

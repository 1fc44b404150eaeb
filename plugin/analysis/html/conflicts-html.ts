/**
 * `parallel-conflicts --html`: the conflict report as one self-contained
 * page (docs/conflicts.md, "The HTML report"). Per block: the summary, a
 * hotspot bar chart, the hotspot table with remedies and what-if bounds,
 * the dependency-distance histogram, the hub contracts and the dependency
 * graph as an arc diagram; then the skipped blocks. Pure: it renders the
 * JSON report, so a saved `--json` file can be rendered later the same way.
 */
import { describeSite, shortHex } from "../conflict-report";
import type { BlockConflicts, ConflictsReport, Hotspot } from "../conflict-report";
import type { SpeedupBound } from "../what-if";
import { html, joinHtml } from "./markup";
import type { Html } from "./markup";
import { page } from "./page";
import { columnChart, horizontalBars, NEUTRAL_COLOUR, num, px, SERIES_COLOURS, speedup } from "./svg";

export function renderConflictsHtml(report: ConflictsReport): string {
  const blocks = report.blocks.map(blockSection);
  const maxRank = Math.max(0, ...report.blocks.flatMap((b) => b.hotspots.map((h) => h.rank)));
  const body = html`<header>
<h1>Conflicts between transactions</h1>
<p>Source: ${report.source.kind}: <span class="mono">${report.source.description}</span>. ${report.blocks.length} block${report.blocks.length === 1 ? "" : "s"} analysed, ${report.skipped.length} skipped. Report schema version ${report.schemaVersion}; every field is defined in docs/conflicts.md.</p>
</header>
${blocks}
${skippedSection(report.skipped)}`;
  return page({ title: `Conflicts: ${report.source.description}`, extraCss: graphHighlightCss(maxRank), body });
}

function blockSection(block: BlockConflicts): Html {
  const reexecSource = block.hotspots[0]?.reexecutionsSource ?? (block.measured?.mode === "parallel" ? "measured" : "model");
  return html`<section data-block="${block.number}" id="block-${block.number}">
<h2>Block ${block.number}</h2>
${block.hash === null ? "" : html`<p class="mono">${block.hash}</p>`}
${summary(block)}
<h3>Hotspots</h3>
${block.hotspots.length === 0 ? html`<p>No hotspots: no location has two or more transactions depending on an earlier one through it.</p>` : html`${hotspotChart(block.hotspots, reexecSource)}${hotspotTable(block.hotspots)}`}
${block.moreHotspots > 0 ? html`<p class="note">${block.moreHotspots} more hotspot${block.moreHotspots === 1 ? "" : "s"} not listed (raise --top).</p>` : ""}
<h3>Dependency distances</h3>
${distanceChart(block)}
<h3>Hub contracts</h3>
${hubTable(block)}
<h3>Dependency graph</h3>
${arcDiagram(block)}
</section>`;
}

function simulatedText(bound: SpeedupBound): string {
  return Object.keys(bound.simulated)
    .sort((a, b) => Number(a) - Number(b))
    .map((w) => `${speedup(bound.simulated[w])} at ${w}`)
    .join(", ");
}

function summary(block: BlockConflicts): Html {
  const share = block.txs > 0 ? ` (${num((100 * block.dependentTxs) / block.txs, 0)}%)` : "";
  const m = block.measured;
  const measured =
    m === null
      ? "none (re-executions below come from the scheduler model)"
      : `${m.workers} workers, ${m.mode}, ${m.reexecutions} re-execution${m.reexecutions === 1 ? "" : "s"}${m.coordinatorMicros === undefined ? "" : `, ${num(m.coordinatorMicros, 1)} µs per incarnation on the calling thread`}`;
  return html`<dl class="summary" data-summary>
<dt>Transactions</dt><dd data-field="txs">${block.txs}</dd>
<dt>Dependent transactions</dt><dd data-field="dependentTxs">${block.dependentTxs}${share}</dd>
<dt>Dependencies (writer-to-reader pairs)</dt><dd data-field="dependencies">${block.dependencies}</dd>
<dt>Ideal speedup (work / critical path)</dt><dd data-field="idealSpeedup">${speedup(block.bound.idealSpeedup)}</dd>
<dt>Simulated speedup (scheduler model)</dt><dd data-field="simulated">${simulatedText(block.bound)} workers</dd>
<dt>Measured parallel run</dt><dd data-field="measured">${measured}</dd>
<dt>Hotspots</dt><dd>${block.hotspots.length} listed, ${block.moreHotspots} more; ${block.incidental} incidental location${block.incidental === 1 ? "" : "s"} (one dependent tx)</dd>
</dl>`;
}

function hotspotChart(hotspots: Hotspot[], reexecSource: string): Html {
  const chart = horizontalBars({
    chart: "hotspots",
    ariaLabel: "Dependent transactions and re-executions per hotspot",
    categories: hotspots.map((h) => ({ label: `#${h.rank} ${h.display}`, title: `#${h.rank} ${h.display} (${h.pattern})` })),
    series: [
      { name: "dependentTxs", label: "dependent txs", colour: SERIES_COLOURS[0], values: hotspots.map((h) => h.dependentTxs) },
      { name: "reexecutions", label: `re-executions (${reexecSource === "measured" ? "measured" : "model, 8 workers"})`, colour: SERIES_COLOURS[1], values: hotspots.map((h) => h.reexecutions) },
    ],
    axisLabel: "transactions / incarnations",
  });
  return html`<figure>${chart}<figcaption>Per hotspot, in rank order: the transactions that read a value an earlier transaction wrote there (dependent txs), and the incarnations wasted on it (re-executions: ${reexecSource === "measured" ? "measured on the parallel executor" : "from the scheduler model at 8 workers, no parallel run was measured"}). One scale for both.</figcaption></figure>`;
}

/** The ideal speedup, and below it the model's at each worker count (the column header names them). */
function boundCell(bound: SpeedupBound): Html {
  const sims = Object.keys(bound.simulated)
    .sort((a, b) => Number(a) - Number(b))
    .map((w) => html`<span title="${`${w} workers`}">${speedup(bound.simulated[w])}</span>`);
  return html`<span data-ideal="${bound.idealSpeedup}">${speedup(bound.idealSpeedup)}</span><br><span class="note">${joinHtml(sims, " · ")}</span>`;
}

/** Long hex as 0x1234…abcd, the whole of it in the tooltip. */
function shortHexHtml(hex: string): Html {
  const short = shortHex(hex);
  return short !== hex ? html`<span title="${hex}">${short}</span>` : html`${hex}`;
}

function hotspotTable(hotspots: Hotspot[]): Html {
  const rows = hotspots.map((h) => {
    const where = [html`${h.kind}`, shortHexHtml(h.address), h.slot === null ? null : html`slot ${shortHexHtml("0x" + BigInt(h.slot).toString(16))}`, h.type === null ? null : html`${h.type}`, h.key.length > 0 ? html`key ${h.key.join(", ")}` : null].filter((x): x is Html => x !== null);
    return html`<tr data-hotspot="${h.rank}" class="hotspot">
<td class="n"><span class="swatch" style="background:${hotspotColour(h.rank)}"></span>${h.rank}</td>
<td class="location">${h.display}<br><span class="note mono">${joinHtml(where, " · ")}</span>${h.packedWith.length > 0 ? html`<br><span class="note">packed with ${h.packedWith.join(", ")}</span>` : ""}</td>
<td>${h.pattern}<br><span class="note">${h.origin}${h.commutative ? ", commutative" : ""}</span></td>
<td class="n">${h.dependentTxs}</td>
<td class="n">${h.dependencies}<br><span class="note">${h.updateDependencies} update, ${h.blamedDependencies} blamed</span></td>
<td class="n">${h.reexecutions}${h.reexecutionsSource === "model" ? "*" : ""}<br><span class="note">${h.wastedMicros} µs, ${h.wastedGas} gas</span></td>
<td class="n">${num(100 * h.criticalPathShare, 0)}%</td>
<td class="n">${boundCell(h.whatIf)}</td>
<td class="n">${boundCell(h.whatIf.sharded)}<br><span class="note">${h.whatIf.sharded.ways} ways</span></td>
<td class="n">${h.whatIf.commutative === null ? "-" : boundCell(h.whatIf.commutative)}</td>
</tr>
<tr data-remedy="${h.rank}" class="remedy"><td></td><td colspan="9">${joinHtml(h.sites.map((s) => html`<span class="note mono" data-site="${s.access}">${describeSite(s)}</span><br>`))}<strong>Remedy:</strong> ${h.remedy}${h.whatIf.commutative === null ? "" : html` <span class="note">(As delta: ${h.whatIf.commutative.note}.)</span>`}</td></tr>`;
  });
  return html`<div class="table-wrap"><table data-table="hotspots">
<thead><tr><th class="n">#</th><th>Location</th><th>Pattern</th><th class="n">Dependent txs</th><th class="n">Dependencies</th><th class="n">Re-exec</th><th class="n">Critical path</th><th class="n">Ideal if gone<br><span class="note">sim 2 · 8 · 32</span></th><th class="n">Sharded<br><span class="note">sim 2 · 8 · 32</span></th><th class="n">As delta<br><span class="note">sim 2 · 8 · 32</span></th></tr></thead>
<tbody>${rows}</tbody>
</table></div>
<p class="note">Re-exec marked * comes from the scheduler model at 8 workers. The what-if columns give the block's ideal speedup (work over critical path, uncapped) had the location stopped conflicting, been split by sender, or been updated as a commutative delta (- when its updates are not additions), and below it the scheduler model's speedups at 2, 8 and 32 workers.</p>`;
}

/** Up to 40 distances one bar each; beyond that, bins doubling in width (1, 2, 3-4, 5-8, ...). */
export function distanceBins(distances: BlockConflicts["distances"]): { label: string; value: number }[] {
  const max = Math.max(0, ...distances.map((d) => d.distance));
  if (max <= 40) {
    const counts = new Array<number>(max + 1).fill(0);
    for (const d of distances) counts[d.distance] += d.dependencies;
    return counts.slice(1).map((value, i) => ({ label: String(i + 1), value }));
  }
  const bins: { lo: number; hi: number; value: number }[] = [];
  for (let lo = 1, hi = 1; lo <= max; lo = hi + 1, hi *= 2) bins.push({ lo, hi, value: 0 });
  for (const d of distances) bins.find((b) => d.distance >= b.lo && d.distance <= b.hi)!.value += d.dependencies;
  return bins.map((b) => ({ label: b.lo === b.hi ? String(b.lo) : `${b.lo}-${b.hi}`, value: b.value }));
}

function distanceChart(block: BlockConflicts): Html {
  if (block.distances.length === 0) return html`<p>No dependencies.</p>`;
  const chart = columnChart({
    chart: "distances",
    ariaLabel: "Dependencies by distance",
    bins: distanceBins(block.distances),
    xLabel: "distance j - i (reader index minus writer index)",
    yLabel: "dependencies",
    colour: SERIES_COLOURS[0],
  });
  return html`<figure>${chart}<figcaption>Dependencies (writer-to-reader pairs) by how far apart the two transactions are in the block. Close ones cost optimistic execution most: the reader likely runs before the writer has finished.</figcaption></figure>`;
}

function hubTable(block: BlockConflicts): Html {
  if (block.hubs.length === 0) return html`<p>No dependencies, so no hubs.</p>`;
  const rows = block.hubs.map(
    (h) => html`<tr><td>${h.contract ?? "-"}</td><td class="mono">${h.address}</td><td class="n">${h.dependencies}</td><td class="n">${h.perKey}</td><td class="n">${h.global}</td></tr>`,
  );
  return html`<table data-table="hubs"><thead><tr><th>Contract</th><th>Address</th><th class="n">Dependencies</th><th class="n">Per key</th><th class="n">Global</th></tr></thead><tbody>${rows}</tbody></table>
<p class="note">Dependencies through each contract's state: per key (mapping entries, array elements: per-user state that shards naturally) or global (fixed slots, its balance or account).</p>`;
}

function hotspotColour(rank: number): string {
  return rank === 0 ? NEUTRAL_COLOUR : SERIES_COLOURS[(rank - 1) % SERIES_COLOURS.length];
}

/** Hovering a legend entry fades the other arcs (CSS only: the page has no script). */
function graphHighlightCss(maxRank: number): string {
  let css = `\nsvg[data-chart="graph"] path[data-edge] { fill: none; stroke-opacity: .55; }\nsvg[data-chart="graph"] path[data-edge]:hover { stroke-opacity: 1; stroke-width: 3; }\n`;
  for (let r = 0; r <= maxRank; r++) {
    css += `figure.graph:has([data-legend="${r}"]:hover) path[data-edge]:not([data-hotspot="${r}"]) { stroke-opacity: .05; }\n`;
  }
  return css;
}

/** Arcs between neighbours in a long block would be flat lines: they get at least this height. */
const MIN_ARC_HEIGHT = 4;

/**
 * Transactions on a line in block order, each dependency an arc from the
 * writer to the reader above it, its height proportional to the distance,
 * coloured by the hotspot it goes through. Arcs of the best-ranked hotspots
 * are drawn last, on top.
 */
function arcDiagram(block: BlockConflicts): Html {
  if (block.graph === undefined) return html`<p>This report has no edge list (written before the graph was added to the JSON report).</p>`;
  const { edges, omitted } = block.graph;
  if (edges.length === 0) return html`<p>No dependencies.</p>`;
  const width = 1000;
  const left = 20;
  const right = 20;
  const n = Math.max(2, block.txs);
  const step = (width - left - right) / (n - 1);
  const x = (tx: number): number => left + tx * step;
  // Semicircles when they fit in 280 units; otherwise all flattened by one factor, so height still reads as distance.
  // The chart is as tall as its tallest arc: a block of short dependencies gets a low strip.
  const maxRadius = Math.max(1, ...edges.map(([from, to]) => ((to - from) * step) / 2));
  const flatten = Math.min(1, 280 / maxRadius);
  const base = 12 + Math.max(MIN_ARC_HEIGHT, maxRadius * flatten);
  const height = base + 36;
  // Rank 0 (other locations) underneath, then from the last-ranked hotspot to the first.
  const layer = (rank: number): number => (rank === 0 ? Number.MAX_SAFE_INTEGER : rank);
  const order = [...edges].sort((a, b) => layer(b[2]) - layer(a[2]));
  const strokeWidth = block.txs > 300 ? 1 : 1.5;
  const paths = order.map(([from, to, rank]) => {
    const x1 = x(from);
    const x2 = x(to);
    const ry = Math.max(MIN_ARC_HEIGHT, ((x2 - x1) / 2) * flatten);
    return html`<path data-edge data-from="${from}" data-to="${to}" data-hotspot="${rank}" d="M${px(x1)} ${base}A${px((x2 - x1) / 2)} ${px(ry)} 0 0 1 ${px(x2)} ${base}" stroke="${hotspotColour(rank)}" stroke-width="${strokeWidth}"><title>tx ${from} → tx ${to}${rank === 0 ? "" : ` via hotspot #${rank}`}</title></path>`;
  });
  const tickEvery = niceTxStep(block.txs);
  const axisTicks: Html[] = [];
  for (let tx = 0; tx < block.txs; tx += tickEvery) {
    axisTicks.push(html`<line class="axis" x1="${px(x(tx))}" x2="${px(x(tx))}" y1="${base}" y2="${base + 5}"/><text class="tick" x="${px(x(tx))}" y="${base + 17}" text-anchor="middle">${tx}</text>`);
  }
  const ranks = [...new Set(edges.map((e) => e[2]))].sort((a, b) => (a === 0 ? 1 : b === 0 ? -1 : a - b));
  const hotspotOf = new Map(block.hotspots.map((h) => [h.rank, h]));
  const legend = ranks.map((r) => {
    const count = edges.filter((e) => e[2] === r).length;
    const label = r === 0 ? "other locations (incidental or not listed)" : `#${r} ${hotspotOf.get(r)?.display ?? "hotspot"}`;
    return html`<span data-legend="${r}"><span class="swatch" style="background:${hotspotColour(r)}"></span>${label} (${count})</span>`;
  });
  const svg = html`<svg data-chart="graph" data-edges="${edges.length}" role="img" aria-label="Dependency graph as an arc diagram" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}"><line class="axis" x1="${left}" x2="${width - right}" y1="${base}" y2="${base}"/>${axisTicks}${paths}<text class="axis-label" x="${width / 2}" y="${height - 4}" text-anchor="middle">transaction index in the block</text></svg>`;
  return html`<figure class="graph">${svg}<div class="legend">${legend}</div><figcaption>Each transaction is a point on the line, in block order; each arc joins a writer (left end) to a transaction that read its write (right end), its height proportional to their distance (semicircles, flattened alike when the longest would not fit; at least ${MIN_ARC_HEIGHT} units tall so the shortest stay visible). Colour: the hotspot the dependency goes through (the best-ranked one when several); grey: through other locations. Hover an entry of the legend to show only its arcs.${omitted > 0 ? ` Only the first ${edges.length} of ${edges.length + omitted} dependencies are drawn (the report caps its edge list).` : ""}</figcaption></figure>`;
}

/** About ten labelled ticks along the transaction axis, at round steps. */
function niceTxStep(txs: number): number {
  const raw = Math.max(1, txs / 10);
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((s) => s * power).find((s) => s >= raw) ?? raw;
}

function skippedSection(skipped: ConflictsReport["skipped"]): Html {
  if (skipped.length === 0) return html`<h2>Skipped blocks</h2><p>None.</p>`;
  const rows = skipped.map((s) => html`<tr><td class="mono">${s.block}</td><td>${s.reason}</td></tr>`);
  return html`<h2>Skipped blocks</h2><table data-table="skipped"><thead><tr><th>Block</th><th>Reason</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/**
 * Server-rendered SVG charts for the HTML reports: horizontal bars, a
 * column histogram and a line chart on a log2 axis. Every mark carries its
 * datum (`data-value`, and `data-series`, `data-workers` or `data-bin`) so a
 * test in a browser can check that what is drawn matches the data. Sizes
 * are the viewBox's; CSS scales the chart down on narrow screens.
 */
import { html } from "./markup";
import type { Html } from "./markup";

/** Colours told apart on screen and in print (Okabe-Ito, then a few more). */
export const SERIES_COLOURS = ["#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#f0e442", "#7f3c8d", "#11a579", "#3969ac"] as const;
export const NEUTRAL_COLOUR = "#9aa0a6";

/** A coordinate rounded to keep the markup small. */
export function px(v: number): string {
  return (Math.round(v * 100) / 100).toString();
}

/** A number for people: fixed digits, `-` when it is not a number. */
export function num(v: number, digits = 2): string {
  return Number.isFinite(v) ? v.toFixed(digits) : "-";
}

export function speedup(v: number): string {
  return Number.isFinite(v) ? `${v.toFixed(2)}x` : "-";
}

/** The smallest 1, 2 or 5 times a power of ten at or above `v` (at least `floor`). */
export function niceMax(v: number, floor = 1): number {
  const target = Math.max(v, floor);
  const power = 10 ** Math.floor(Math.log10(target));
  for (const step of [1, 2, 5, 10]) if (step * power >= target - 1e-12) return step * power;
  return 10 * power;
}

/** Evenly spaced ticks from 0 to `max` (a niceMax), 4 to 5 of them. */
export function ticks(max: number): number[] {
  const first = max / 5;
  const power = 10 ** Math.floor(Math.log10(first));
  const step = [1, 2, 2.5, 5, 10].map((s) => s * power).find((s) => max / s <= 5 + 1e-9) ?? max;
  const out: number[] = [];
  for (let t = 0; t <= max + 1e-9; t += step) out.push(Math.round(t * 1e9) / 1e9);
  return out;
}

function tickLabel(t: number): string {
  return Number.isInteger(t) ? String(t) : t.toFixed(1);
}

/** A label cut to `max` characters in the middle, keeping its end (a variable after a long address); the full text goes into the mark's <title>. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const tail = Math.floor((max - 1) / 3);
  return text.slice(0, max - 1 - tail) + "…" + text.slice(text.length - tail);
}

export interface BarSeries {
  name: string;
  label: string;
  colour: string;
  values: number[];
}

/** Horizontal grouped bars: one group per category, one bar per series, on one shared scale. */
export function horizontalBars(opts: { chart: string; categories: { label: string; title: string }[]; series: BarSeries[]; axisLabel: string; ariaLabel: string }): Html {
  const { categories, series } = opts;
  const width = 900;
  const left = 300;
  const right = 60;
  const top = 40;
  const bar = 14;
  const groupHeight = series.length * bar + 12;
  const height = top + categories.length * groupHeight + 10;
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const scale = (width - left - right) / max;
  const grid = ticks(max).map(
    (t) => html`<line class="grid" x1="${px(left + t * scale)}" x2="${px(left + t * scale)}" y1="${top - 6}" y2="${height - 10}"/><text class="tick" x="${px(left + t * scale)}" y="${top - 10}" text-anchor="middle">${tickLabel(t)}</text>`,
  );
  const legend = series.map(
    (s, i) => html`<rect x="${left + i * 200}" y="4" width="12" height="12" fill="${s.colour}"/><text x="${left + i * 200 + 16}" y="14">${s.label}</text>`,
  );
  const groups = categories.map((c, ci) => {
    const y0 = top + ci * groupHeight;
    const bars = series.map((s, si) => {
      const v = s.values[ci];
      const y = y0 + si * bar;
      return html`<rect data-series="${s.name}" data-value="${v}" x="${left}" y="${y}" width="${px(v * scale)}" height="${bar - 2}" fill="${s.colour}"><title>${c.title}: ${s.label} ${v}</title></rect><text class="value" x="${px(left + v * scale + 4)}" y="${y + bar - 4}">${v}</text>`;
    });
    return html`<g data-category="${ci}"><text class="label" x="${left - 8}" y="${y0 + (series.length * bar) / 2 + 3}" text-anchor="end"><title>${c.title}</title>${shorten(c.label, 42)}</text>${bars}</g>`;
  });
  return html`<svg data-chart="${opts.chart}" role="img" aria-label="${opts.ariaLabel}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${legend}${grid}<text class="axis-label" x="${width - right}" y="${height - 0}" text-anchor="end">${opts.axisLabel}</text>${groups}</svg>`;
}

/** Vertical columns, one per bin, one series. */
export function columnChart(opts: { chart: string; bins: { label: string; value: number }[]; xLabel: string; yLabel: string; colour: string; ariaLabel: string }): Html {
  const width = 900;
  const height = 260;
  const left = 56;
  const right = 16;
  const top = 16;
  const bottom = 48;
  const max = niceMax(Math.max(0, ...opts.bins.map((b) => b.value)));
  const plotHeight = height - top - bottom;
  const slot = (width - left - right) / Math.max(1, opts.bins.length);
  const y = (v: number): number => top + plotHeight - (v / max) * plotHeight;
  const grid = ticks(max).map(
    (t) => html`<line class="grid" x1="${left}" x2="${width - right}" y1="${px(y(t))}" y2="${px(y(t))}"/><text class="tick" x="${left - 6}" y="${px(y(t) + 4)}" text-anchor="end">${tickLabel(t)}</text>`,
  );
  // Label every bin when they fit, otherwise about 20 of them.
  const labelEvery = Math.max(1, Math.ceil(opts.bins.length / 20));
  const columns = opts.bins.map((b, i) => {
    const x = left + i * slot;
    const label = i % labelEvery === 0 ? html`<text class="tick" x="${px(x + slot / 2)}" y="${height - bottom + 14}" text-anchor="middle">${b.label}</text>` : "";
    return html`<rect data-bin="${b.label}" data-value="${b.value}" x="${px(x + slot * 0.1)}" y="${px(y(b.value))}" width="${px(slot * 0.8)}" height="${px(top + plotHeight - y(b.value))}" fill="${opts.colour}"><title>${opts.xLabel} ${b.label}: ${b.value}</title></rect>${label}`;
  });
  return html`<svg data-chart="${opts.chart}" role="img" aria-label="${opts.ariaLabel}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${grid}<line class="axis" x1="${left}" x2="${width - right}" y1="${top + plotHeight}" y2="${top + plotHeight}"/>${columns}<text class="axis-label" x="${px(left + (width - left - right) / 2)}" y="${height - 8}" text-anchor="middle">${opts.xLabel}</text><text class="axis-label" transform="translate(14 ${px(top + plotHeight / 2)}) rotate(-90)" text-anchor="middle">${opts.yLabel}</text></svg>`;
}

export interface LineSeries {
  name: string;
  label: string;
  colour: string;
  /** Joined by a line (a model); otherwise points only (measurements). */
  line: boolean;
  dashed?: boolean;
  points: { x: number; y: number }[];
}

/**
 * Points and lines against a log2 x axis (worker counts) from 1 to `xMax`,
 * y from 0. Each point is a <circle> with `data-series`, `data-workers`
 * (its x) and `data-value` (its y).
 */
export function log2LineChart(opts: { chart: string; xMax: number; series: LineSeries[]; xLabel: string; yLabel: string; reference?: { y: number; label: string }; ariaLabel: string }): Html {
  const width = 900;
  const height = 380;
  const left = 60;
  const right = 200;
  const top = 16;
  const bottom = 48;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const xMax = Math.max(2, opts.xMax);
  const yMax = niceMax(Math.max(1, ...opts.series.flatMap((s) => s.points.map((p) => p.y))));
  const x = (w: number): number => left + (Math.log2(w) / Math.log2(xMax)) * plotWidth;
  const y = (v: number): number => top + plotHeight - (v / yMax) * plotHeight;
  const xTicks: number[] = [];
  for (let w = 1; w <= xMax; w *= 2) xTicks.push(w);
  const grid = [
    ...ticks(yMax).map((t) => html`<line class="grid" x1="${left}" x2="${left + plotWidth}" y1="${px(y(t))}" y2="${px(y(t))}"/><text class="tick" x="${left - 6}" y="${px(y(t) + 4)}" text-anchor="end">${tickLabel(t)}</text>`),
    ...xTicks.map((w) => html`<line class="grid" x1="${px(x(w))}" x2="${px(x(w))}" y1="${top}" y2="${top + plotHeight}"/><text class="tick" x="${px(x(w))}" y="${top + plotHeight + 16}" text-anchor="middle">${w}</text>`),
  ];
  const reference =
    opts.reference === undefined
      ? ""
      : html`<line class="reference" x1="${left}" x2="${left + plotWidth}" y1="${px(y(opts.reference.y))}" y2="${px(y(opts.reference.y))}"/><text class="tick" x="${left + plotWidth - 4}" y="${px(y(opts.reference.y) - 4)}" text-anchor="end">${opts.reference.label}</text>`;
  const series = opts.series.map((s) => {
    const sorted = [...s.points].sort((a, b) => a.x - b.x);
    const path = s.line && sorted.length > 1 ? html`<polyline points="${sorted.map((p) => `${px(x(p.x))},${px(y(p.y))}`).join(" ")}" fill="none" stroke="${s.colour}" stroke-width="2"${s.dashed ? html` stroke-dasharray="6 4"` : ""}/>` : "";
    const points = sorted.map(
      (p) => html`<circle data-series="${s.name}" data-workers="${p.x}" data-value="${p.y}" cx="${px(x(p.x))}" cy="${px(y(p.y))}" r="${s.line ? 3 : 5}" fill="${s.line ? s.colour : "#fff"}" stroke="${s.colour}" stroke-width="2"><title>${s.label}, ${p.x} workers: ${speedup(p.y)}</title></circle>`,
    );
    return html`<g data-series="${s.name}">${path}${points}</g>`;
  });
  const legend = opts.series.map((s, i) => {
    const ly = top + 10 + i * 22;
    const lx = left + plotWidth + 16;
    const mark = s.line
      ? html`<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="${s.colour}" stroke-width="2"${s.dashed ? html` stroke-dasharray="6 4"` : ""}/>`
      : html`<circle cx="${lx + 12}" cy="${ly}" r="5" fill="#fff" stroke="${s.colour}" stroke-width="2"/>`;
    return html`${mark}<text x="${lx + 30}" y="${ly + 4}">${s.label}</text>`;
  });
  return html`<svg data-chart="${opts.chart}" role="img" aria-label="${opts.ariaLabel}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${grid}<line class="axis" x1="${left}" x2="${left + plotWidth}" y1="${top + plotHeight}" y2="${top + plotHeight}"/><line class="axis" x1="${left}" x2="${left}" y1="${top}" y2="${top + plotHeight}"/>${reference}${series}${legend}<text class="axis-label" x="${px(left + plotWidth / 2)}" y="${height - 8}" text-anchor="middle">${opts.xLabel}</text><text class="axis-label" transform="translate(16 ${px(top + plotHeight / 2)}) rotate(-90)" text-anchor="middle">${opts.yLabel}</text></svg>`;
}

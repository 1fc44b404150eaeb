/**
 * The HTML reports of `parallel-conflicts` and `parallel-bench`: the markup
 * (escaping, nothing loaded from outside), the conflict report's edge list,
 * and the pages rendered in headless chromium, where the drawn charts are
 * measured against the report's numbers.
 */
import { expect } from "chai";

import { conflictGraph } from "../../plugin/analysis/conflict-graph";
import { conflictReport } from "../../plugin/analysis/conflict-report";
import type { BlockConflicts, ConflictsReport, Hotspot } from "../../plugin/analysis/conflict-report";
import { renderBenchHtml } from "../../plugin/analysis/html/bench-html";
import { distanceBins, renderConflictsHtml } from "../../plugin/analysis/html/conflicts-html";
import { html } from "../../plugin/analysis/html/markup";
import type { SimulatedRun } from "../../plugin/analysis/simulate";
import type { BlockTrace, TxTrace } from "../../plugin/analysis/trace";
import type { SpeedupBound } from "../../plugin/analysis/what-if";
import type { BenchReport, BenchRow } from "../../plugin/bench/bench";
import { addressOf, slotOf, storageKey } from "../../plugin/engine/location";
import type { Read, Write } from "../../plugin/engine/types";
import { findChromium, INSTALL_HINT, renderAndCheck } from "../helpers/headless-chromium";

const EVIL_CONTRACT = `<img src=x onerror="window.__pwned=1">Evil`;
const EVIL_VARIABLE = `</script><script>window.__pwned=1</script>`;
const EVIL_KEY = `"><svg onload="window.__pwned=1">`;
const EVIL_REASON = `pre-state lacks 0x12 <script>window.__pwned=1</script> & more`;
const EVIL_WORKLOAD = `<img src=x onerror="window.__pwned=1">amm`;

const TOKEN = "aa".repeat(20);
const POOL = "bb".repeat(20);
const slot = (n: number): string => n.toString(16).padStart(64, "0");
const sender = (i: number): string => i.toString(16).padStart(40, "0");

function bound(ideal: number): SpeedupBound {
  return { idealSpeedup: ideal, simulated: { "2": Math.min(2, ideal) * 0.9, "8": Math.min(8, ideal) * 0.8, "32": Math.min(32, ideal) * 0.7 } };
}

function hotspot(rank: number, fields: Partial<Hotspot>): Hotspot {
  return {
    rank,
    kind: "storage",
    address: "0x" + TOKEN,
    slot: "0x" + slot(rank),
    contract: null,
    variable: null,
    key: [],
    type: null,
    packedWith: [],
    display: `slot ${rank}`,
    dependentTxs: 0,
    dependencies: 0,
    updateDependencies: 0,
    blamedDependencies: 0,
    reexecutions: 0,
    reexecutionsSource: "measured",
    wastedMicros: 0,
    wastedGas: "0",
    criticalPathShare: 0,
    pattern: "shared-state",
    origin: "application",
    commutative: false,
    remedy: "keep it per user",
    whatIf: { ...bound(3), sharded: { ...bound(2), ways: 8 }, commutative: null },
    sites: [],
    ...fields,
  };
}

/** A block written by hand, with names that would run script if they were not escaped. */
function handBlock(): BlockConflicts {
  return {
    number: 100,
    hash: "0x" + "12".repeat(32),
    txs: 6,
    dependentTxs: 5,
    dependencies: 6,
    bound: bound(1.5),
    measured: { workers: 2, mode: "parallel", reexecutions: 10, wasted: [], coordinatorMicros: 25 },
    distances: [
      { distance: 1, dependencies: 3 },
      { distance: 2, dependencies: 2 },
      { distance: 4, dependencies: 1 },
    ],
    hubs: [{ address: "0x" + TOKEN, contract: EVIL_CONTRACT, dependencies: 6, perKey: 2, global: 4 }],
    hotspots: [
      hotspot(1, {
        contract: EVIL_CONTRACT,
        variable: EVIL_VARIABLE,
        key: [EVIL_KEY],
        type: "uint256",
        display: `${EVIL_CONTRACT}.${EVIL_VARIABLE} (slot 0x1)`,
        dependentTxs: 5,
        dependencies: 4,
        reexecutions: 3,
        pattern: "accumulator",
        commutative: true,
        remedy: `write deltas: <b onmouseover="window.__pwned=1">bold</b> & "quoted"`,
        whatIf: { ...bound(6), sharded: { ...bound(4), ways: 8 }, commutative: { ...bound(5), note: `readers <still> wait` } },
      }),
      hotspot(2, { contract: "Token", variable: "totalSupply", display: "Token.totalSupply (slot 0x2)", dependentTxs: 2, dependencies: 2, reexecutions: 7, pattern: "counter" }),
    ],
    moreHotspots: 0,
    incidental: 1,
    graph: {
      edges: [
        [0, 1, 1],
        [1, 2, 1],
        [2, 3, 1],
        [0, 2, 2],
        [1, 5, 2],
        [3, 4, 0],
      ],
      omitted: 0,
    },
  };
}

function read(key: string, value: bigint, writer?: number): Read {
  return { key, value, origin: writer === undefined ? { kind: "base" } : { kind: "tx", tx: writer, incarnation: 0 } };
}

/**
 * `n` transactions: every second one bumps a counter, every third one
 * rewrites a pool's reserve (by an amount), each writes its own slot: two
 * hotspots and a graph of over a thousand arcs.
 */
function busyTrace(n: number): BlockTrace {
  const counter = storageKey(TOKEN, slot(3));
  const reserve = storageKey(POOL, slot(8));
  let lastCounter: number | undefined;
  let lastReserve: number | undefined;
  const txs: TxTrace[] = [];
  for (let i = 0; i < n; i++) {
    const reads: Read[] = [];
    const writes: Write[] = [{ key: storageKey(TOKEN, slot(1000 + i)), value: 1n }];
    if (i % 2 === 0) {
      reads.push(read(counter, BigInt(i), lastCounter));
      writes.push({ key: counter, value: BigInt(i + 1) });
      lastCounter = i;
    }
    if (i % 3 === 0) {
      reads.push(read(reserve, BigInt(1000 + i), lastReserve));
      writes.push({ key: reserve, value: BigInt(1000 + i + 7) });
      lastReserve = i;
    }
    txs.push({ hash: "0x" + sender(i + 1), from: sender(i + 1), to: TOKEN, reads, writes, micros: 50 + (i % 7) * 10, gasUsed: 40_000n });
  }
  return { number: 2, beneficiary: "cc".repeat(20), timestamp: 1_700_000_000n, txs, serialMicros: 100 };
}

function conflictsReport(): ConflictsReport {
  return {
    schemaVersion: 1,
    source: { kind: "workload", description: `amm-hot <b>"quoted"</b>` },
    blocks: [handBlock(), conflictReport(busyTrace(1500), { coordinatorMicros: 10 })],
    skipped: [{ block: "17666333", reason: EVIL_REASON }],
  };
}

function sim(workers: number, speedup: number): SimulatedRun {
  return { workers, executionMicros: 1000 / speedup, incarnations: 200 + workers, executionSpeedup: speedup * 1.1, speedup };
}

function benchRow(workload: string, workers: number, speedup: number, ideal: number): BenchRow {
  const spread = (m: number) => ({ median: m, min: m * 0.95, max: m * 1.1 });
  return {
    workload,
    txs: 200,
    gas: "10000000",
    workers,
    sequentialMs: spread(100),
    parallelMs: spread(100 / speedup),
    sequentialExecutionMs: 80,
    parallelExecutionMs: 80 / speedup,
    sequentialStateRootMs: 10,
    parallelStateRootMs: 10,
    speedup,
    executionSpeedup: speedup * 1.2,
    ideal,
    idealBound: ideal,
    idealCappedBy: "dependencies",
    reexecutionsPerTx: 0.25,
    mode: "parallel",
    verified: true,
  };
}

function benchReport(): BenchReport {
  const workloads = [
    { name: "erc20-transfers", measured: [1.6, 2.4], ideal: [2, 4], simulated: [0.95, 1.7, 3.1, 5.2, 7.4, 8.9, 9.3], coordinatorOnly: [0.5, 0.9, 2.6, 5.0, 8.1, 10.6, 12.0] },
    { name: EVIL_WORKLOAD, measured: [1.1, 1.3], ideal: [1.5, 1.5], simulated: [0.97, 1.2, 1.35, 1.4, 1.42, 1.43, 1.43], coordinatorOnly: [0.5, 0.95, 1.3, 1.4, 1.42, 1.43, 1.43] },
  ];
  const counts = [1, 2, 4, 8, 16, 32, 64];
  return {
    schemaVersion: 2,
    plugin: { name: "hardhat-parallel", version: "0.0.0" },
    node: "v20.0.0",
    machine: { cores: 4, cpuModel: "Test <CPU>", os: "Linux 6.1", platform: "linux x64", totalMemoryBytes: 2 ** 34 },
    options: { workloads: [], txs: {}, accounts: 400, workers: [2, 4], repeats: 5, warmupRuns: 3, stock: true, full: true },
    method: "medians of 5 <runs>",
    rows: workloads.flatMap((w) => [benchRow(w.name, 2, w.measured[0], w.ideal[0]), benchRow(w.name, 4, w.measured[1], w.ideal[1])]),
    baselines: [{ workload: EVIL_WORKLOAD, txs: 200, stockMs: 300, sequentialMs: 100, speedupVsStock: 3, verified: true }],
    scaling: workloads.map((w) => ({
      workload: w.name,
      txs: 200,
      coordinatorMicrosPerIncarnation: 20,
      serialMs: 12,
      measured: [
        { workers: 2, speedup: w.measured[0], executionSpeedup: w.measured[0] * 1.2 },
        { workers: 4, speedup: w.measured[1], executionSpeedup: w.measured[1] * 1.2 },
      ],
      simulated: counts.map((c, i) => sim(c, w.simulated[i])),
      simulatedCoordinatorOnly: counts.map((c, i) => sim(c, w.coordinatorOnly[i])),
    })),
    warnings: [],
  };
}

/** What a report page must never hold: anything that loads from outside or runs. */
function expectSelfContained(page: string): void {
  for (const banned of ["<script", "<link", "<img", "<iframe", "<object", "url(", "@import", "http://", "https://"]) {
    expect(page.toLowerCase(), `the page holds ${banned}`).not.to.include(banned);
  }
  // Attribute values are double-quoted and escaped, so dropping them leaves only the attributes' names.
  const attributes = (page.match(/<[a-zA-Z][^>]*>/g) ?? []).flatMap((tag) => tag.replace(/"[^"]*"/g, "").split(/[\s=/>]+/).slice(1));
  expect(attributes.filter((a) => /^(src|href|on.*|style.*url)$/i.test(a)), "attributes that load or run something").to.deep.equal([]);
}

describe("HTML reports", function () {
  describe("markup", function () {
    it("escapes interpolated text in content and attributes, and refuses non-finite numbers", function () {
      expect(html`<p title="${`a"b`}">${"<i>&</i>"}</p>`.markup).to.equal(`<p title="a&quot;b">&lt;i&gt;&amp;&lt;/i&gt;</p>`);
      expect(html`<p>${html`<i>${"<"}</i>`}</p>`.markup).to.equal("<p><i>&lt;</i></p>");
      expect(() => html`${NaN}`).to.throw(/non-finite/);
    });

    it("renders the conflicts page with every name escaped and nothing to load", function () {
      const page = renderConflictsHtml(conflictsReport());
      expectSelfContained(page);
      for (const evil of [EVIL_CONTRACT, EVIL_VARIABLE, EVIL_KEY, EVIL_REASON, `<b onmouseover`]) expect(page).not.to.include(evil);
      expect(page).to.include("&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;Evil");
      expect(page).to.include("&lt;/script&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;");
    });

    it("renders the bench page with every name escaped and nothing to load", function () {
      const page = renderBenchHtml(benchReport());
      expectSelfContained(page);
      expect(page).not.to.include(EVIL_WORKLOAD);
      expect(page).to.include("&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;amm");
    });

    it("bins long dependency distances in doubling ranges and keeps every dependency", function () {
      const distances = [1, 2, 3, 7, 40, 41, 300].map((distance, i) => ({ distance, dependencies: i + 1 }));
      const bins = distanceBins(distances);
      expect(bins.map((b) => b.label)).to.deep.equal(["1", "2", "3-4", "5-8", "9-16", "17-32", "33-64", "65-128", "129-256", "257-512"]);
      expect(bins.reduce((a, b) => a + b.value, 0)).to.equal(28);
      expect(distanceBins([{ distance: 3, dependencies: 2 }]).map((b) => b.value)).to.deep.equal([0, 0, 2]);
    });
  });

  describe("the conflict report's edge list", function () {
    it("lists every dependency with the rank of the hotspot it goes through, up to the cap", function () {
      const trace = busyTrace(60);
      const report = conflictReport(trace);
      const graph = conflictGraph(trace.txs);
      expect(report.graph!.edges.map(([from, to]) => `${from}>${to}`)).to.deep.equal(graph.edges.map((e) => `${e.from}>${e.to}`));
      expect(report.graph!.omitted).to.equal(0);
      const rankOf = new Map(report.hotspots.map((h) => [h.address.slice(2) + ":" + h.slot!.slice(2), h.rank]));
      expect(report.hotspots.map((h) => h.address)).to.have.members(["0x" + TOKEN, "0x" + POOL]);
      for (const [from, to, rank] of report.graph!.edges) {
        const keys = graph.edges.find((e) => e.from === from && e.to === to)!.keys;
        const ranks = keys.flatMap((k) => rankOf.get(`${addressOf(k)}:${slotOf(k)}`) ?? []);
        expect(rank, `edge ${from}>${to}`).to.equal(ranks.length === 0 ? 0 : Math.min(...ranks));
      }
      const capped = conflictReport(trace, { maxGraphEdges: 10 });
      expect(capped.graph!.edges).to.deep.equal(report.graph!.edges.slice(0, 10));
      expect(capped.graph!.omitted).to.equal(graph.edges.length - 10);
      expect(() => conflictReport(trace, { maxGraphEdges: -1 })).to.throw(/maxGraphEdges/);
    });
  });

  describe("in headless chromium", function () {
    this.timeout(90_000);
    let browser: string;

    before(function () {
      const found = findChromium();
      if (found === undefined) {
        if (process.env.CI) throw new Error(INSTALL_HINT);
        console.warn(`      skipped: ${INSTALL_HINT}`);
        this.skip();
      }
      browser = found!;
    });

    /** Runs in the page: every chart's marks with their boxes, and what an injected name could have done. */
    const CHECK = `
const box = (e) => { const r = e.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; };
const text = document.body.textContent;
return {
  charts: Array.from(document.querySelectorAll("svg[data-chart]")).map((svg) => {
    const section = svg.closest("[data-block],[data-workload]");
    return {
      chart: svg.getAttribute("data-chart"),
      section: section === null ? null : section.getAttribute("data-block") || section.getAttribute("data-workload"),
      box: box(svg),
      marks: Array.from(svg.querySelectorAll("[data-value]")).map((e) => Object.assign({ series: e.getAttribute("data-series"), workers: Number(e.getAttribute("data-workers")), value: Number(e.getAttribute("data-value")) }, box(e))),
      edges: Array.from(svg.querySelectorAll("[data-edge]")).map((e) => Object.assign({ from: Number(e.getAttribute("data-from")), to: Number(e.getAttribute("data-to")), hotspot: Number(e.getAttribute("data-hotspot")) }, box(e))),
    };
  }),
  pwned: typeof window.__pwned,
  title: document.title,
  found: args.needles.map((n) => text.includes(n)),
  injected: document.querySelectorAll("img, iframe, object, body svg [onload], [onerror], [onmouseover], b").length,
  scripts: document.scripts.length,
  resources: performance.getEntriesByType("resource").map((r) => r.name),
};`;

    interface Mark {
      series: string | null;
      workers: number;
      value: number;
      x: number;
      y: number;
      w: number;
      h: number;
    }
    interface Check {
      charts: { chart: string; section: string | null; box: { w: number; h: number }; marks: Mark[]; edges: { from: number; to: number; hotspot: number; x: number; w: number; h: number }[] }[];
      pwned: string;
      title: string;
      found: boolean[];
      injected: number;
      scripts: number;
      resources: string[];
    }

    function expectNothingInjected(check: Check, needles: string[]): void {
      expect(check.pwned, "window.__pwned").to.equal("undefined");
      expect(check.injected, "elements or handlers from report text").to.equal(0);
      expect(check.scripts, "scripts besides the check").to.equal(1);
      expect(check.resources, "resources loaded").to.deep.equal([]);
      needles.forEach((n, i) => expect(check.found[i], `text ${JSON.stringify(n)} shown as text`).to.equal(true));
    }

    /** Bars of one series: drawn when non-zero, their lengths proportional to their values. */
    function expectProportional(marks: Mark[], length: (m: Mark) => number, what: string): void {
      expect(marks.length, what).to.be.greaterThan(0);
      const positive = marks.filter((m) => m.value > 0);
      for (const m of positive) expect(m.w > 0 && m.h > 0, `${what}: bar of ${m.value} drawn`).to.equal(true);
      const ratios = positive.map((m) => length(m) / m.value);
      for (const r of ratios) expect(r).to.be.closeTo(ratios[0], ratios[0] * 0.02 + 0.01);
      const byValue = [...marks].sort((a, b) => a.value - b.value);
      for (let i = 1; i < byValue.length; i++) expect(length(byValue[i]), what).to.be.at.least(length(byValue[i - 1]) - 0.01);
    }

    it("draws the conflict report's charts as its numbers say, and runs nothing from its names", async function () {
      const report = conflictsReport();
      const needles = [EVIL_CONTRACT, EVIL_VARIABLE, EVIL_KEY, EVIL_REASON];
      const check = await renderAndCheck<Check>(browser, renderConflictsHtml(report), CHECK, { needles });
      expectNothingInjected(check, needles);
      expect(check.title).to.equal(`Conflicts: ${report.source.description}`);
      for (const block of report.blocks) {
        const charts = check.charts.filter((c) => c.section === String(block.number));
        const chart = (name: string) => charts.find((c) => c.chart === name)!;
        for (const c of charts) expect(c.box.w > 0 && c.box.h > 0, `block ${block.number} ${c.chart} has a size`).to.equal(true);

        const hot = chart("hotspots");
        for (const series of ["dependentTxs", "reexecutions"] as const) {
          const marks = hot.marks.filter((m) => m.series === series);
          expect(marks.map((m) => m.value)).to.deep.equal(block.hotspots.map((h) => h[series]));
          expectProportional(marks, (m) => m.w, `block ${block.number} ${series}`);
        }

        const dist = chart("distances");
        expect(dist.marks.map((m) => m.value)).to.deep.equal(distanceBins(block.distances).map((b) => b.value));
        expectProportional(dist.marks, (m) => m.h, `block ${block.number} distances`);

        const graph = chart("graph");
        const edges = block.graph!.edges;
        expect(graph.edges).to.have.length(edges.length);
        expect(graph.edges.map((e) => `${e.from}>${e.to}:${e.hotspot}`)).to.have.members(edges.map(([f, t, r]) => `${f}>${t}:${r}`));
        for (const e of graph.edges) expect(e.w > 0 && e.h > 0, `arc ${e.from}>${e.to} drawn`).to.equal(true);
        // Arcs start where their writer stands: further right for later writers, wider for longer distances.
        const byFrom = [...graph.edges].sort((a, b) => a.from - b.from);
        for (let i = 1; i < byFrom.length; i++) expect(byFrom[i].x).to.be.at.least(byFrom[i - 1].x - 2);
        const unit = graph.edges[0].w / (graph.edges[0].to - graph.edges[0].from);
        for (const e of graph.edges) expect(e.w).to.be.closeTo(unit * (e.to - e.from), unit * 0.5 + 2);
      }
      expect(report.blocks[1].graph!.edges.length).to.be.greaterThan(1000);
    });

    it("draws the bench's speedup curves through their data", async function () {
      const report = benchReport();
      const needles = [EVIL_WORKLOAD];
      const check = await renderAndCheck<Check>(browser, renderBenchHtml(report), CHECK, { needles });
      expectNothingInjected(check, needles);
      const charts = check.charts.filter((c) => c.chart === "speedup");
      expect(charts.map((c) => c.section)).to.deep.equal(report.scaling.map((s) => s.workload));
      for (const scaling of report.scaling) {
        const chart = charts.find((c) => c.section === scaling.workload)!;
        const rows = report.rows.filter((r) => r.workload === scaling.workload);
        const points = (series: string) => chart.marks.filter((m) => m.series === series).map((m) => [m.workers, m.value]);
        expect(points("measured")).to.deep.equal(rows.map((r) => [r.workers, r.speedup]));
        expect(points("ideal")).to.deep.equal(rows.map((r) => [r.workers, r.ideal]));
        expect(points("simulated")).to.deep.equal(scaling.simulated.map((s) => [s.workers, s.speedup]));
        expect(points("simulatedCoordinatorOnly")).to.deep.equal(scaling.simulatedCoordinatorOnly.map((s) => [s.workers, s.speedup]));
        // Positions: x evenly spaced per doubling of workers, y higher on screen for a higher speedup, linearly.
        const centre = (m: Mark) => ({ x: m.x + m.w / 2, y: m.y + m.h / 2 });
        const all = chart.marks;
        const perDoubling = (centre(all.find((m) => m.workers === 64)!).x - centre(all.find((m) => m.workers === 1)!).x) / 6;
        expect(perDoubling).to.be.greaterThan(10);
        const origin = centre(all.find((m) => m.workers === 1)!).x;
        for (const m of all) expect(centre(m).x).to.be.closeTo(origin + Math.log2(m.workers) * perDoubling, 1);
        const [a, b] = [all[0], all.find((m) => Math.abs(m.value - all[0].value) > 0.5)!];
        const perUnit = (centre(a).y - centre(b).y) / (b.value - a.value);
        expect(perUnit).to.be.greaterThan(0);
        for (const m of all) expect(centre(m).y).to.be.closeTo(centre(a).y - (m.value - a.value) * perUnit, 1);
      }
    });
  });
});

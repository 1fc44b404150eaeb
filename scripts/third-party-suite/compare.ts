/**
 * The outcomes of one test run (mocha's JSON reporter) and their comparison
 * between Hardhat's network and the parallel network. Pure functions: the
 * script (scripts/third-party-suite.ts) reads the files and prints.
 */
import path from "node:path";

/** One entry of mocha's JSON report (a test, or a hook that failed). */
export interface MochaEntry {
  title: string;
  fullTitle: string;
  file?: string;
  duration?: number;
  err?: { message?: string; stack?: string };
}

/** What mocha's JSON reporter writes (only the fields used here). */
export interface MochaReport {
  stats: { tests: number; passes: number; failures: number; pending: number; duration?: number };
  /** Every test that ran or was skipped, in the order they ended (hooks are not tests). */
  tests: MochaEntry[];
  passes: MochaEntry[];
  failures: MochaEntry[];
  pending: MochaEntry[];
}

export type Status = "passed" | "failed" | "pending";

export interface Outcome {
  /** "<file> › <full title>" as this run titled the test. */
  name: string;
  status: Status;
  /** The failure's message, for failed tests and hooks. */
  error?: string;
  /** A hook (before/after), not a test: mocha reports a failing hook as a failure of its own. */
  hook: boolean;
}

/**
 * Outcomes by key: "<file relative to the project> › <full title>", with
 * " [#n]" for the n-th repeat of a title, and random values masked (see maskRandom).
 */
export type Outcomes = Map<string, Outcome>;

const HOOK_TITLE = /^"(before|after) (all|each)" hook/;

/**
 * A title with the values that suites draw at random masked: long hex
 * strings (addresses, hashes), long tokens of letters and digits (base58
 * addresses) and long numbers become "…". OpenZeppelin's suites, for one,
 * title tests with random addresses and 256-bit numbers, so
 * the same test has another title in each run; with the mask, such tests are
 * matched by their order among the tests of the same masked title.
 */
export function maskRandom(title: string): string {
  return title
    .replace(/0x[0-9a-fA-F]{8,}/g, "0x…")
    .replace(/\b(?=[0-9A-Za-z]*\d)[0-9A-Za-z]{16,}\b/g, "…")
    .replace(/\d{6,}/g, "…");
}

/**
 * The outcomes of a run; `root` makes file paths relative. A title repeated
 * in one file (behaviours shared by several suites) is told apart by the
 * order in which the tests ran, the same in both runs whatever their outcome.
 */
export function outcomesOf(report: MochaReport, root: string): Outcomes {
  const outcomes: Outcomes = new Map();
  const nameOf = (entry: MochaEntry) => {
    const file = entry.file === undefined ? "(no file)" : path.relative(root, entry.file).split(path.sep).join("/");
    return `${file} › ${entry.fullTitle}`;
  };
  const baseOf = (entry: MochaEntry) => maskRandom(nameOf(entry));
  const seen = new Map<string, number>();
  const keyOf = (base: string) => {
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base} [#${n}]`;
  };
  // The pending list names the skipped tests; a test entry with an error failed, any other passed.
  const pending = new Map<string, number>();
  for (const e of report.pending) pending.set(baseOf(e), (pending.get(baseOf(e)) ?? 0) + 1);
  for (const e of report.tests) {
    const base = baseOf(e);
    const key = keyOf(base);
    const name = nameOf(e);
    if (e.err?.message !== undefined) outcomes.set(key, { name, status: "failed", error: e.err.message, hook: false });
    else if ((pending.get(base) ?? 0) > 0) {
      pending.set(base, pending.get(base)! - 1);
      outcomes.set(key, { name, status: "pending", hook: false });
    } else outcomes.set(key, { name, status: "passed", hook: false });
  }
  // A failing hook is reported as a failure of its own (and the tests it guards do not run).
  for (const e of report.failures) {
    if (HOOK_TITLE.test(e.title)) outcomes.set(keyOf(baseOf(e)), { name: nameOf(e), status: "failed", error: e.err?.message ?? "(no message)", hook: true });
  }
  return outcomes;
}

/** A key whose outcome differs between the networks (a missing side: not run there). */
export interface Difference {
  key: string;
  /** The test's title as a run gave it (Hardhat's network's, if it ran there). */
  name: string;
  hardhat?: Outcome;
  parallel?: Outcome;
}

export interface Comparison {
  /** Keys (see Outcomes). */
  bothPassed: string[];
  bothFailed: Difference[];
  /** Keys (see Outcomes). */
  bothPending: string[];
  /** Differences grouped by "<status on Hardhat's network> → <status on the parallel network>". */
  differences: Map<string, Difference[]>;
}

export function statusLabel(o: Outcome | undefined): string {
  if (o === undefined) return "not run";
  return o.hook ? `hook ${o.status}` : o.status;
}

export function compareOutcomes(hardhat: Outcomes, parallel: Outcomes): Comparison {
  const comparison: Comparison = { bothPassed: [], bothFailed: [], bothPending: [], differences: new Map() };
  const keys = [...hardhat.keys(), ...[...parallel.keys()].filter((k) => !hardhat.has(k))];
  for (const key of keys) {
    const [h, p] = [hardhat.get(key), parallel.get(key)];
    if (h !== undefined && p !== undefined && h.status === p.status) {
      if (h.status === "passed") comparison.bothPassed.push(key);
      else if (h.status === "pending") comparison.bothPending.push(key);
      else comparison.bothFailed.push({ key, name: h.name, hardhat: h, parallel: p });
      continue;
    }
    const group = `${statusLabel(h)} → ${statusLabel(p)}`;
    const list = comparison.differences.get(group) ?? [];
    list.push({ key, name: (h ?? p)!.name, hardhat: h, parallel: p });
    comparison.differences.set(group, list);
  }
  return comparison;
}

/** The first lines of an error message, for the summary (the JSON output keeps it whole). */
export function shortError(message: string | undefined, maxLines = 4, maxChars = 600): string {
  const text = (message ?? "").split("\n").slice(0, maxLines).join("\n");
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}

export interface RunSummary {
  label: string;
  wallSeconds: number;
  report: MochaReport;
}

/** The comparison as text: counts per network, every difference with its error, times and their ratio. */
export function formatComparison(hardhat: RunSummary, parallel: RunSummary, comparison: Comparison): string {
  const lines: string[] = [];
  const row = (name: string, a: string | number, b: string | number) => lines.push(`  ${name.padEnd(28)}${String(a).padStart(12)}${String(b).padStart(12)}`);
  row("", hardhat.label, parallel.label);
  row("tests passing", hardhat.report.stats.passes, parallel.report.stats.passes);
  row("tests/hooks failing", hardhat.report.stats.failures, parallel.report.stats.failures);
  row("tests pending", hardhat.report.stats.pending, parallel.report.stats.pending);
  row("wall time of `hardhat test`", `${hardhat.wallSeconds.toFixed(1)} s`, `${parallel.wallSeconds.toFixed(1)} s`);
  const mochaSeconds = (r: MochaReport) => (r.stats.duration === undefined ? "?" : `${(r.stats.duration / 1000).toFixed(1)} s`);
  row("of which mocha's run", mochaSeconds(hardhat.report), mochaSeconds(parallel.report));
  lines.push(`  time ratio (${parallel.label} / ${hardhat.label}): ${(parallel.wallSeconds / hardhat.wallSeconds).toFixed(2)}x`);
  lines.push("");
  lines.push(`Same outcome on both: ${comparison.bothPassed.length} passing, ${comparison.bothFailed.length} failing, ${comparison.bothPending.length} pending.`);

  const total = [...comparison.differences.values()].reduce((n, l) => n + l.length, 0);
  lines.push(`Different outcome: ${total}.`);
  for (const [group, list] of comparison.differences) {
    lines.push("");
    const [onHardhat, onParallel] = group.split(" → ");
    lines.push(`${hardhat.label}: ${onHardhat} → ${parallel.label}: ${onParallel} (${list.length})`);
    for (const d of list) {
      lines.push(`  - ${d.name}`);
      for (const [label, o] of [[hardhat.label, d.hardhat], [parallel.label, d.parallel]] as const) {
        if (o?.status === "failed") lines.push(indent(`${label}: ${shortError(o.error)}`, 6));
      }
    }
  }
  if (comparison.bothFailed.length > 0) {
    lines.push("");
    lines.push(`Failing on both (${comparison.bothFailed.length}):`);
    for (const d of comparison.bothFailed) {
      lines.push(`  - ${d.name}`);
      const [h, p] = [shortError(d.hardhat?.error, 2, 300), shortError(d.parallel?.error, 2, 300)];
      lines.push(indent(h === p ? `both: ${h}` : `${hardhat.label}: ${h}\n${parallel.label}: ${p}`, 6));
    }
  }
  return lines.join("\n");
}

function indent(text: string, n: number): string {
  return text
    .split("\n")
    .map((l) => " ".repeat(n) + l)
    .join("\n");
}

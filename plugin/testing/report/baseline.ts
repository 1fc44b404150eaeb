/**
 * The parallel-friendliness baseline (in the spirit of `forge snapshot`): a
 * file with each function's conflict share and each batch's ideal speedup
 * from a test run's report, and the check of a later run against it. A
 * function whose share grew, or a batch whose ideal speedup fell, by more
 * than the tolerance fails the check, named with the variables behind it
 * (docs/testing.md).
 */
import type { ParallelTestReport } from "./report";

export const BASELINE_SCHEMA_VERSION = 1;

export interface Baseline {
  schemaVersion: number;
  generator: string;
  functions: Record<string, { calls: number; conflictShare: number; variables: string[] }>;
  batches: Record<string, { txs: number; idealSpeedup: number; hotspots: string[] }>;
}

export function baselineOf(report: ParallelTestReport): Baseline {
  return {
    schemaVersion: BASELINE_SCHEMA_VERSION,
    generator: report.generator,
    functions: Object.fromEntries(report.functions.map((f) => [f.function, { calls: f.calls, conflictShare: f.conflictShare, variables: f.variables.map((v) => v.variable) }])),
    batches: Object.fromEntries(report.batches.map((b) => [b.test, { txs: b.txs, idealSpeedup: b.idealSpeedup, hotspots: b.hotspots }])),
  };
}

export class BaselineError extends Error {}

/** A baseline file's text, checked: the schema version first, then the shape. */
export function parseBaseline(text: string, file: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new BaselineError(`${file} is not JSON (${(e as Error).message}); write it again with npx hardhat parallel-baseline`);
  }
  const b = data as Partial<Baseline>;
  if (typeof data !== "object" || data === null || b.schemaVersion === undefined) {
    throw new BaselineError(`${file} is not a parallel-friendliness baseline (no schemaVersion); write one with npx hardhat parallel-baseline`);
  }
  if (b.schemaVersion !== BASELINE_SCHEMA_VERSION) {
    throw new BaselineError(
      `${file} has baseline schema version ${JSON.stringify(b.schemaVersion)}, and this hardhat-parallel reads version ${BASELINE_SCHEMA_VERSION}; write it again with npx hardhat parallel-baseline (on the commit it should describe) and commit it`,
    );
  }
  if (typeof b.functions !== "object" || b.functions === null || typeof b.batches !== "object" || b.batches === null) {
    throw new BaselineError(`${file} lacks its "functions" or "batches" object; write it again with npx hardhat parallel-baseline`);
  }
  return b as Baseline;
}

export type ChangeKind = "worse" | "better" | "new" | "gone";

export interface Change {
  kind: ChangeKind;
  what: "function" | "batch";
  name: string;
  metric: "conflict share" | "ideal speedup";
  before: number | null;
  after: number | null;
  /** The variables that explain it: those new among the function's conflicting variables (or the batch's hotspots), else its current ones. */
  causes: string[];
}

/**
 * Compares a run with the baseline. `tolerance` is absolute for conflict
 * shares (0.05: five percentage points) and relative for ideal speedups
 * (0.05: five percent).
 */
export function compareWithBaseline(baseline: Baseline, current: Baseline, tolerance: number): Change[] {
  const changes: Change[] = [];
  for (const [name, now] of Object.entries(current.functions)) {
    const was = baseline.functions[name];
    if (was === undefined) {
      changes.push({ kind: "new", what: "function", name, metric: "conflict share", before: null, after: now.conflictShare, causes: now.variables });
      continue;
    }
    const delta = now.conflictShare - was.conflictShare;
    if (Math.abs(delta) <= tolerance) continue;
    changes.push({ kind: delta > 0 ? "worse" : "better", what: "function", name, metric: "conflict share", before: was.conflictShare, after: now.conflictShare, causes: causes(was.variables, now.variables, delta > 0) });
  }
  for (const [name, now] of Object.entries(current.batches)) {
    const was = baseline.batches[name];
    if (was === undefined) {
      changes.push({ kind: "new", what: "batch", name, metric: "ideal speedup", before: null, after: now.idealSpeedup, causes: now.hotspots });
      continue;
    }
    const ratio = now.idealSpeedup / was.idealSpeedup;
    if (Math.abs(ratio - 1) <= tolerance) continue;
    changes.push({ kind: ratio < 1 ? "worse" : "better", what: "batch", name, metric: "ideal speedup", before: was.idealSpeedup, after: now.idealSpeedup, causes: causes(was.hotspots, now.hotspots, ratio < 1) });
  }
  for (const name of Object.keys(baseline.functions)) {
    if (current.functions[name] === undefined) changes.push({ kind: "gone", what: "function", name, metric: "conflict share", before: baseline.functions[name].conflictShare, after: null, causes: [] });
  }
  for (const name of Object.keys(baseline.batches)) {
    if (current.batches[name] === undefined) changes.push({ kind: "gone", what: "batch", name, metric: "ideal speedup", before: baseline.batches[name].idealSpeedup, after: null, causes: [] });
  }
  const order: ChangeKind[] = ["worse", "better", "new", "gone"];
  return changes.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || (a.name < b.name ? -1 : 1));
}

/** Worse: what is new among the culprits (else all of them now); better: what went away. */
function causes(before: readonly string[], after: readonly string[], worse: boolean): string[] {
  if (!worse) return before.filter((v) => !after.includes(v));
  const fresh = after.filter((v) => !before.includes(v));
  return fresh.length > 0 ? fresh : [...after];
}

/** One line per change, for the terminal. */
export function describeChange(c: Change): string {
  const value = (x: number | null) => (x === null ? "-" : c.metric === "conflict share" ? `${(100 * x).toFixed(1)}%` : `${x.toFixed(2)}x`);
  const subject = `${c.what} ${c.name}`;
  switch (c.kind) {
    case "new":
      return `new ${subject}: ${c.metric} ${value(c.after)} (not in the baseline)`;
    case "gone":
      return `${subject} is no longer run (baseline ${c.metric} ${value(c.before)})`;
    default: {
      const why = c.causes.length === 0 ? "" : c.kind === "worse" ? `; caused by ${c.causes.join(", ")}` : `; no longer: ${c.causes.join(", ")}`;
      return `${c.kind.toUpperCase()} ${subject}: ${c.metric} ${value(c.before)} -> ${value(c.after)}${why}`;
    }
  }
}

/** A Markdown summary fit for a pull-request comment. */
export function markdownSummary(changes: readonly Change[], tolerance: number, file: string): string {
  const worse = changes.filter((c) => c.kind === "worse").length;
  const head = worse > 0 ? `**Parallel-friendliness: ${worse} regression${worse === 1 ? "" : "s"}** against \`${file}\`` : `**Parallel-friendliness: no regression** against \`${file}\``;
  const lines = [head, "", `Tolerance ${(100 * tolerance).toFixed(1)} points of conflict share, ${(100 * tolerance).toFixed(1)}% of ideal speedup.`];
  if (changes.length === 0) return [...lines, "", "Nothing changed."].join("\n") + "\n";
  const value = (c: Change, x: number | null) => (x === null ? "-" : c.metric === "conflict share" ? `${(100 * x).toFixed(1)}%` : `${x.toFixed(2)}x`);
  lines.push("", "| Change | What | Metric | Baseline | Now | Variables |", "|---|---|---|---|---|---|");
  for (const c of changes) {
    lines.push(`| ${c.kind} | ${c.what} \`${c.name.replace(/\|/g, "\\|")}\` | ${c.metric} | ${value(c, c.before)} | ${value(c, c.after)} | ${c.causes.map((v) => `\`${v}\``).join(", ")} |`);
  }
  return lines.join("\n") + "\n";
}

/**
 * The test reporter's report as text, printed after `npx hardhat test`: the
 * functions table, the function-pair matrix and the batches, each a
 * Markdown-style table (docs/testing.md defines the columns).
 */
import { table } from "../../hardhat/text-table";
import type { ParallelTestReport } from "./report";

/** Functions shown in the pair matrix (the most called ones that meet another in a group). */
const MATRIX_FUNCTIONS = 6;
const NAME = 40;

export function formatReport(report: ParallelTestReport): string {
  const out: string[] = [];
  const t = report.totals;
  out.push(`Parallel-friendliness (hardhat-parallel): ${count(t.txs, "transaction")} (${count(t.deployments, "deployment")}) in ${count(t.sequences, "sequence")} and ${count(t.batches, "batch", "batches")}`);
  for (const note of report.notes) out.push(`note: ${note}`);
  if (report.functions.length === 0) return out.join("\n");

  out.push("", "Functions (share: calls that depended on an earlier transaction of their test or batch, or that a later one depended on)");
  out.push(
    ...table([
      ["Function", "Calls", "In conflict", "Share", "Top conflicting variables (dependencies)"],
      ...report.functions.map((f) => [clip(f.function, 40), String(f.calls), String(f.inConflict), pct(f.conflictShare), clip(f.variables.map((v) => `${v.variable} (${v.dependencies})`).join(", "), 60)]),
    ]),
  );

  const matrix = matrixOf(report);
  if (matrix !== undefined) {
    out.push("", "Function pairs (row: the earlier call, column: the later one, numbered as the rows; conflicting pairs / pairs)");
    out.push(...table(matrix));
  }

  if (report.batches.length > 0) {
    out.push("", "Batches (blocks of several transactions; ideal speedup weighed by gas)");
    out.push(
      ...table([
        ["Test", "Block", "Txs", "Dependent", "Ideal", "Hotspots"],
        ...report.batches.map((b) => [clip(b.test, 40), String(b.block), String(b.txs), String(b.dependentTxs), `${b.idealSpeedup.toFixed(2)}x`, clip(b.hotspots.join("; ") || "none", 50)]),
      ]),
    );
  }
  return out.join("\n");
}

function matrixOf(report: ParallelTestReport): string[][] | undefined {
  const met = new Map<string, number>();
  for (const p of report.pairs) {
    if (p.pairs === 0) continue;
    met.set(p.earlier, (met.get(p.earlier) ?? 0) + p.pairs);
    met.set(p.later, (met.get(p.later) ?? 0) + p.pairs);
  }
  if (met.size === 0) return undefined;
  // Conflicting functions first, then the most met.
  const conflicts = new Map<string, number>();
  for (const p of report.pairs) for (const f of [p.earlier, p.later]) conflicts.set(f, (conflicts.get(f) ?? 0) + p.conflicts);
  const names = [...met.keys()].sort((a, b) => (conflicts.get(b) ?? 0) - (conflicts.get(a) ?? 0) || met.get(b)! - met.get(a)! || (a < b ? -1 : 1)).slice(0, MATRIX_FUNCTIONS);
  const cell = new Map(report.pairs.map((p) => [`${p.earlier}\n${p.later}`, p]));
  // Columns are numbered after the rows, so the table stays narrow.
  return [
    ["earlier \\ later", ...names.map((_, i) => String(i + 1))],
    ...names.map((row, i) => [
      `${i + 1}. ${clip(row, NAME)}`,
      ...names.map((col) => {
        const p = cell.get(`${row}\n${col}`);
        return p === undefined || p.pairs === 0 ? "-" : `${p.conflicts}/${p.pairs}`;
      }),
    ]),
  ];
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : text.slice(0, width - 1) + "…";
}

function pct(share: number): string {
  return `${(100 * share).toFixed(1)}%`;
}

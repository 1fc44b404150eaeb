/** A Markdown-style table for the tasks' terminal output: the first row is the header. */
export function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r, i) => {
    const line = "| " + r.map((cell, c) => cell.padEnd(widths[c])).join(" | ") + " |";
    return i === 0 ? line + "\n|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|" : line;
  });
}

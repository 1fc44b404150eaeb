/** Writes a task's `--json` report (creating its folder) and returns the absolute path written. */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

export function writeJsonReport(file: string, report: unknown): string {
  const absolute = path.resolve(file);
  mkdirSync(path.dirname(absolute), { recursive: true });
  writeFileSync(absolute, JSON.stringify(report, null, 2) + "\n");
  return absolute;
}

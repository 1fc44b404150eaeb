/** Writes a task's `--json` or `--html` report (creating its folder) and returns the absolute path written. */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

export function writeJsonReport(file: string, report: unknown): string {
  return writeHtmlReport(file, JSON.stringify(report, null, 2) + "\n");
}

export function writeHtmlReport(file: string, text: string): string {
  const absolute = path.resolve(file);
  mkdirSync(path.dirname(absolute), { recursive: true });
  writeFileSync(absolute, text);
  return absolute;
}

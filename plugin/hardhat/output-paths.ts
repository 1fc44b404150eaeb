/**
 * Checks of a task's output files (`--json`, `--html`, ...) before it does
 * any work: a benchmark that runs for minutes and then cannot write its
 * report has wasted those minutes. Each error names the option, the path and
 * how to fix it.
 */
import { closeSync, existsSync, openSync, statSync, unlinkSync } from "node:fs";
import path from "node:path";

import { pluginError } from "./errors";

/** Options and the file each names; options not given are undefined and skipped. */
export function checkOutputPaths(outputs: Record<string, string | undefined>): void {
  const seen = new Map<string, string>();
  for (const [option, file] of Object.entries(outputs)) {
    if (file === undefined) continue;
    const absolute = checkOutputPath(option, file);
    const other = seen.get(absolute);
    if (other !== undefined) throw pluginError(`${other} and ${option} both name ${file}: the second report would overwrite the first. Give each its own file.`);
    seen.set(absolute, option);
  }
}

/** Throws unless `file` can be written as a new or replaced file; returns its absolute path. */
export function checkOutputPath(option: string, file: string): string {
  if (file.trim() === "") throw pluginError(`${option} needs a file name, e.g. ${option} ${exampleName(option)}`);
  const absolute = path.resolve(file);
  const folder = path.dirname(absolute);
  if (!existsSync(folder)) {
    throw pluginError(`${option} ${file}: the folder ${folder} does not exist. Create it first (mkdir -p ${folder}) or write somewhere else. Nothing was run.`);
  }
  if (!statSync(folder).isDirectory()) throw pluginError(`${option} ${file}: ${folder} is not a folder. Nothing was run.`);
  if (existsSync(absolute) && statSync(absolute).isDirectory()) {
    throw pluginError(`${option} ${file} is a folder; give a file name inside it, e.g. ${path.join(file, exampleName(option))}. Nothing was run.`);
  }
  // Opening is the only reliable test (permissions, read-only file systems, root): an existing file is
  // opened without truncating it, a new one is created and removed again.
  const existed = existsSync(absolute);
  try {
    closeSync(openSync(absolute, existed ? "r+" : "wx"));
    if (!existed) unlinkSync(absolute);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw pluginError(`${option} ${file} cannot be written (${code}). Choose a path you can write to. Nothing was run.`);
  }
  return absolute;
}

/** "report.html" for --html, "report.json" for the JSON options. */
function exampleName(option: string): string {
  return option === "--html" ? "report.html" : "report.json";
}

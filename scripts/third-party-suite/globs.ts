/**
 * Test file selection for `hardhat test`, which takes file paths only (no
 * globs): each pattern is a file, a folder (every test file under it, as
 * `hardhat test` takes everything under test/ by default) or a glob with
 * `*` (within a path segment), `**` (any number of segments) and `?`.
 */
import { readdirSync, statSync } from "node:fs";
import path from "node:path";

/** What Hardhat 2's `hardhat test` picks up as test files. */
const TEST_FILE = /\.(js|cjs|mjs|ts|cts|mts)$/;

/** Folders never searched: dependencies, version control, build output and this script's own files. */
const SKIPPED_DIRS = new Set(["node_modules", ".git", "artifacts", "cache", ".third-party-suite"]);

/** Every file below `dir`, as "/"-separated paths relative to `root`. */
function filesBelow(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = dir === "" ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) out.push(...filesBelow(root, rel));
    } else if (entry.isFile()) out.push(rel);
  }
  return out;
}

/** A glob as a regular expression over "/"-separated relative paths. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*" && glob[i + 1] === "*") {
      // "**/" matches zero or more whole segments; a trailing "**" everything below.
      const slash = glob[i + 2] === "/";
      re += slash ? "(?:.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/**
 * The test files the patterns select in the project at `root`, relative to
 * it, sorted, each once. A pattern that selects nothing is an error: a typo
 * would otherwise quietly run fewer tests.
 */
export function expandTestPatterns(root: string, patterns: readonly string[]): string[] {
  const selected = new Set<string>();
  let all: string[] | undefined;
  for (const raw of patterns) {
    const pattern = raw.replace(/\\/g, "/").replace(/^\.\//, "").replace(/\/+$/, "");
    let found: string[];
    const stat = statSync(path.join(root, pattern), { throwIfNoEntry: false });
    if (stat?.isFile()) found = [pattern];
    else if (stat?.isDirectory()) found = filesBelow(root, pattern).filter((f) => TEST_FILE.test(f));
    else {
      const re = globToRegExp(pattern);
      all ??= filesBelow(root, "");
      found = all.filter((f) => re.test(f) && TEST_FILE.test(f));
    }
    if (found.length === 0) throw new Error(`The test pattern "${raw}" selects no test file (.js or .ts) in ${root}: check the path, relative to the project's folder`);
    for (const f of found) selected.add(f);
  }
  return [...selected].sort();
}

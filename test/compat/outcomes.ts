/**
 * The outcome recorder of the toolbox compatibility suite.
 *
 * `npm test` runs every file of test/compat twice: on Hardhat's own network
 * (EDR), then on the parallel network (HARDHAT_PARALLEL=1). Each test asserts
 * its own expectations on whichever network it runs, and also feeds this
 * recorder with what it observed (balances, event arguments, revert data,
 * gas used, gas estimates, nonces, storage words, block numbers, timestamp
 * differences...). At the end of the run the log is written to
 * `cache/compat/<edr|parallel>.json`; in the parallel pass,
 * identical-outcomes.test.ts compares its log with the EDR one, entry by
 * entry, and names the first entry that differs.
 *
 * Keys are deterministic: the test's full title, then the label given to
 * `record` (a label used twice in one test gets `#2`, `#3`...); a run
 * replaces the entries of the tests it ran and keeps the others. Values must
 * not depend on timing: every compat file starts from `hardhat_reset` (so
 * block numbers, nonces and contract addresses are the same on both
 * networks), and timestamps are recorded only as differences the test
 * itself fixed (time.increase, setNextBlockTimestamp, mine intervals), never
 * as wall-clock values.
 *
 * Gas estimates are recorded with `recordGasEstimate` and compared within
 * Hardhat's tolerance (see `gasEstimateTolerance`); everything else must be
 * equal.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import hre from "hardhat";

import { parallelNetworkRequested } from "../../plugin/hardhat/network";

export type NetworkName = "edr" | "parallel";

/** Which network this run uses. */
export const NETWORK: NetworkName = parallelNetworkRequested(hre.config) ? "parallel" : "edr";
export const ON_PARALLEL = NETWORK === "parallel";

export const COMPAT_DIR = path.join(hre.config.paths.cache, "compat");
export const logPath = (network: NetworkName): string => path.join(COMPAT_DIR, `${network}.json`);

/** JSON, with bigints written as "<digits>n" so they survive the round trip as exact values. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Entry {
  label: string;
  /** "exact": must be equal on both networks; "gasEstimate": within Hardhat's estimation tolerance. */
  kind: "exact" | "gasEstimate";
  value: Json;
}

export interface TestLog {
  /** Whether the test passed in this run; only tests that passed on both networks are compared. */
  state: "passed" | "failed" | "pending" | "running";
  entries: Entry[];
}

export interface OutcomeLog {
  network: NetworkName;
  /** When the log was written (informative only; never compared). */
  writtenAt: string;
  tests: Record<string, TestLog>;
}

const log: OutcomeLog = { network: NETWORK, writtenAt: "", tests: {} };
let current: Mocha.Test | undefined;

/** This run's log, as recorded so far. */
export function currentLog(): OutcomeLog {
  return log;
}

/** A JSON form of an observed value: bigints as "123n", ethers Results as arrays, object keys sorted. */
export function normalize(value: unknown): Json {
  if (value === undefined || value === null) return null;
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "string") return value;
  if (Array.isArray(value)) return Array.from(value, normalize);
  if (typeof value === "object") {
    const out: { [key: string]: Json } = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (typeof v !== "function") out[key] = normalize(v);
    }
    return out;
  }
  throw new Error(`outcomes: cannot record a ${typeof value}`);
}

function push(label: string, kind: Entry["kind"], value: unknown): void {
  if (current === undefined) throw new Error(`outcomes: record("${label}") was called outside a test (hooks cannot record)`);
  const title = current.fullTitle();
  const test = (log.tests[title] ??= { state: "running", entries: [] });
  const same = test.entries.filter((e) => e.label === label || e.label.startsWith(`${label}#`)).length;
  test.entries.push({ label: same === 0 ? label : `${label}#${same + 1}`, kind, value: normalize(value) });
}

/** Records an outcome that must be identical on both networks. */
export function record(label: string, value: unknown): void {
  push(label, "exact", value);
}

/** Records an eth_estimateGas result; compared within Hardhat's tolerance, not exactly. */
export function recordGasEstimate(label: string, estimate: bigint): void {
  push(label, "gasEstimate", estimate);
}

/**
 * How far two gas estimates of the same transaction may be apart.
 *
 * Both networks first run the transaction with the block gas limit and try
 * its gas used as the limit. When that succeeds (no refund, no gas-dependent
 * logic), both return exactly the gas used. When it fails (a storage refund,
 * or a call that needs more than it uses because of the 63/64 rule), EDR
 * does what Hardhat's JS network did: a binary search that stops as soon as
 * the bounds are closer than a threshold that grows with the gas
 * (200 below 30k, 300 below 50k, 500 below 100k, 1000 below 1M, 10k below
 * 4M, 50k above) and returns the upper bound, which is sufficient but may be
 * up to that threshold above the smallest sufficient limit. The parallel
 * network searches to the exact smallest sufficient limit. So the two agree
 * exactly in the first case and within that threshold (of the smaller
 * estimate) in the second; the tests also check on each network that the
 * estimate is at least the gas used and that the transaction succeeds with
 * it.
 */
export function gasEstimateTolerance(estimate: bigint): bigint {
  if (estimate >= 4_000_000n) return 50_000n;
  if (estimate >= 1_000_000n) return 10_000n;
  if (estimate >= 100_000n) return 1_000n;
  if (estimate >= 50_000n) return 500n;
  if (estimate >= 30_000n) return 300n;
  return 200n;
}

function parseBigint(v: Json): bigint | undefined {
  return typeof v === "string" && /^\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : undefined;
}

/** Why two entries differ, or undefined when they match. */
export function entryDifference(expected: Entry, actual: Entry): string | undefined {
  if (expected.label !== actual.label) return `labels differ: EDR recorded "${expected.label}", parallel recorded "${actual.label}"`;
  if (expected.kind !== actual.kind) return `kinds differ: ${expected.kind} vs ${actual.kind}`;
  if (expected.kind === "gasEstimate") {
    const a = parseBigint(expected.value);
    const b = parseBigint(actual.value);
    if (a === undefined || b === undefined) return `gas estimates are not bigints: ${JSON.stringify(expected.value)} vs ${JSON.stringify(actual.value)}`;
    const low = a < b ? a : b;
    const diff = a > b ? a - b : b - a;
    const tolerance = gasEstimateTolerance(low);
    return diff <= tolerance ? undefined : `gas estimates ${a} (EDR) and ${b} (parallel) differ by ${diff}, more than Hardhat's tolerance ${tolerance}`;
  }
  const e = JSON.stringify(expected.value);
  const g = JSON.stringify(actual.value);
  return e === g ? undefined : `EDR: ${e}\n  parallel: ${g}`;
}

export interface Comparison {
  compared: number;
  entries: number;
  /** Tests recorded on EDR that did not pass in this run (skipped or not run), so were not compared. */
  notCompared: string[];
  /** The first difference, if any. */
  firstDifference?: string;
}

/** Compares this run's log (`actual`) with another (`expected`), test by test in recording order. */
export function compareLogs(expected: OutcomeLog, actual: OutcomeLog): Comparison {
  const result: Comparison = { compared: 0, entries: 0, notCompared: [] };
  for (const [title, test] of Object.entries(actual.tests)) {
    if (test.state !== "passed") continue;
    const reference = expected.tests[title];
    if (reference === undefined) {
      result.firstDifference ??= `"${title}" passed here but is not in the EDR log (${logPath(expected.network)}); run \`npm test\` to record both logs`;
      continue;
    }
    if (reference.state !== "passed") {
      result.firstDifference ??= `"${title}" did not pass on EDR (state: ${reference.state})`;
      continue;
    }
    result.compared++;
    const n = Math.max(reference.entries.length, test.entries.length);
    for (let i = 0; i < n; i++) {
      const e = reference.entries[i];
      const a = test.entries[i];
      if (e === undefined || a === undefined) {
        result.firstDifference ??= `"${title}": entry #${i + 1} ("${(e ?? a).label}") was recorded only on ${e === undefined ? "the parallel network" : "EDR"}`;
        break;
      }
      result.entries++;
      const why = entryDifference(e, a);
      if (why !== undefined) {
        result.firstDifference ??= `"${title}" › "${e.label}": ${why}`;
        break;
      }
    }
  }
  for (const [title, test] of Object.entries(expected.tests)) {
    if (test.state === "passed" && actual.tests[title]?.state !== "passed" && actual.tests[title] !== undefined) result.notCompared.push(title);
  }
  return result;
}

export function readLog(network: NetworkName): OutcomeLog | undefined {
  const file = logPath(network);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as OutcomeLog) : undefined;
}

// Root-level hooks (this module is imported at the top level of every compat
// file, and Node loads it once): they follow the running test and write the
// log when the whole run ends.
beforeEach(function () {
  current = this.currentTest;
});

afterEach(function () {
  const test = this.currentTest;
  // Every compat test gets a state, even one that recorded nothing (so a test skipped here is reported).
  if (test !== undefined && (log.tests[test.fullTitle()] !== undefined || isCompatFile(test.file))) {
    const entry = (log.tests[test.fullTitle()] ??= { state: "running", entries: [] });
    entry.state = test.state === "passed" ? "passed" : test.isPending() ? "pending" : "failed";
  }
  current = undefined;
});

function isCompatFile(file: string | undefined): boolean {
  return file !== undefined && path.relative(path.join(hre.config.paths.tests, "compat"), file).startsWith("..") === false;
}

after(function () {
  if (Object.keys(log.tests).length === 0) return;
  // Tests that did not run this time keep their earlier entries (running one file does not erase the others').
  const earlier = readLog(NETWORK);
  const merged: OutcomeLog = { network: NETWORK, writtenAt: new Date().toISOString(), tests: { ...earlier?.tests, ...log.tests } };
  mkdirSync(COMPAT_DIR, { recursive: true });
  writeFileSync(logPath(NETWORK), `${JSON.stringify(merged, null, 1)}\n`);
});

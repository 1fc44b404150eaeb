import os from "os";

import { PARALLEL_DEFAULTS } from "../engine/defaults";
import { pluginError } from "./errors";

/**
 * The `parallel` section of hardhat.config.ts, as the user writes it.
 * Every field is optional; the defaults are documented on each field.
 */
export interface ParallelUserConfig {
  /**
   * Replace Hardhat's in-process network with the parallel executor.
   * Default: false (the benchmark and replay tasks work either way).
   */
  enabled?: boolean;
  /**
   * Worker threads that execute transactions, an integer from 1 to 256.
   * Default: the available parallelism of this machine, capped at 8.
   */
  workers?: number;
  /**
   * Blocks with fewer transactions than this run sequentially: below it the
   * cost of dispatching to workers outweighs what they can win.
   * Default: 8.
   */
  minTxsForParallel?: number;
  /**
   * When the execution time of thrown-away incarnations (aborted, or stopped
   * to wait for a lower transaction) exceeds this many times the execution
   * time of the transactions committed since speculation started, the next
   * transactions run in order on the calling thread (a high-contention block
   * would only burn CPU). A number greater than 0. Default: 1.
   */
  maxReexecutionRatio?: number;
  /**
   * What to do when a worker thread crashes: "sequential" re-runs the block
   * sequentially, "error" throws. Default: "sequential".
   */
  onWorkerFailure?: WorkerFailurePolicy;
  /**
   * On the parallel network, also execute every block that runs in parallel
   * with the sequential executor and refuse the block (the call that mined
   * it fails, the chain stays as it was) when receipts, gas, logs bloom,
   * receipts root, state root or state changes differ. Doubles the work of
   * parallel blocks; for debugging. Switchable at run time with the
   * `parallel_setVerification` JSON-RPC method. Default: false.
   */
  verify?: boolean;
  /**
   * The parallel-friendliness test reporter: after `npx hardhat test` on the
   * parallel network, a table per function (calls, share in conflicts, the
   * variables behind them), a function-pair matrix and the batches, and the
   * same as JSON. `true`, or `{ enabled, json }` where `json` is the file
   * written (default "parallel-report.json", relative to the project root).
   * The HARDHAT_PARALLEL_REPORT environment variable ("1"/"0") overrides
   * `enabled`. Default: false.
   */
  report?: boolean | { enabled?: boolean; json?: string };
}

/** The values `onWorkerFailure` accepts. */
export const WORKER_FAILURE_POLICIES = ["sequential", "error"] as const;
export type WorkerFailurePolicy = (typeof WORKER_FAILURE_POLICIES)[number];

/** The resolved `parallel` section: every field present and validated. */
export interface ParallelConfig {
  readonly enabled: boolean;
  readonly workers: number;
  readonly minTxsForParallel: number;
  readonly maxReexecutionRatio: number;
  readonly onWorkerFailure: WorkerFailurePolicy;
  readonly verify: boolean;
  readonly report: { readonly enabled: boolean; readonly json: string };
}

export const DEFAULT_REPORT_JSON = "parallel-report.json";

export const MIN_WORKERS = 1;
export const MAX_WORKERS = 256;
/** More default workers than this rarely pays off: contention grows with them. */
const MAX_DEFAULT_WORKERS = 8;

/** The default for `parallel.workers` on this machine: 1 to 8. */
export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(MAX_DEFAULT_WORKERS, os.availableParallelism()));
}

type Field = keyof ParallelUserConfig;

/** Field order here is the order used in error messages. */
const KNOWN_FIELDS: readonly Field[] = [
  "enabled",
  "workers",
  "minTxsForParallel",
  "maxReexecutionRatio",
  "onWorkerFailure",
  "verify",
  "report",
];

/**
 * Validates the user's `parallel` section, then fills in the defaults.
 *
 * `user` is `unknown` because hardhat.config.ts may be plain JavaScript or
 * cast its way past the types; `undefined` means "no section" and yields
 * every default. A field set to `undefined` also takes its default. Anything
 * else that is wrong (a wrong type, a value out of range, `null`, an unknown
 * field) throws a HardhatPluginError naming the field's path, the value
 * given, what is valid and how to fix it.
 */
export function resolveParallelConfig(user: unknown): ParallelConfig {
  const section = validateParallelUserConfig(user);
  return {
    enabled: section.enabled ?? false,
    workers: section.workers ?? defaultWorkerCount(),
    minTxsForParallel: section.minTxsForParallel ?? PARALLEL_DEFAULTS.minTxsForParallel,
    maxReexecutionRatio: section.maxReexecutionRatio ?? PARALLEL_DEFAULTS.maxReexecutionRatio,
    onWorkerFailure: section.onWorkerFailure ?? PARALLEL_DEFAULTS.onWorkerFailure,
    verify: section.verify ?? false,
    report: resolveReport(section.report),
  };
}

function resolveReport(report: ParallelUserConfig["report"]): ParallelConfig["report"] {
  if (report === undefined || typeof report === "boolean") return { enabled: report ?? false, json: DEFAULT_REPORT_JSON };
  return { enabled: report.enabled ?? true, json: report.json ?? DEFAULT_REPORT_JSON };
}

/** Checks the shape and every field; returns the section typed, defaults not applied. */
function validateParallelUserConfig(user: unknown): ParallelUserConfig {
  if (user === undefined) {
    return {};
  }
  if (typeof user !== "object" || user === null || Array.isArray(user)) {
    throw invalid("parallel", "must be an object", user, "parallel: { workers: 4 }");
  }

  const section = user as Record<string, unknown>;

  // Unknown fields first: a misspelt field is the likeliest cause of a
  // "my setting is ignored" report, and its correct spelling would otherwise
  // be silently defaulted.
  for (const key of Object.keys(section)) {
    if (!(KNOWN_FIELDS as readonly string[]).includes(key)) {
      throw unknownField(key, section[key]);
    }
  }

  const { enabled, workers, minTxsForParallel, maxReexecutionRatio, onWorkerFailure, verify } = section;

  if (enabled !== undefined && typeof enabled !== "boolean") {
    throw invalid("parallel.enabled", "must be true or false", enabled, "parallel: { enabled: true }");
  }
  if (workers !== undefined && !isIntegerInRange(workers, MIN_WORKERS, MAX_WORKERS)) {
    throw invalid(
      "parallel.workers",
      `must be an integer from ${MIN_WORKERS} to ${MAX_WORKERS}`,
      workers,
      "parallel: { workers: 4 }",
    );
  }
  if (minTxsForParallel !== undefined && !isIntegerInRange(minTxsForParallel, 1, Number.MAX_SAFE_INTEGER)) {
    throw invalid(
      "parallel.minTxsForParallel",
      "must be an integer of at least 1",
      minTxsForParallel,
      "parallel: { minTxsForParallel: 8 }",
    );
  }
  // Infinity is refused on purpose: "never fall back" is better expressed by
  // a large finite ratio, and a non-finite value usually comes from a bug
  // such as a division by zero in the user's config.
  if (
    maxReexecutionRatio !== undefined &&
    !(typeof maxReexecutionRatio === "number" && Number.isFinite(maxReexecutionRatio) && maxReexecutionRatio > 0)
  ) {
    throw invalid(
      "parallel.maxReexecutionRatio",
      "must be a finite number greater than 0",
      maxReexecutionRatio,
      "parallel: { maxReexecutionRatio: 3 }",
    );
  }
  if (
    onWorkerFailure !== undefined &&
    !(WORKER_FAILURE_POLICIES as readonly unknown[]).includes(onWorkerFailure)
  ) {
    throw invalid(
      "parallel.onWorkerFailure",
      `must be one of ${WORKER_FAILURE_POLICIES.map((p) => `"${p}"`).join(", ")}`,
      onWorkerFailure,
      'parallel: { onWorkerFailure: "sequential" }',
    );
  }

  if (verify !== undefined && typeof verify !== "boolean") {
    throw invalid("parallel.verify", "must be true or false", verify, "parallel: { verify: true }");
  }
  validateReport(section.report);

  return section as ParallelUserConfig;
}

function validateReport(report: unknown): void {
  if (report === undefined || typeof report === "boolean") return;
  const example = 'parallel: { report: { enabled: true, json: "parallel-report.json" } }';
  if (typeof report !== "object" || report === null || Array.isArray(report)) throw invalid("parallel.report", "must be true, false or an object", report, example);
  for (const [key, value] of Object.entries(report)) {
    if (key === "enabled") {
      if (value !== undefined && typeof value !== "boolean") throw invalid("parallel.report.enabled", "must be true or false", value, example);
    } else if (key === "json") {
      if (value !== undefined && !(typeof value === "string" && value.trim() !== "")) throw invalid("parallel.report.json", "must be a file path", value, example);
    } else {
      throw pluginError(`Invalid config: parallel.report.${key} is not a known option (got ${describeValue(value)}). Known options: enabled, json. Remove or rename it in hardhat.config.ts.`);
    }
  }
}

function isIntegerInRange(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

function invalid(path: string, expectation: string, given: unknown, example: string) {
  return pluginError(
    `Invalid config: ${path} ${expectation}, got ${describeValue(given)}. ` +
      `Set it in hardhat.config.ts, e.g. ${example}.`,
  );
}

function unknownField(key: string, given: unknown) {
  const suggestion = closestKnownField(key);
  const hint = suggestion !== undefined ? ` Did you mean parallel.${suggestion}?` : "";
  return pluginError(
    `Invalid config: parallel.${key} is not a known option (got ${describeValue(given)}).${hint} ` +
      `Known options: ${KNOWN_FIELDS.join(", ")}. Remove or rename it in hardhat.config.ts.`,
  );
}

/** A known field within edit distance 2 of `key` (case-insensitive), if any. */
function closestKnownField(key: string): Field | undefined {
  let best: { field: Field; distance: number } | undefined;
  for (const field of KNOWN_FIELDS) {
    const distance = editDistance(key.toLowerCase(), field.toLowerCase());
    if (distance <= 2 && (best === undefined || distance < best.distance)) {
      best = { field, distance };
    }
  }
  return best?.field;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length];
}

/** Renders a user-supplied value for an error message, never dumping big objects. */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "bigint":
      return `${value}n`;
    case "function":
      return "a function";
    case "object":
      if (value === null) return "null";
      return Array.isArray(value) ? "an array" : "an object";
    default:
      // numbers (NaN and Infinity included), booleans, undefined, symbols
      return String(value);
  }
}

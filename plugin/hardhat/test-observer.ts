/**
 * The test reporter's hold on the parallel network of this process: while a
 * test run records, the network hands every mined block to the recorder
 * set here (the network asks at each block, so a network created before the
 * run is watched too). Kept apart and small: the network factory imports it,
 * and nothing heavy should load with it.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";

import type { NetworkObserver } from "../network/node";
import type { ParallelTestReport } from "../testing/report/report";
import { pluginError } from "./errors";

export const REPORT_ENV_SWITCH = "HARDHAT_PARALLEL_REPORT";

/** Whether `npx hardhat test` reports: HARDHAT_PARALLEL_REPORT, else parallel.report.enabled. */
export function reportRequested(hre: HardhatRuntimeEnvironment, env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = env[REPORT_ENV_SWITCH];
  if (raw === undefined || raw === "") return hre.config.parallel.report.enabled;
  if (raw === "1" || raw.toLowerCase() === "true") return true;
  if (raw === "0" || raw.toLowerCase() === "false") return false;
  throw pluginError(`${REPORT_ENV_SWITCH} must be "1"/"true" (report) or "0"/"false" (do not), got "${raw}".`);
}

let observer: NetworkObserver | undefined;
let capture: ((report: ParallelTestReport) => void) | undefined;

export function activeTestObserver(): NetworkObserver | undefined {
  return observer;
}

export function setTestObserver(next: NetworkObserver | undefined): void {
  observer = next;
}

/** parallel-baseline: the next test run reports (whatever the config says) and hands its report here. */
export function captureNextReport(onReport: ((report: ParallelTestReport) => void) | undefined): void {
  capture = onReport;
}

export function reportCapture(): ((report: ParallelTestReport) => void) | undefined {
  return capture;
}

/**
 * What makes a bench report's figures less trustworthy, said in the report
 * itself with what to do about it: worker counts beyond the machine's cores
 * (those workers share cores, so they measure contention), and too few timed
 * runs for the noise the runs showed (the median of 3 runs that spread by 40%
 * is not a ratio to compare with another machine's).
 */
import type { Spread } from "./bench";

/** Runs whose spread, (max - min) / median, exceeds this are noisy. */
export const NOISY_SPREAD = 0.2;
/** Timed runs suggested when the runs were noisy; with at least this many, the noise is the machine's. */
export const STEADY_REPEATS = 7;

export interface WarningInput {
  workers: number[];
  cores: number;
  repeats: number;
  rows: { workload: string; workers: number; sequentialMs: Spread; parallelMs: Spread }[];
}

/** (max - min) / median of a set of timed runs. */
export function relativeSpread(s: Spread): number {
  return s.median > 0 ? (s.max - s.min) / s.median : 0;
}

export function benchWarnings(input: WarningInput): string[] {
  const warnings: string[] = [];
  const beyond = input.workers.filter((w) => w > input.cores);
  if (beyond.length > 0) warnings.push(workersBeyondCores(beyond, input.cores));
  if (input.repeats === 1) {
    warnings.push("--repeats 1: one timed run per configuration, so there is no spread to judge the noise by. Use --repeats 3 or more for ratios you mean to compare.");
    return warnings;
  }
  const noisy = input.rows
    .map((r) => ({ name: `${r.workload} @${r.workers}`, spread: Math.max(relativeSpread(r.sequentialMs), relativeSpread(r.parallelMs)) }))
    .filter((r) => r.spread > NOISY_SPREAD);
  if (noisy.length > 0) {
    const worst = Math.max(...noisy.map((r) => r.spread));
    const where = noisy.map((r) => r.name).join(", ");
    const pct = `${Math.round(100 * worst)}%`;
    warnings.push(
      input.repeats < STEADY_REPEATS
        ? `runs spread by up to ${pct} of their median (${where}) with ${input.repeats} timed runs each, so those ratios are uncertain by about as much. Rerun with --repeats ${STEADY_REPEATS}, or on a quieter machine.`
        : `runs spread by up to ${pct} of their median (${where}) even with ${input.repeats} timed runs each: the machine is busy or its clock varies, so ratios may be off by about as much. Rerun on a quieter machine.`,
    );
  }
  return warnings;
}

/** Said before the run starts too: the user may prefer to stop and pick other counts. */
export function workersBeyondCores(beyond: number[], cores: number): string {
  const list = beyond.map((w) => `${w}`).join(", ");
  return `worker count${beyond.length > 1 ? "s" : ""} ${list} exceed${beyond.length > 1 ? "" : "s"} this machine's ${cores} cores: those workers share cores, so their speedups measure contention, and their ideal is capped at ${cores}.00x by the cores.`;
}

/**
 * Progress of a bench run with an estimate of the time left: the run is
 * planned as numbered steps (generate a block, one timed run of one
 * configuration, the stock baseline), and each step prints one line as it
 * starts, e.g. "[14/45] mixed @2w run 2/3 … ~45 s left".
 *
 * The estimate of a step not run yet is, in order of preference: the median
 * of the steps already run with the same key (same workload and
 * configuration: warm-up runs inform the timed ones); else its prior
 * (priorMs) scaled by how far the priors were off on the steps of the same
 * kind done so far, or on all steps done so far. So the first lines are
 * rough and later ones are measured.
 */
import { performance } from "node:perf_hooks";

import { upperMedian } from "./median";

export interface PlannedStep {
  /** What the line says, e.g. "mixed @2w run 2/3". */
  label: string;
  /** Steps with the same key take about the same time (same workload, same configuration). */
  key: string;
  /** Steps of one kind share how far their priors are off (a busy machine slows runs more than generation). */
  kind: string;
  /** Expected duration before anything was measured, ms. */
  priorMs: number;
  /**
   * A first run of its key (cold JIT, the pre-state shipped to the workers):
   * slower than the others, so it informs their estimate only until one of
   * them is measured, and does not scale the priors.
   */
  cold?: boolean;
}

/** How far the priors may be scaled: keeps one odd step from sending the estimate to hours or to zero. */
const CALIBRATION_RANGE = [0.1, 20] as const;

export class BenchProgress {
  private index = -1;
  private started = 0;
  private readonly measured = new Map<string, number[]>();
  private readonly measuredCold = new Map<string, number>();
  /** How much of the current step is done, when its notes say. */
  private currentFraction: number | undefined;
  /** Actual and prior time of the steps done, per kind and in total (""). */
  private readonly doneByKind = new Map<string, { actual: number; prior: number }>();

  constructor(
    private readonly steps: PlannedStep[],
    private readonly write: (line: string) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Ends the current step (if any) and prints the line of the next planned one. */
  next(): void {
    this.endCurrent();
    this.index++;
    const step = this.steps[this.index];
    if (step === undefined) throw new Error(`bug: bench progress has ${this.steps.length} planned steps, asked for step ${this.index + 1}`);
    this.started = this.now();
    this.currentFraction = undefined;
    this.write(`[${this.index + 1}/${this.steps.length}] ${step.label} … ${formatLeft(this.leftMs())}`);
  }

  /**
   * A line inside a long step (e.g. the stock baseline's transactions so far), with the updated estimate.
   * `fractionDone` (0 to 1), when known, estimates the rest of this step from its own pace.
   */
  note(detail: string, fractionDone?: number): void {
    const step = this.steps[this.index];
    if (step === undefined) return;
    this.currentFraction = fractionDone;
    this.write(`[${this.index + 1}/${this.steps.length}] ${step.label}: ${detail} … ${formatLeft(this.leftMs())}`);
  }

  /** Ends the last step. */
  done(): void {
    this.endCurrent();
    this.index = this.steps.length;
  }

  /** Estimated time left from now: the rest of the current step and every step after it. */
  leftMs(): number {
    let left = 0;
    for (let i = Math.max(0, this.index); i < this.steps.length; i++) {
      if (i !== this.index) {
        left += this.estimateMs(this.steps[i]);
        continue;
      }
      const elapsed = this.now() - this.started;
      const f = this.currentFraction;
      left += f !== undefined && f > 0 ? (elapsed * (1 - f)) / f : Math.max(0, this.estimateMs(this.steps[i]) - elapsed);
    }
    return left;
  }

  private estimateMs(step: PlannedStep): number {
    const same = this.measured.get(step.key);
    if (same !== undefined && same.length > 0) return upperMedian(same);
    const cold = this.measuredCold.get(step.key);
    if (cold !== undefined) return cold;
    const basis = this.doneByKind.get(step.kind) ?? this.doneByKind.get("");
    const calibration = basis !== undefined && basis.prior > 0 ? basis.actual / basis.prior : 1;
    return step.priorMs * Math.min(CALIBRATION_RANGE[1], Math.max(CALIBRATION_RANGE[0], calibration));
  }

  private endCurrent(): void {
    const step = this.steps[this.index];
    if (step === undefined) return;
    const took = this.now() - this.started;
    if (step.cold === true) {
      this.measuredCold.set(step.key, took);
      return;
    }
    const same = this.measured.get(step.key) ?? [];
    same.push(took);
    this.measured.set(step.key, same);
    for (const kind of [step.kind, ""]) {
      const sum = this.doneByKind.get(kind) ?? { actual: 0, prior: 0 };
      this.doneByKind.set(kind, { actual: sum.actual + took, prior: sum.prior + step.priorMs });
    }
  }
}

/** "~45 s left", "~2 min 10 s left"; rounded to 5 s, which is all the estimate is worth. */
export function formatLeft(ms: number): string {
  const s = Math.round(ms / 5000) * 5;
  if (s === 0) return "almost done";
  if (s < 60) return `~${s} s left`;
  const min = Math.floor(s / 60);
  return `~${min} min${s % 60 === 0 ? "" : ` ${s % 60} s`} left`;
}

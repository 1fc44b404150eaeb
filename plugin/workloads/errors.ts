/**
 * A workload knob out of range. Thrown by the generators themselves so tests
 * and tasks get the same message; the task layer wraps it as a plugin error.
 */
export class WorkloadParameterError extends RangeError {
  constructor(
    readonly parameter: string,
    readonly validRange: string,
    readonly got: unknown,
  ) {
    super(`workload parameter "${parameter}" must be ${validRange}, got ${formatValue(got)}`);
    this.name = "WorkloadParameterError";
  }
}

/** A setup transaction that did not succeed: the generator and the contracts disagree (a bug). */
export class WorkloadSetupError extends Error {
  constructor(message: string) {
    super(`${message} — the workload generator is out of step with the bundled contracts; this is a bug, please report it`);
    this.name = "WorkloadSetupError";
  }
}

function formatValue(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

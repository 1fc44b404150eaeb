/**
 * Medians of measured times, for the benchmark and replay reports. Two
 * conventions are in use and kept apart by name: the tables of
 * `parallel-replay` and `--vs-hardhat` average the two middle values of an
 * even count; `parallel-bench`'s rows and its time-left estimates take the
 * upper one, so that a reported median is always a run that happened.
 */

/** The middle value; of an even count, the mean of the two middle ones. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The middle value; of an even count, the upper of the two middle ones (a measured value). */
export function upperMedian(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

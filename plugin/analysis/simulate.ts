/**
 * Simulated speedup at P workers (metrics.md): a block replayed through a
 * deterministic model of the project's scheduler with P virtual executing
 * threads and measured per-transaction costs. It answers how the design
 * scales on machines with more cores than the one measuring, and shows the
 * coordinator's share becoming the limit.
 *
 * The model, on purpose as simple as the scheduler's own rules:
 * - Thread 0 is the calling thread: it executes transactions, and between
 *   executions it handles every finished incarnation (its own and the worker
 *   threads'), at `coordinatorMicros` each, in finishing order.
 * - A free thread takes the lowest transaction that is neither running nor
 *   done. A transaction that was aborted waits until everything it depends
 *   on is published (an ESTIMATE read blocks it) instead of running again.
 * - An incarnation is valid when every transaction it depends on was
 *   published (handled by thread 0) before it started; otherwise it is
 *   wasted and aborted when thread 0 handles it.
 * - Outside execution the block costs `serialMicros` on one thread
 *   (preparation, system phases, receipts, state root), as measured.
 *
 * It knows nothing of hardware: threads do not slow each other down (on the
 * 2-core CI machine a busy second core slows the first by about a fifth, see
 * scripts/dev-core-contention.ts), messages cost nothing beyond the
 * coordinator's share, and the in-order fallback is not modelled. Compare
 * its 2-worker figure with the measured one before trusting the others.
 */

export interface SimulationInput {
  /** Per tx, its execution time (µs) measured on the sequential executor. */
  work: readonly number[];
  /** Per tx, the lower txs whose writes it read. */
  dependsOn: readonly (readonly number[])[];
  /** Calling-thread time (µs) to handle one finished incarnation: validation, memory update, scheduling. */
  coordinatorMicros: number;
  /** Time (µs) the block spends outside transaction execution, on one thread. */
  serialMicros: number;
  /**
   * Whether the calling thread also executes transactions (the executor's
   * design, default). When false it only handles results, and the other
   * `workers - 1` threads execute: the design to weigh for many cores.
   */
  callerExecutes?: boolean;
  /** List the wasted incarnations in the result (the conflict analysis blames them on locations). */
  recordWaste?: boolean;
}

export interface SimulatedRun {
  workers: number;
  /** Model execution time (µs), from the first start to the last publication. */
  executionMicros: number;
  /** Incarnations run, first executions included. */
  incarnations: number;
  /** Sequential model (total work, no coordination) / parallel model, execution alone. */
  executionSpeedup: number;
  /** The same with serialMicros added to both sides. */
  speedup: number;
  /** With `recordWaste`: every wasted incarnation, its tx and a dependency not yet published when it started. */
  wasted?: { tx: number; dependency: number; micros: number }[];
}

const PENDING = 0;
const RUNNING = 1;
const DONE = 2;

export function simulateBlockStm(input: SimulationInput, workers: number): SimulatedRun {
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer, got ${workers}`);
  const n = input.work.length;
  const status = new Uint8Array(n);
  const published = new Float64Array(n).fill(Infinity);
  const free = new Float64Array(workers);
  /** Finished incarnations thread 0 has not handled yet, in finishing order (ties: in starting order). */
  const backlog: { tx: number; valid: boolean; at: number }[] = [];
  const finished = (entry: { tx: number; valid: boolean; at: number }): void => {
    let lo = 0;
    let hi = backlog.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (backlog[mid].at <= entry.at) lo = mid + 1;
      else hi = mid;
    }
    backlog.splice(lo, 0, entry);
  };
  let incarnations = 0;
  let publishedCount = 0;
  /**
   * Transactions start in index order the first time (the lowest pending one
   * is always eligible), so the never-started ones are exactly [fresh, n);
   * below that a pending tx is one that was aborted and waits for its
   * dependencies, listed in `waiting`. Picking the next tx then costs the
   * waiting list, not a scan of the block.
   */
  let fresh = 0;
  const waiting: number[] = [];

  const wasted: NonNullable<SimulatedRun["wasted"]> = [];
  const depsPublishedBy = (tx: number, time: number): boolean => input.dependsOn[tx].every((d) => published[d] <= time);
  /**
   * A worker thread with nothing to run parks (free time Infinity) until the
   * calling thread publishes or aborts something: only then can a waiting tx
   * become eligible. Waking every idle thread at every event instead made the
   * model quadratic in the thread count.
   */
  const wakeParked = (at: number): void => {
    for (let q = 1; q < workers; q++) if (free[q] === Infinity) free[q] = at;
  };
  const handle = (now: number): number => {
    const before = backlog.length;
    while (backlog.length > 0 && backlog[0].at <= now) {
      const done = backlog.shift()!;
      now += input.coordinatorMicros;
      if (done.valid) {
        status[done.tx] = DONE;
        published[done.tx] = now;
        publishedCount++;
      } else {
        status[done.tx] = PENDING;
        waiting.push(done.tx);
      }
    }
    if (backlog.length !== before) wakeParked(now);
    return now;
  };
  const nextTx = (now: number): number => {
    let best = -1;
    for (let k = 0; k < waiting.length; k++) {
      const tx = waiting[k];
      if ((best < 0 || tx < best) && depsPublishedBy(tx, now)) best = tx;
    }
    if (best >= 0) {
      waiting.splice(waiting.indexOf(best), 1);
      return best;
    }
    return fresh < n ? fresh++ : -1;
  };

  for (let guard = 0; publishedCount < n; guard++) {
    if (guard > 50 * (n + 1) * (workers + 1)) throw new Error("bug: the scheduler model made no progress");
    let p = 0;
    for (let q = 1; q < workers; q++) if (free[q] < free[p]) p = q;
    let now = free[p];
    if (p === 0) now = handle(now);
    const executes = p !== 0 || input.callerExecutes !== false || workers === 1;
    const tx = executes ? nextTx(now) : -1;
    if (tx < 0) {
      if (p !== 0) {
        free[p] = Infinity;
        continue;
      }
      // The calling thread waits for the next event: a thread finishing, a result to handle.
      let next = Infinity;
      for (let q = 1; q < workers; q++) if (free[q] > now) next = Math.min(next, free[q]);
      for (const b of backlog) if (b.at > now) next = Math.min(next, b.at);
      if (Number.isFinite(next)) {
        free[0] = Math.max(next, now + 1e-6);
      } else {
        // Nothing runs and nothing is left to handle: whatever is eligible now goes to the parked threads.
        wakeParked(now);
        free[0] = now + 1e-6;
      }
      continue;
    }
    status[tx] = RUNNING;
    incarnations++;
    const valid = depsPublishedBy(tx, now);
    if (!valid && input.recordWaste === true) wasted.push({ tx, dependency: input.dependsOn[tx].find((d) => published[d] > now)!, micros: input.work[tx] });
    const end = now + input.work[tx];
    finished({ tx, valid, at: end });
    free[p] = p === 0 ? handle(end) : end;
  }

  let executionMicros = 0;
  for (let tx = 0; tx < n; tx++) executionMicros = Math.max(executionMicros, published[tx]);
  const sequential = input.work.reduce((a, b) => a + b, 0);
  return {
    workers,
    executionMicros,
    incarnations,
    executionSpeedup: executionMicros > 0 ? sequential / executionMicros : 1,
    speedup: (sequential + input.serialMicros) / (executionMicros + input.serialMicros),
    ...(input.recordWaste === true ? { wasted } : {}),
  };
}

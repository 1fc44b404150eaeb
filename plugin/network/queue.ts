/**
 * The network's one line of work: requests and interval mining run one at a
 * time, in the order they arrive, so a block never interleaves with another
 * request's edits.
 */
export class RequestQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `work` after everything queued before it; its failure is its caller's, never the next one's. */
  run<T>(work: () => T | Promise<T>): Promise<T> {
    const run = this.tail.then(work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Settles once everything queued so far has run. */
  get settled(): Promise<unknown> {
    return this.tail;
  }
}

/**
 * Runs a user's script in this process, on this runtime's network, for
 * `parallel-conflicts --run`. Hardhat's own `run` task starts a new process
 * (with a network of its own), so the blocks it mines could not be analysed.
 *
 * A Hardhat script starts its work when loaded (`main().catch(...)`) and
 * does not say when it is done: it is done when it leaves nothing to wait
 * for, which is when Node emits `beforeExit`. A script that ends with
 * `process.exit()` is taken as done at that call instead (the call is
 * intercepted while the script runs).
 */
import path from "node:path";

export interface ScriptOutcome {
  /** Why the script failed (it threw, or set a non-zero exit code); undefined when it succeeded. */
  failure?: string;
}

export async function runScriptInProcess(file: string): Promise<ScriptOutcome> {
  const absolute = path.resolve(file);
  const exitCodeBefore = process.exitCode;
  const realExit = process.exit;
  let failure: string | undefined;
  const rejected = (reason: unknown): void => {
    failure ??= reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
  };
  let done = (): void => {};
  process.on("unhandledRejection", rejected);
  const onBeforeExit = (): void => done();
  process.on("beforeExit", onBeforeExit);
  try {
    await new Promise<void>((resolve) => {
      done = resolve;
      process.exit = ((code?: number) => {
        if (code !== undefined && code !== 0) failure ??= `the script called process.exit(${code})`;
        resolve();
      }) as typeof process.exit;
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require(absolute);
      } catch (e) {
        rejected(e);
        resolve();
      }
    });
  } finally {
    process.exit = realExit;
    process.off("unhandledRejection", rejected);
    process.off("beforeExit", onBeforeExit);
  }
  if (failure === undefined && process.exitCode !== undefined && process.exitCode !== 0 && process.exitCode !== exitCodeBefore) {
    failure = `the script set exit code ${process.exitCode} (its error is printed above)`;
  }
  // The script's failure is reported by the task; the task's own outcome decides the exit code.
  process.exitCode = exitCodeBefore;
  return failure === undefined ? {} : { failure };
}

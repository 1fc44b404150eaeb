/**
 * Where the peer fixtures live: ../shared/fixtures beside the repository
 * (never copied into it). Tests skip with a clear message when it is absent.
 */
import { existsSync } from "node:fs";
import path from "node:path";

export const SHARED_FIXTURES = path.resolve(__dirname, "..", "..", "..", "shared", "fixtures");

export function sharedFixture(...parts: string[]): string | undefined {
  const p = path.join(SHARED_FIXTURES, ...parts);
  return existsSync(p) ? p : undefined;
}

export const MISSING_SHARED = `skipped: ${SHARED_FIXTURES} is absent (clone the shared/ folder beside the repository to run the peer fixture tests)`;

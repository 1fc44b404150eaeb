import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** A fresh temporary folder for the enclosing describe block, removed after it. */
export function useTempDir(prefix: string): () => string {
  let dir: string | undefined;
  before(function () {
    dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  after(function () {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  return () => dir!;
}

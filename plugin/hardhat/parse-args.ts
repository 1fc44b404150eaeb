/** Parsing of list-valued task arguments, with errors that say how to fix them. */
import { pluginError } from "./errors";

/** "1,2,4" -> [1, 2, 4]: positive integers up to 256, no duplicates. */
export function parseWorkerList(raw: string, flag: string): number[] {
  const parts = raw.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  const out: number[] = [];
  for (const p of parts) {
    const n = Number(p);
    if (!/^\d+$/.test(p) || n < 1 || n > 256) {
      throw pluginError(`${flag} must be a comma-separated list of worker counts from 1 to 256, e.g. "1,2,4"; "${p}" is not one.`);
    }
    if (!out.includes(n)) out.push(n);
  }
  if (out.length === 0) throw pluginError(`${flag} is empty; give worker counts such as "1,2".`);
  return out;
}

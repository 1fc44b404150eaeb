/**
 * When one transaction depends on another (metrics.md): tx j depends on a
 * lower tx i when j read a value that i wrote. The ideal speedup, the
 * scheduler model and the block report all read dependencies this way.
 */
import type { Read, TxIndex } from "../engine/types";

/**
 * The lower tx whose write `read` saw, which `reader` therefore depends on,
 * or undefined. A "non-zero?" read of the beneficiary commutes with fee
 * payments and orders nothing.
 */
export function dependencyOf(read: Read, reader: TxIndex): TxIndex | undefined {
  if (read.predicate !== undefined || read.origin.kind !== "tx") return undefined;
  const writer = read.origin.tx;
  return writer >= 0 && writer < reader ? writer : undefined;
}

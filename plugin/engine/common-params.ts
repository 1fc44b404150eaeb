/**
 * Every @ethereumjs block header, transaction, VM and EVM constructor copies
 * its Common and merges its package's parameter table into it
 * (`updateParams`: a JSON round trip of the table, then a rebuild of the
 * parameter cache). On the network's one-transaction blocks that was about
 * 1 ms per header and per executor, more than executing an ERC-20 transfer.
 *
 * A Common passed through `withMergedParams` has the four tables merged once,
 * and it and its copies (`copy` carries own properties) skip a merge whose
 * table is already in their parameter cache. What a skipped merge would have
 * done is exactly what is there already: the tables are the packages' own
 * constants, merged with their values unchanged.
 */
import { paramsBlock } from "@ethereumjs/block";
import { Common } from "@ethereumjs/common";
import type { ParamsDict } from "@ethereumjs/common";
import { paramsEVM } from "@ethereumjs/evm";
import { paramsTx } from "@ethereumjs/tx";
import { paramsVM } from "@ethereumjs/vm";

interface CommonInternals {
  _paramsCache: object;
  updateParams(params: ParamsDict): void;
}

/** Per parameter cache object: the tables merged into the parameters it was built from. */
const mergedInto = new WeakMap<object, ReadonlySet<ParamsDict>>();
const mergeParams = Common.prototype.updateParams;

function updateParamsOnce(this: Common, params: ParamsDict): void {
  const self = this as unknown as CommonInternals;
  const done = mergedInto.get(self._paramsCache);
  if (done?.has(params) === true) return;
  mergeParams.call(this, params);
  // The rebuilt cache holds everything merged before (the parameter tables are shared by copies) and this table.
  mergedInto.set(self._paramsCache, new Set([...(done ?? []), params]));
}

/** A copy of `common` with the block, transaction, VM and EVM parameters merged once (see above). */
export function withMergedParams(common: Common): Common {
  const copy = common.copy();
  (copy as unknown as CommonInternals).updateParams = updateParamsOnce;
  for (const table of [paramsBlock, paramsTx, paramsVM, paramsEVM]) copy.updateParams(table);
  return copy;
}

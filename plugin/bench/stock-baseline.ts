/**
 * The stock baseline of metrics.md: @ethereumjs/vm `runBlock` over a
 * `MerkleStateManager`, with @ethereumjs defaults (pure-JS sender recovery),
 * on the same pre-state and block. Only runBlock is timed; loading the state
 * into the trie is not.
 */
import type { Block } from "@ethereumjs/block";
import { createBlockFromRLP } from "@ethereumjs/block";
import { MerkleStateManager } from "@ethereumjs/statemanager";
import { Account, Address, hexToBytes } from "@ethereumjs/util";
import { createVM, runBlock } from "@ethereumjs/vm";
import { performance } from "node:perf_hooks";

import type { FlatState } from "../engine/flat-state";

export interface StockRun {
  ms: number;
  stateRoot: Uint8Array;
  receiptsRoot: Uint8Array;
  gasUsed: bigint;
}

/** `onTx(done)` is called after each transaction with the number done so far (for progress lines). */
export async function runStockBaseline(block: Block, preState: FlatState, onTx?: (done: number) => void): Promise<StockRun> {
  const common = block.common.copy();
  const sm = new MerkleStateManager({ common });
  for (const [addr, a] of preState.accounts) {
    const address = new Address(hexToBytes(`0x${addr}`));
    await sm.putAccount(address, new Account(a.nonce, a.balance));
    const code = preState.code.get(a.codeHash);
    if (code !== undefined) await sm.putCode(address, code);
    for (const [slot, value] of a.storage) {
      await sm.putStorage(address, hexToBytes(`0x${slot}`), hexToBytes(`0x${value.toString(16).padStart(64, "0")}`));
    }
  }
  await sm.checkpoint();
  await sm.commit();
  await sm.flush();
  const vm = await createVM({ common, stateManager: sm });
  // A one-argument listener is called synchronously between transactions: next to a stock transaction's milliseconds, free.
  let done = 0;
  if (onTx !== undefined) vm.events.on("afterTx", () => onTx(++done));
  // A fresh block: no sender cached from earlier runs.
  const fresh = createBlockFromRLP(block.serialize(), { common });
  const t = performance.now();
  const r = await runBlock(vm, { block: fresh, skipBlockValidation: true, skipHeaderValidation: true, generate: true });
  const ms = performance.now() - t;
  return { ms, stateRoot: r.stateRoot, receiptsRoot: r.receiptsRoot, gasUsed: r.gasUsed };
}

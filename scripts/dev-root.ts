import { readFileSync } from "node:fs";
import { hexToBytes } from "@ethereumjs/util";
import { performance } from "node:perf_hooks";
import { erc20TransferBlock } from "../plugin/workloads/erc20";
import { executeBlockSequential } from "../plugin/engine/sequential";
import { StateRootComputer } from "../plugin/engine/state-root";
import { assembleReceipts } from "../plugin/engine/block-result";
async function main() {
  const art = JSON.parse(readFileSync("artifacts/contracts/tokens/TestToken.sol/TestToken.json", "utf8"));
  const n = 2000;
  const w = erc20TransferBlock({ txs: n, accounts: 5 * n, oneRecipient: false, tokenRuntimeCode: hexToBytes(art.deployedBytecode) });
  const r = await executeBlockSequential({ block: w.block, preState: w.preState, computeStateRoot: false });
  const c = new StateRootComputer();
  let t = performance.now();
  await c.compute(w.preState, undefined, { dryRun: true });
  console.log("build", (performance.now() - t).toFixed(0));
  for (let i = 0; i < 30; i++) {
    t = performance.now();
    await c.compute(w.preState, r.diff, { dryRun: true });
    const root = performance.now() - t;
    t = performance.now();
    await assembleReceipts(w.block, r.receipts);
    console.log("root", root.toFixed(0), "receipts", (performance.now() - t).toFixed(0));
  }
}
main();

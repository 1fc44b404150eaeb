import { readFileSync } from "node:fs";
import { hexToBytes } from "@ethereumjs/util";
import { performance } from "node:perf_hooks";
import { erc20TransferBlock } from "../plugin/workloads/erc20";
import { prepareBlock } from "../plugin/engine/prepare";
import { assembleReceipts } from "../plugin/engine/block-result";
import { executeBlockSequential } from "../plugin/engine/sequential";
import { StateRootComputer } from "../plugin/engine/state-root";
async function main() {
  const art = JSON.parse(readFileSync("artifacts/contracts/tokens/TestToken.sol/TestToken.json", "utf8"));
  const n = 1000;
  const w = erc20TransferBlock({ txs: n, accounts: 2 * n, oneRecipient: false, tokenRuntimeCode: hexToBytes(art.deployedBytecode) });
  const input = { block: w.block, preState: w.preState };
  const r = await executeBlockSequential(input);
  for (let i = 0; i < 3; i++) {
    let t = performance.now();
    const { block } = prepareBlock(input);
    const prep = performance.now() - t; t = performance.now();
    await assembleReceipts(block, r.receipts);
    const rec = performance.now() - t; t = performance.now();
    const c = new StateRootComputer();
    await c.compute(w.preState, undefined, { dryRun: true });
    const build = performance.now() - t; t = performance.now();
    await c.compute(w.preState, r.diff, { dryRun: true });
    const root = performance.now() - t;
    console.log({ prep: prep.toFixed(0), receipts: rec.toFixed(0), trieBuild: build.toFixed(0), rootDiff: root.toFixed(0), diffSize: r.diff.entries.size });
  }
}
main();

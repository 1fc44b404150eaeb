import { readFileSync } from "node:fs";
import { hexToBytes } from "@ethereumjs/util";
import { erc20TransferBlock } from "../plugin/workloads/erc20";
import { executeBlockSequential } from "../plugin/engine/sequential";
import { ParallelExecutor } from "../plugin/engine/parallel";
async function main() {
  const art = JSON.parse(readFileSync("artifacts/contracts/tokens/TestToken.sol/TestToken.json", "utf8"));
  const w = erc20TransferBlock({ txs: Number(process.argv[2] ?? 300), accounts: 2 * Number(process.argv[2] ?? 300), oneRecipient: false, tokenRuntimeCode: hexToBytes(art.deployedBytecode) });
  const input = { block: w.block, preState: w.preState, senders: w.senders };
  for (let i = 0; i < 3; i++) {
    const r = await executeBlockSequential(input);
    const avg = r.stats.txs.reduce((s, t) => s + t.micros, 0) / r.stats.txs.length;
    console.log("seq", r.stats.wallMs.toFixed(0), r.stats.executionMs.toFixed(0), r.stats.stateRootMs.toFixed(0), "avg tx us", avg.toFixed(0));
  }
  console.log(JSON.stringify((await executeBlockSequential(input)).reads[5], (k, v) => typeof v === "bigint" ? v.toString() : v));
  for (const workers of [1, 2]) {
    const ex = new ParallelExecutor({ workers, minTxsForParallel: 1 });
    for (let i = 0; i < 3; i++) {
      const r = await ex.executeBlock(input);
      const avg = r.stats.txs.reduce((s, t) => s + t.micros, 0) / r.stats.txs.length;
      console.log("par", workers, r.stats.wallMs.toFixed(0), r.stats.executionMs.toFixed(0), r.stats.stateRootMs.toFixed(0), "avg tx us", avg.toFixed(0), "reexec", r.stats.reexecutions, "val", r.stats.validations);
    }
    await ex.close();
  }
}
main();

import { readFileSync } from "node:fs";
import { hexToBytes } from "@ethereumjs/util";
import { erc20TransferBlock } from "../plugin/workloads/erc20";
import { ParallelExecutor } from "../plugin/engine/parallel";
async function main() {
  const art = JSON.parse(readFileSync("artifacts/contracts/tokens/TestToken.sol/TestToken.json", "utf8"));
  const n = Number(process.env.N ?? 2000);
  const w = erc20TransferBlock({ txs: n, accounts: 2 * n, oneRecipient: process.env.ONE === "1", tokenRuntimeCode: hexToBytes(art.deployedBytecode) });
  const input = { block: w.block, preState: w.preState, senders: w.senders };
  const ex = new ParallelExecutor({ workers: 2, minTxsForParallel: 1, maxReexecutionRatio: Number(process.env.RATIO ?? 100) });
  for (let i = 0; i < 7; i++) {
    const r = await ex.executeBlock(input);
    const local = r.stats.txs.length;
    console.log("par2", r.stats.wallMs.toFixed(0), r.stats.executionMs.toFixed(0), r.stats.stateRootMs.toFixed(0), "reexec", r.stats.reexecutions, "val", r.stats.validations, "aborts", r.stats.aborts, "blocked", r.stats.blocked, "coord", r.stats.coordinatorMs.toFixed(0), r.stats.events.join(";"), JSON.stringify(r.stats.executedBy));
  }
  await ex.close();
}
main();

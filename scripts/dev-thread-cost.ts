/** Per-thread cost under concurrency: summed per-tx execution time, sequential vs parallel (W workers). */
import { readFileSync } from "node:fs";
import { hexToBytes } from "@ethereumjs/util";
import { erc20TransferBlock } from "../plugin/workloads/erc20";
import { ParallelExecutor } from "../plugin/engine/parallel";
import { executeBlockSequential } from "../plugin/engine/sequential";
async function main() {
  const art = JSON.parse(readFileSync("artifacts/contracts/tokens/TestToken.sol/TestToken.json", "utf8"));
  const w = erc20TransferBlock({ txs: 2000, accounts: 10000, oneRecipient: false, tokenRuntimeCode: hexToBytes(art.deployedBytecode) });
  const input = { block: w.block, preState: w.preState, senders: w.senders };
  const ex = new ParallelExecutor({ workers: Number(process.env.W ?? 2), minTxsForParallel: 1 });
  const sum = (r: { stats: { txs: { totalMicros: number }[] } }) => r.stats.txs.reduce((a, t) => a + t.totalMicros, 0) / 1000;
  for (let i = 0; i < Number(process.env.RUNS ?? 8); i++) {
    const s = await executeBlockSequential(input);
    const p = await ex.executeBlock(input);
    console.log(`seq exec ${s.stats.executionMs.toFixed(0)} tx-sum ${sum(s).toFixed(0)} | par exec ${p.stats.executionMs.toFixed(0)} tx-sum ${sum(p).toFixed(0)} coord ${p.stats.coordinatorMs.toFixed(0)} | ratio ${(s.stats.executionMs / p.stats.executionMs).toFixed(2)} thread-slowdown ${(sum(p) / sum(s)).toFixed(2)}`);
  }
  await ex.close();
}
main();

import { readFileSync } from "node:fs";
import { hexToBytes } from "@ethereumjs/util";
import { erc20TransferBlock } from "../plugin/workloads/erc20";
import { ParallelExecutor } from "../plugin/engine/parallel";
import { executeBlockSequential } from "../plugin/engine/sequential";
async function main() {
  const art = JSON.parse(readFileSync("artifacts/contracts/tokens/TestToken.sol/TestToken.json", "utf8"));
  const w = erc20TransferBlock({ txs: 2000, accounts: 10000, oneRecipient: process.argv[2] === "one", tokenRuntimeCode: hexToBytes(art.deployedBytecode) });
  const input = { block: w.block, preState: w.preState, senders: w.senders };
  const ex = new ParallelExecutor({ workers: Number(process.env.W ?? 1), minTxsForParallel: 1 });
  for (let i = 0; i < 8; i++) {
    const s = await executeBlockSequential(input);
    const p = await ex.executeBlock(input);
    console.log("seq exec", s.stats.executionMs.toFixed(0), "par1 exec", p.stats.executionMs.toFixed(0), "coord", p.stats.coordinatorMs.toFixed(0), p.stats.fallbackReason ?? "");
  }
  await ex.close();
}
main();

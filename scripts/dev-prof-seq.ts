import { readFileSync } from "node:fs";
import { hexToBytes } from "@ethereumjs/util";
import { erc20TransferBlock } from "../plugin/workloads/erc20";
import { executeBlockSequential } from "../plugin/engine/sequential";
async function main() {
  const art = JSON.parse(readFileSync("artifacts/contracts/tokens/TestToken.sol/TestToken.json", "utf8"));
  const n = Number(process.argv[2] ?? 1000);
  const w = erc20TransferBlock({ txs: n, accounts: 2 * n, oneRecipient: false, tokenRuntimeCode: hexToBytes(art.deployedBytecode) });
  const input = { block: w.block, preState: w.preState, senders: w.senders };
  for (let i = 0; i < 4; i++) {
    const r = await executeBlockSequential(input);
    console.log("seq", r.stats.wallMs.toFixed(0), r.stats.executionMs.toFixed(0), r.stats.stateRootMs.toFixed(0));
  }
}
main();

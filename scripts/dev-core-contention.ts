/**
 * How much a second busy core slows the sequential executor on this machine:
 * the ceiling of any 2-thread speedup here. Alternates a 2,000-transfer block
 * alone and beside a thread that only does arithmetic (no memory traffic, no
 * allocation), ROUNDS times, and prints the medians.
 * npx hardhat run scripts/dev-core-contention.ts   (ROUNDS=8)
 */
import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { hexToBytes } from "@ethereumjs/util";
import { erc20TransferBlock } from "../plugin/workloads/erc20";
import { executeBlockSequential } from "../plugin/engine/sequential";

const SPIN = `
  const { parentPort } = require("node:worker_threads");
  let stop = false, x = 0;
  parentPort.on("message", () => (stop = true));
  (function spin() { for (let i = 0; i < 5e6; i++) x = (x * 1.000001 + i) % 1e9; if (!stop) setImmediate(spin); else parentPort.close(); })();
`;

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function main() {
  const art = JSON.parse(readFileSync("artifacts/contracts/tokens/TestToken.sol/TestToken.json", "utf8"));
  const w = erc20TransferBlock({ txs: 2000, accounts: 10000, oneRecipient: false, tokenRuntimeCode: hexToBytes(art.deployedBytecode) });
  const input = { block: w.block, preState: w.preState, senders: w.senders, computeStateRoot: false };
  for (let i = 0; i < 3; i++) await executeBlockSequential(input);
  const alone: number[] = [];
  const beside: number[] = [];
  for (let round = 0; round < Number(process.env.ROUNDS ?? 8); round++) {
    alone.push((await executeBlockSequential(input)).stats.executionMs);
    const spinner = new Worker(SPIN, { eval: true });
    await new Promise((r) => setTimeout(r, 100));
    beside.push((await executeBlockSequential(input)).stats.executionMs);
    spinner.postMessage("stop");
    await new Promise((r) => spinner.once("exit", r));
    console.log(`round ${round}: alone ${alone[round].toFixed(0)} ms, beside a spinning thread ${beside[round].toFixed(0)} ms`);
  }
  const a = median(alone);
  const b = median(beside);
  console.log(`median: alone ${a.toFixed(0)} ms, beside ${b.toFixed(0)} ms: ${((b / a - 1) * 100).toFixed(0)}% slower; 2-thread ceiling about ${((2 * a) / b).toFixed(2)}x`);
}
main();

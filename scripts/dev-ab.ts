/**
 * A/B of the parallel executor against a baseline copy of the engine (BASE=<folder holding plugin/>),
 * interleaved with the sequential executor in the same process: B=<mainnet block numbers> or
 * P=<presets> [N=<txs>], W=<workers> R=<rounds>. Prints medians and the engines' counters per round.
 * Run with `npx hardhat run scripts/dev-ab.ts`.
 */
import hre from "hardhat";
import os from "node:os";
import path from "node:path";
import { generateWorkload, prepareWorkloadOnEngine } from "../plugin/workloads";
import { ParallelExecutor } from "../plugin/engine/parallel";
import { executeBlockSequential } from "../plugin/engine/sequential";
import { erc20TransferBlock } from "../plugin/workloads/erc20";
import { hexToBytes } from "@ethereumjs/util";
import type { ParallelBlockInput } from "../plugin/engine/parallel";
import type { BlockResult } from "../plugin/engine/block-result";
import { firstDifference } from "../plugin/engine/compare";
import { mainnetBlockInputs } from "./dev-blocks";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const inputs: [string, ParallelBlockInput][] = [];
  if (process.env.P !== undefined) {
    for (const p of process.env.P.split(",")) {
      if (p.startsWith("erc20-")) {
        const art = await hre.artifacts.readArtifact("TestToken");
        const n = Number(process.env.N ?? 2000);
        const w = erc20TransferBlock({ txs: n, accounts: 2 * n, oneRecipient: p === "erc20-one-recipient", tokenRuntimeCode: hexToBytes(art.deployedBytecode as `0x${string}`) });
        inputs.push([p, { block: w.block, preState: w.preState, senders: w.senders }]);
        continue;
      }
      const w = generateWorkload(p, { txs: process.env.N === undefined ? undefined : Number(process.env.N) }, (n) => hre.artifacts.readArtifactSync(n));
      inputs.push([p, await prepareWorkloadOnEngine(w)]);
    }
  } else {
    inputs.push(...mainnetBlockInputs(process.env.B?.split(",")));
  }
  const workers = Number(process.env.W ?? 2);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Base = (require(path.resolve(process.env.BASE ?? path.join(os.tmpdir(), "spec", "base"), "plugin/engine/parallel")) as { ParallelExecutor: typeof ParallelExecutor }).ParallelExecutor;
  const engines: [string, { executeBlock(i: ParallelBlockInput): Promise<BlockResult>; close(): Promise<void> }][] = [
    ["base", new Base({ workers, minTxsForParallel: 1 })],
    ["new", new ParallelExecutor({ workers, minTxsForParallel: 1 })],
  ];
  const totals = new Map<string, number>();
  for (const [name, input] of inputs) {
    const times = new Map<string, number[]>([["seq", []], ...engines.map(([e]) => [e, []] as [string, number[]])]);
    const rounds = Number(process.env.R ?? 4);
    for (let i = 0; i < rounds; i++) {
      // Alternate the order so neither engine always runs right after the sequential one.
      const order = i % 2 === 0 ? engines : [...engines].reverse();
      const s = await executeBlockSequential(input);
      if (i > 0) times.get("seq")!.push(s.stats.executionMs);
      for (const [e, ex] of order) {
        const p = await ex.executeBlock(input);
        const diff = firstDifference(p, s);
        if (diff !== undefined) throw new Error(`${e} differs from sequential on ${name}: ${JSON.stringify(diff, (_, v) => (typeof v === "bigint" ? v.toString() : v))}`);
        if (i === 0) continue;
        times.get(e)!.push(p.stats.executionMs);
        const st = p.stats;
        const wasted = st.wasted.reduce((a, w) => a + w.micros, 0) / 1000;
        console.log(
          `${name} ${e.padEnd(4)} x${(s.stats.executionMs / st.executionMs).toFixed(2)} reexec ${st.reexecutions} blocked ${st.blocked} waits ${st.waits} aborts ${st.aborts} wasted ${wasted.toFixed(0)}ms coord ${st.coordinatorMs.toFixed(0)} by ${JSON.stringify(st.executedBy)} ${st.fallbackReason ?? ""}`,
        );
      }
    }
    const seq = median(times.get("seq")!);
    const line = engines.map(([e]) => {
      const m = median(times.get(e)!);
      totals.set(e, (totals.get(e) ?? 0) + m);
      return `${e} ${m.toFixed(0)} (${(seq / m).toFixed(2)}x)`;
    });
    totals.set("seq", (totals.get("seq") ?? 0) + seq);
    console.log(`== ${name} seq ${seq.toFixed(0)} ${line.join(" ")}`);
  }
  const seq = totals.get("seq")!;
  console.log(`== total seq ${seq.toFixed(0)} ${engines.map(([e]) => `${e} ${totals.get(e)!.toFixed(0)} (${(seq / totals.get(e)!).toFixed(2)}x)`).join(" ")}`);
  for (const [, ex] of engines) await ex.close();
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});

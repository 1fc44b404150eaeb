/** Per thread: execution time of the txs it ran (final incarnations) against the same txs' time in the sequential run. B=<block> or P=<preset> N=<txs>, W=<workers> R=<runs>. */
import hre from "hardhat";
import { loadMainnetBlock } from "../plugin/fixtures/mainnet-blocks";
import { generateWorkload, prepareWorkloadOnEngine } from "../plugin/workloads";
import type { ParallelBlockInput } from "../plugin/engine/parallel";
import { ParallelExecutor } from "../plugin/engine/parallel";
import { executeBlockSequential } from "../plugin/engine/sequential";
import { mainnetBlockDir } from "./dev-blocks";
async function main() {
  let input: ParallelBlockInput;
  if (process.env.P !== undefined) {
    const w = generateWorkload(process.env.P, { txs: process.env.N === undefined ? undefined : Number(process.env.N) }, (n) => hre.artifacts.readArtifactSync(n));
    input = await prepareWorkloadOnEngine(w);
  } else {
    const b = loadMainnetBlock(mainnetBlockDir(process.env.B ?? "4370000"));
    input = { block: b.block, preState: b.preState, blockHashes: b.blockHashes, senders: b.senders, computeStateRoot: false };
  }
  const workers = Number(process.env.W ?? 2);
  const ex = new ParallelExecutor({ workers, minTxsForParallel: 1 });
  for (let r = 0; r < Number(process.env.R ?? 5); r++) {
    const s = await executeBlockSequential(input);
    const p = await ex.executeBlock(input);
    const par = new Array(workers).fill(0);
    const seq = new Array(workers).fill(0);
    const count = new Array(workers).fill(0);
    p.stats.txs.forEach((t, i) => {
      // The final incarnation's outcome arrives last.
      const th = t.executedBy?.at(-1) ?? 0;
      par[th] += t.micros / 1000;
      seq[th] += s.stats.txs[i].micros / 1000;
      count[th]++;
    });
    console.log(`run ${r}: seq exec ${s.stats.executionMs.toFixed(0)} par exec ${p.stats.executionMs.toFixed(0)} ` + par.map((x, th) => `thread ${th}: ${count[th]} txs ${x.toFixed(0)} ms (seq ${seq[th].toFixed(0)} ms, x${(x / seq[th]).toFixed(2)})`).join("; ") + ` ${p.stats.fallbackReason ?? ""}`);
  }
  await ex.close();
}
main();

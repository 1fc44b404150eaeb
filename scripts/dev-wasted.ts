/**
 * The wasted incarnations of one parallel run and the locations blamed: B=<mainnet block> or P=<preset> [N=<txs>],
 * W=<workers>, K=<entries listed>. Run with `npx hardhat run scripts/dev-wasted.ts`.
 */
import hre from "hardhat";
import { loadMainnetBlock } from "../plugin/fixtures/mainnet-blocks";
import { generateWorkload, prepareWorkloadOnEngine } from "../plugin/workloads";
import { ParallelExecutor } from "../plugin/engine/parallel";
import { executeBlockSequential } from "../plugin/engine/sequential";
import type { ParallelBlockInput } from "../plugin/engine/parallel";
import { mainnetBlockDir } from "./dev-blocks";

async function main() {
  let input: ParallelBlockInput;
  if (process.env.P !== undefined) {
    input = await prepareWorkloadOnEngine(generateWorkload(process.env.P, { txs: process.env.N === undefined ? undefined : Number(process.env.N) }, (n) => hre.artifacts.readArtifactSync(n)));
  } else {
    const b = loadMainnetBlock(mainnetBlockDir(process.env.B!));
    input = { block: b.block, preState: b.preState, blockHashes: b.blockHashes, senders: b.senders, computeStateRoot: false };
  }
  const ex = new ParallelExecutor({ workers: Number(process.env.W ?? 2), minTxsForParallel: 1, maxReexecutionRatio: Number(process.env.RATIO ?? 1) });
  const s = await executeBlockSequential(input);
  for (let r = 0; r < 3; r++) {
    const p = await ex.executeBlock(input);
    if (r < 2) continue;
    console.log(p.stats.events.join("\n"));
    console.log("wasted", p.stats.wasted.length, "ms", (p.stats.wasted.reduce((a, w) => a + w.micros, 0) / 1000).toFixed(0), "seq work ms", (s.stats.txs.reduce((a, t) => a + t.micros, 0) / 1000).toFixed(0));
    for (const w of p.stats.wasted.slice(0, Number(process.env.K ?? 40))) console.log(w.tx, w.cause, w.key.slice(0, 90), w.micros, "seq", s.stats.txs[w.tx].micros.toFixed(0));
    const keys = new Map<string, number>();
    for (const w of p.stats.wasted) keys.set(`${w.cause} ${w.key}`, (keys.get(`${w.cause} ${w.key}`) ?? 0) + 1);
    console.log([...keys].sort((a, b) => b[1] - a[1]).slice(0, 10));
  }
  await ex.close();
}
main();

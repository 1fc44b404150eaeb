import path from "node:path";
import { loadMainnetBlock } from "../plugin/fixtures/mainnet-blocks";
import { ParallelExecutor } from "../plugin/engine/parallel";
import { executeBlockSequential } from "../plugin/engine/sequential";
async function main() {
  const b = loadMainnetBlock(`/work/shared/fixtures/mainnet-blocks/${process.env.B}`);
  const input = { block: b.block, preState: b.preState, blockHashes: b.blockHashes, senders: b.senders, computeStateRoot: false };
  const ex = new ParallelExecutor({ workers: 2, minTxsForParallel: 1, maxReexecutionRatio: Number(process.env.RATIO ?? 1) });
  const s = await executeBlockSequential(input);
  // dependency distance from sequential read sets
  const n = s.stats.txs.length;
  let dep = 0, close = 0; const dist: number[] = [];
  const reads = (s as any).reads as any[][] | undefined;
  for (let r = 0; r < 3; r++) {
    const p = await ex.executeBlock(input);
    if (r < 2) continue;
    console.log(p.stats.events.join("\n"));
    console.log("wasted", p.stats.wasted.length);
    for (const w of p.stats.wasted.slice(0, Number(process.env.K ?? 40))) console.log(w.tx, w.cause, w.key.slice(0, 90), w.micros);
    const keys = new Map<string, number>();
    for (const w of p.stats.wasted) keys.set(w.key, (keys.get(w.key) ?? 0) + 1);
    console.log([...keys].sort((a, b) => b[1] - a[1]).slice(0, 10));
    console.log("seq micros first 30", s.stats.txs.slice(0, 30).map((t) => Math.round(t.micros / 100) / 10).join(" "));
  }
  await ex.close();
}
main();

import { loadMainnetBlock } from "../plugin/fixtures/mainnet-blocks";
import { ParallelExecutor } from "../plugin/engine/parallel";
import { executeBlockSequential } from "../plugin/engine/sequential";
async function main() {
  const b = loadMainnetBlock(`../shared/fixtures/mainnet-blocks/${process.argv[2] ?? "13287210"}`);
  const input = { block: b.block, preState: b.preState, blockHashes: b.blockHashes, senders: b.senders, computeStateRoot: false };
  const ex = new ParallelExecutor({ workers: Number(process.env.W ?? 1), minTxsForParallel: 1 });
  for (let i = 0; i < 6; i++) {
    const s = await executeBlockSequential(input);
    const p = await ex.executeBlock(input);
    const avg = (r: typeof s) => (r.stats.txs.reduce((a, t) => a + t.micros, 0) / r.stats.txs.length).toFixed(0);
    console.log("avg us", avg(s), avg(p), "total exec us", (s.stats.txs.reduce((a, t) => a + t.micros, 0) / 1000).toFixed(0), (p.stats.txs.reduce((a, t) => a + t.totalMicros, 0) / 1000).toFixed(0));
    console.log("seq", s.stats.wallMs.toFixed(0), s.stats.executionMs.toFixed(0), "par", p.stats.wallMs.toFixed(0), p.stats.executionMs.toFixed(0), "coord", p.stats.coordinatorMs.toFixed(0), "reexec", p.stats.reexecutions, p.stats.fallbackReason ?? "");
  }
  await ex.close();
}
main();

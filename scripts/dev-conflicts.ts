/** Conflict report of one preset block, unnamed (P=<preset> N=<txs>); run with `npx hardhat run`. */
import hre from "hardhat";
import { performance } from "node:perf_hooks";
import { conflictReport } from "../plugin/analysis/conflict-report";
import { traceBlock } from "../plugin/analysis/trace-block";
import { loadMainnetBlock } from "../plugin/fixtures/mainnet-blocks";
import { generateWorkload, prepareWorkloadOnEngine } from "../plugin/workloads";

async function main() {
  let t = performance.now();
  let input;
  if (process.env.B !== undefined) {
    const b = loadMainnetBlock(process.env.B);
    input = { block: b.block, preState: b.preState, blockHashes: b.blockHashes, computeStateRoot: false };
  } else {
    const w = generateWorkload(process.env.P ?? "amm-hot", { txs: Number(process.env.N ?? 200) }, (name) => hre.artifacts.readArtifactSync(name));
    const e = await prepareWorkloadOnEngine(w);
    input = { block: e.block, preState: e.preState, blockHashes: e.blockHashes };
  }
  const traced = await traceBlock(input as never);
  console.log(`trace ${(performance.now() - t).toFixed(0)} ms, preimages ${traced.preimages.size}`);
  t = performance.now();
  const r = conflictReport(traced.trace);
  console.log(`report ${(performance.now() - t).toFixed(0)} ms`);
  console.log(JSON.stringify({ ...r, hotspots: r.hotspots.map((h) => ({ ...h, whatIf: undefined, remedy: undefined })) }, null, 1).slice(0, 5000));
}
main().catch((e) => { console.error(e); process.exitCode = 1; });

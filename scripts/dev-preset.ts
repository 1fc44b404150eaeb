/** One DeFi preset block, sequential against parallel (W workers), per-run stats. P=<preset> N=<txs> W=<workers>. */
import hre from "hardhat";
import { generateWorkload, prepareWorkloadOnEngine } from "../plugin/workloads";
import { ParallelExecutor } from "../plugin/engine/parallel";
import { executeBlockSequential } from "../plugin/engine/sequential";
async function main() {
  const w = generateWorkload(process.env.P ?? "amm", { txs: Number(process.env.N ?? 500), accounts: 10000 }, (n) => hre.artifacts.readArtifactSync(n));
  const input = await prepareWorkloadOnEngine(w);
  const ex = new ParallelExecutor({ workers: Number(process.env.W ?? 2), minTxsForParallel: 1 });
  for (let i = 0; i < Number(process.env.RUNS ?? 6); i++) {
    const s = await executeBlockSequential(input);
    const p = await ex.executeBlock(input);
    const st = p.stats;
    console.log(`seq ${s.stats.executionMs.toFixed(0)} par ${st.executionMs.toFixed(0)} ratio ${(s.stats.executionMs / st.executionMs).toFixed(2)} reexec ${st.reexecutions} blocked ${st.blocked} aborts ${st.aborts} validations ${st.validations} coord ${st.coordinatorMs.toFixed(0)} by ${JSON.stringify(st.executedBy)} ${st.fallbackReason ?? ""} ${st.events.join("; ").slice(0, 200)}`);
  }
  await ex.close();
}
main();

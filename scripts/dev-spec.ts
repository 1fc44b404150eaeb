/**
 * Where the time of a parallel block goes, per run: B=<block numbers, comma> (the shared mainnet
 * fixtures, FIX=<folder>) or P=<preset> N=<txs>; W=<workers> R=<runs> RATIO=<maxReexecutionRatio>.
 * Sequential and parallel runs interleave; run with `npx hardhat run scripts/dev-spec.ts`.
 */
import hre from "hardhat";
import { generateWorkload, prepareWorkloadOnEngine } from "../plugin/workloads";
import { ParallelExecutor } from "../plugin/engine/parallel";
import { executeBlockSequential } from "../plugin/engine/sequential";
import type { ParallelBlockInput } from "../plugin/engine/parallel";
import { mainnetBlockInputs } from "./dev-blocks";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const inputs: [string, ParallelBlockInput][] = [];
  if (process.env.P !== undefined) {
    for (const p of process.env.P.split(",")) {
      const w = generateWorkload(p, { txs: process.env.N === undefined ? undefined : Number(process.env.N) }, (n) => hre.artifacts.readArtifactSync(n));
      inputs.push([p, await prepareWorkloadOnEngine(w)]);
    }
  } else {
    inputs.push(...mainnetBlockInputs(process.env.B?.split(",")));
  }
  const ex = new ParallelExecutor({ workers: Number(process.env.W ?? 2), minTxsForParallel: 1, maxReexecutionRatio: process.env.RATIO === undefined ? undefined : Number(process.env.RATIO) });
  let seqTotal = 0;
  let parTotal = 0;
  for (const [name, input] of inputs) {
    const seqMs: number[] = [];
    const parMs: number[] = [];
    for (let i = 0; i < Number(process.env.R ?? 4); i++) {
      const s = await executeBlockSequential(input);
      const p = await ex.executeBlock(input);
      if (i === 0) continue; // warm-up
      seqMs.push(s.stats.wallMs);
      parMs.push(p.stats.wallMs);
      const st = p.stats;
      const work = st.txs.reduce((a, t) => a + t.micros, 0) / 1000;
      const total = st.txs.reduce((a, t) => a + t.totalMicros, 0) / 1000;
      const seqWork = s.stats.txs.reduce((a, t) => a + t.micros, 0) / 1000;
      console.log(
        `${name} seq ${s.stats.wallMs.toFixed(0)}/${s.stats.executionMs.toFixed(0)} (work ${seqWork.toFixed(0)}) par ${st.wallMs.toFixed(0)}/${st.executionMs.toFixed(0)} x${(s.stats.wallMs / st.wallMs).toFixed(2)}` +
          ` work ${work.toFixed(0)} all ${total.toFixed(0)} wasted ${(st.wasted.reduce((a, w) => a + w.micros, 0) / 1000).toFixed(0)} reexec ${st.reexecutions} blocked ${st.blocked} aborts ${st.aborts} val ${st.validations} coord ${st.coordinatorMs.toFixed(0)} by ${JSON.stringify(st.executedBy)} busy ${JSON.stringify(st.busyMsBy?.map((x) => Math.round(x)))} ${st.fallbackReason ?? ""} ${process.env.EV === "1" ? st.events.join("; ") : ""}`,
      );
    }
    const s = median(seqMs);
    const p = median(parMs);
    seqTotal += s;
    parTotal += p;
    console.log(`== ${name} seq ${s.toFixed(0)} par ${p.toFixed(0)} speedup ${(s / p).toFixed(2)}`);
  }
  console.log(`== total seq ${seqTotal.toFixed(0)} par ${parTotal.toFixed(0)} speedup ${(seqTotal / parTotal).toFixed(2)}`);
  await ex.close();
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/** One preset block mined via evm_mine on the parallel network, timed by phase (P=<preset> N=<txs> W=<workers>); run with `npx hardhat run`. */
import hre from "hardhat";
import { performance } from "node:perf_hooks";
import { generateWorkload, mineWorkloadOnProvider } from "../plugin/workloads";
import { createParallelNetwork } from "../plugin/hardhat/network-factory";

async function main() {
  const preset = process.env.P ?? "transfers";
  const txs = Number(process.env.N ?? 1000);
  const w = generateWorkload(preset, { txs, accounts: 4 * txs }, (name) => hre.artifacts.readArtifactSync(name));
  for (let round = 0; round < Number(process.env.R ?? 3); round++) {
    const net = await createParallelNetwork(hre.network.config as never, { ...hre.config.parallel, workers: Number(process.env.W ?? 2) }, hre.artifacts);
    const t = performance.now();
    const mined = await mineWorkloadOnProvider(net as never, w);
    const report = (await net.request({ method: "parallel_getBlockReport", params: ["latest"] })) as { mode: string; executionMs: number };
    console.log(`${preset} ${txs}: total ${(performance.now() - t).toFixed(0)} ms (setup+block), send ${mined.block.sendMs.toFixed(0)} ms, mine ${mined.block.mineMs.toFixed(0)} ms, engine exec ${report.executionMs.toFixed(0)} ms (${report.mode})`);
    await net.close();
  }
}
main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});

/** The ordinary-tests workload on one network, for profiling (NET=parallel|hardhat, T=<tests>, R=<rounds>); run with `node --cpu-prof node_modules/.bin/hardhat run scripts/dev-ordinary.ts`. */
import hre from "hardhat";
import { applyProviderWrappers, createProvider } from "hardhat/internal/core/providers/construction";
import { runOrdinaryTests } from "../plugin/bench/ordinary-tests";
import { createParallelNetwork } from "../plugin/hardhat/network-factory";

async function main() {
  const artifacts = (name: string) => hre.artifacts.readArtifactSync(name);
  for (let round = 0; round < Number(process.env.R ?? 3); round++) {
    const provider =
      process.env.NET === "hardhat"
        ? await createProvider(hre.config, "hardhat", hre.artifacts)
        : applyProviderWrappers(await createParallelNetwork(hre.network.config as never, hre.config.parallel, hre.artifacts), hre.network.config, []);
    await provider.request({ method: "eth_blockNumber", params: [] });
    const from = process.hrtime.bigint() / 1000n;
    const r = await runOrdinaryTests(provider as never, artifacts as never, Number(process.env.T ?? 100));
    console.log(`window ${from} ${process.hrtime.bigint() / 1000n}`);
    console.log(`${process.env.NET ?? "parallel"}: ${r.wallMs.toFixed(0)} ms, ${r.transactions} txs, ${r.requests} requests`);
    await (provider as { close?: () => Promise<void> }).close?.();
  }
}
main().then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});

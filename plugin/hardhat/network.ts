/**
 * Serving Hardhat's in-process `hardhat` network from the parallel network.
 *
 * Hardhat builds the in-process provider lazily on the first request, and
 * `extendProvider` hooks run only after its own network (EDR) exists, so a
 * replacement there would pay for both and drop the wrappers of plugins
 * registered earlier. Instead, when the parallel network is requested,
 * `hre.network.provider` is replaced before anything uses it (hardhat-ethers,
 * the chai matchers and the network helpers all read it lazily) with the same
 * layers Hardhat puts around its own: registered provider extenders, then the
 * sender / gas / fee wrappers for the network config, then the legacy
 * `send`/`sendAsync` adapter.
 *
 * Selection: `parallel.enabled` in the config, overridden per run by the
 * HARDHAT_PARALLEL environment variable ("1"/"true" on, "0"/"false" off), so
 * one test suite can run on both networks without editing the config.
 */
import { extendEnvironment } from "hardhat/config";
import type { HardhatConfig, HardhatRuntimeEnvironment } from "hardhat/types";

import { pluginError } from "./errors";

export const ENV_SWITCH = "HARDHAT_PARALLEL";

export function parallelNetworkRequested(config: HardhatConfig, env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = env[ENV_SWITCH];
  if (raw === undefined || raw === "") return config.parallel.enabled;
  if (raw === "1" || raw.toLowerCase() === "true") return true;
  if (raw === "0" || raw.toLowerCase() === "false") return false;
  throw pluginError(`${ENV_SWITCH} must be "1"/"true" (use the parallel network) or "0"/"false" (use Hardhat's network), got "${raw}".`);
}

extendEnvironment((hre) => {
  if (hre.network.name !== "hardhat" || !parallelNetworkRequested(hre.config)) return;
  installParallelNetwork(hre);
});

/**
 * Serves `hre.network.provider` from the parallel network (see above).
 * `parallel-conflicts --run` also calls it, to run a script on the parallel
 * network whatever the config selects.
 */
export function installParallelNetwork(hre: HardhatRuntimeEnvironment): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { LazyInitializationProviderAdapter } = require("hardhat/internal/core/providers/lazy-initialization");
  const { BackwardsCompatibilityProviderAdapter } = require("hardhat/internal/core/providers/backwards-compatibility");
  const { applyProviderWrappers } = require("hardhat/internal/core/providers/construction");
  const { HardhatContext } = require("hardhat/internal/context");
  /* eslint-enable @typescript-eslint/no-require-imports */
  hre.network.provider = new LazyInitializationProviderAdapter(async () => {
    const { createParallelNetwork } = await import("./network-factory");
    const extenders = HardhatContext.getHardhatContext().providerExtenders as ((p: unknown, c: HardhatConfig, n: string) => unknown)[];
    let provider: unknown = await createParallelNetwork(hre.network.config as never, hre.config.parallel, hre.artifacts);
    for (const extend of extenders) provider = await extend(provider, hre.config, hre.network.name);
    return new BackwardsCompatibilityProviderAdapter(applyProviderWrappers(provider, hre.network.config, extenders));
  });
  served.add(hre.network.provider);
}

/** Providers this module installed, so a task can tell whether the parallel network serves a runtime. */
const served = new WeakSet<object>();

export function servesParallelNetwork(hre: HardhatRuntimeEnvironment): boolean {
  return served.has(hre.network.provider);
}

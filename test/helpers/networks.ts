/**
 * The two networks a differential test compares, built from this project's
 * Hardhat config (with optional overrides of networks.hardhat) and wrapped
 * the same way, as a user's code sees them: Hardhat's own (EDR) through
 * Hardhat's createProvider, and the parallel network through the same
 * provider wrappers (sender, gas, fee defaults) that the plugin installs.
 */
import type { Eip1193Provider } from "ethers";
import hre from "hardhat";
import type { HardhatNetworkConfig } from "hardhat/types";

import { createParallelNetwork } from "../../plugin/hardhat/network-factory";

export interface TestNetwork extends Eip1193Provider {
  close(): Promise<void>;
}

function networkConfig(overrides: Partial<HardhatNetworkConfig>): HardhatNetworkConfig {
  return { ...hre.config.networks.hardhat, ...overrides };
}

export async function hardhatNetwork(overrides: Partial<HardhatNetworkConfig> = {}): Promise<TestNetwork> {
  /* eslint-disable-next-line @typescript-eslint/no-require-imports */
  const { createProvider } = require("hardhat/internal/core/providers/construction");
  const config = { ...hre.config, networks: { ...hre.config.networks, hardhat: networkConfig(overrides) } };
  const provider = (await createProvider(config, "hardhat", hre.artifacts)) as Eip1193Provider;
  return Object.assign(provider, { close: async () => undefined });
}

export async function parallelNetwork(overrides: Partial<HardhatNetworkConfig> = {}): Promise<TestNetwork> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { applyProviderWrappers } = require("hardhat/internal/core/providers/construction");
  const { BackwardsCompatibilityProviderAdapter } = require("hardhat/internal/core/providers/backwards-compatibility");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const config = networkConfig(overrides);
  const network = await createParallelNetwork(config, hre.config.parallel, hre.artifacts);
  const wrapped = new BackwardsCompatibilityProviderAdapter(applyProviderWrappers(network, config, [])) as Eip1193Provider;
  return Object.assign(wrapped, { close: () => network.close() });
}

/** A request's result, or its error as { error: { code, message, data } }: what a differential test compares. */
export async function outcomeOf(provider: Eip1193Provider, method: string, ...params: unknown[]): Promise<unknown> {
  try {
    return await provider.request({ method, params });
  } catch (e) {
    const err = e as { code?: number; message: string; data?: unknown };
    return { error: { code: err.code, message: err.message, data: err.data ?? null } };
  }
}

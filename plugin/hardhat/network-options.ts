/**
 * Every `networks.hardhat` option of Hardhat 2.29, and what the parallel
 * network does with it: each is either honoured as Hardhat's network (EDR)
 * honours it or refused here, at startup, with a message naming it. None is
 * ignored. An option at its default value is never refused.
 *
 * | Option | Here |
 * |---|---|
 * | chainId, coinbase, blockGasLimit, initialBaseFeePerGas, initialDate, accounts (keys or HD) | the chain's genesis and Common (network-factory.ts) |
 * | mining.auto, mining.interval, mining.mempool.order | the network's miner |
 * | throwOnTransactionFailures, throwOnCallFailures, allowUnlimitedContractSize, allowBlocksWithSameTimestamp | the network's and the engine's rules |
 * | from, gas, gasPrice, gasMultiplier | Hardhat's own provider wrappers, put around the parallel network as around EDR (network.ts) |
 * | hardfork | merge (paris) to osaka; refused before the merge |
 * | enableRip7212 | ExecutionRules.rip7212P256Verify before Osaka; Osaka has EIP-7951 itself, so EDR adds nothing there and neither does this |
 * | enableTransientStorage | EDR does not read it (TSTORE follows the hardfork); same here |
 * | chains | EDR reads it only to run forked history; forking is refused, so it changes nothing, on either |
 * | minGasPrice | refused unless 0 (Hardhat's validation only accepts it before London, which is refused) |
 * | loggingEnabled | refused when true (the parallel network has no request log) |
 * | forking | refused when enabled |
 * | blockGasLimit 2^53 - 1 | solidity-coverage's marker, on which EDR lifts the EIP-7825 transaction gas cap: refused |
 */
import type { HardhatNetworkConfig } from "hardhat/types";

import type { ExecutionRules } from "../engine/prepare";
import { pluginError } from "./errors";

const HOW_TO_PROCEED = "Run on Hardhat's own network instead: set HARDHAT_PARALLEL=0 for this run, or parallel.enabled: false in the config";

/** Hardforks the parallel network runs (Hardhat's names), oldest first. */
export const SUPPORTED_HARDFORKS = ["merge", "shanghai", "cancun", "prague", "osaka"] as const;

/** Hardhat names the Paris upgrade "merge"; @ethereumjs names it "paris". Other names are the same in both. */
const ETHEREUMJS_HARDFORK: Record<string, string> = { merge: "paris" };

/** The block gas limit solidity-coverage sets; EDR then drops the EIP-7825 transaction gas cap. */
const COVERAGE_BLOCK_GAS_LIMIT = 0x1fffffffffffff;

/** What the parallel network takes from the options, beyond the plain values. */
export interface ResolvedNetworkOptions {
  /** The hardfork, by its @ethereumjs name. */
  hardfork: string;
  rules: ExecutionRules;
}

function refuse(option: string, given: string, why: string): never {
  throw pluginError(`networks.hardhat.${option} is ${given}, which the parallel network does not support: ${why}. ${HOW_TO_PROCEED}.`);
}

/** Refuses what the parallel network cannot honour; returns what it needs for the rest. */
export function resolveNetworkOptions(config: HardhatNetworkConfig): ResolvedNetworkOptions {
  if (config.forking?.enabled === true) {
    refuse("forking", `enabled (url ${config.forking.url})`, "it cannot fork a remote chain yet");
  }
  if (!(SUPPORTED_HARDFORKS as readonly string[]).includes(config.hardfork)) {
    refuse("hardfork", `"${config.hardfork}"`, `it runs proof-of-stake chains only (hardforks ${SUPPORTED_HARDFORKS.map((h) => `"${h}"`).join(", ")})`);
  }
  if (config.minGasPrice !== undefined && BigInt(config.minGasPrice) !== 0n) {
    refuse("minGasPrice", String(config.minGasPrice), "it has no minimum gas price (Hardhat accepts one only before London)");
  }
  if (config.loggingEnabled === true) {
    refuse("loggingEnabled", "true", "it does not print Hardhat's log of JSON-RPC requests");
  }
  if (config.blockGasLimit === COVERAGE_BLOCK_GAS_LIMIT) {
    refuse("blockGasLimit", `${COVERAGE_BLOCK_GAS_LIMIT} (solidity-coverage's)`, "Hardhat's network lifts the EIP-7825 transaction gas cap for it, this network does not");
  }
  return {
    hardfork: ETHEREUMJS_HARDFORK[config.hardfork] ?? config.hardfork,
    rules: {
      allowUnlimitedContractSize: config.allowUnlimitedContractSize,
      // Hardhat's network does not apply EIP-3607: tests impersonate contracts and send from them.
      allowSendersWithCode: true,
      // Before Osaka only: Osaka's own P256VERIFY (EIP-7951) stays, as on EDR (the engine checks).
      rip7212P256Verify: config.enableRip7212 === true,
      // Hardhat's network runs no EIP-4788 / EIP-2935 system calls before a block's transactions.
      systemCalls: false,
    },
  };
}

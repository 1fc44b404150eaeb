/**
 * Builds the parallel network from the resolved `hardhat` network config,
 * with Hardhat's defaults where the config leaves a field out (the same
 * accounts, chain id, hardfork, block gas limit, base fee and coinbase).
 * Options it cannot honour are refused first (network-options.ts).
 */
import { bytesToHex, hexToBytes, privateToAddress } from "@ethereumjs/util";
import type { Artifacts, HardhatNetworkConfig } from "hardhat/types";

import { CustomErrorDecoder } from "../network/errors";
import { hardhatGenesisContracts } from "./genesis-state";

import { ParallelNetworkProvider } from "../network/provider";
import { workloadChainCommon } from "../workloads/signer";
import type { ParallelConfig } from "./config";
import { resolveNetworkOptions } from "./network-options";
import { activeTestObserver } from "./test-observer";

/** Hardhat's network reports itself so; the network helpers refuse any other client. */
const CLIENT_VERSION = "HardhatNetwork/2.29.1/hardhat-parallel/0.1.0";
const DEFAULT_COINBASE = "0xc014ba5ec014ba5ec014ba5ec014ba5ec014ba5e";
const DEFAULT_BASE_FEE = 1_000_000_000n;

/** Decodes console.log calldata with Hardhat's own decoder and prints each line, as Hardhat's network does. */
function printSolidityLogs(calls: Uint8Array[]): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ConsoleLogger } = require("hardhat/internal/hardhat-network/stack-traces/consoleLogger") as {
    ConsoleLogger: { getDecodedLogs(messages: Uint8Array[]): string[] };
  };
  // Hardhat's decoder works on Buffers (it decodes strings with Buffer#toString).
  for (const line of ConsoleLogger.getDecodedLogs(calls.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)))) console.log(line);
}

export async function createParallelNetwork(config: HardhatNetworkConfig, parallel: ParallelConfig, artifacts: Artifacts): Promise<ParallelNetworkProvider> {
  const { hardfork, rules } = resolveNetworkOptions(config);
  // Read through the Artifacts API (a project may wrap it), only when a revert first needs a custom error's name.
  const errorDecoder = new CustomErrorDecoder(async () => {
    const names = await artifacts.getAllFullyQualifiedNames();
    return Promise.all(names.map(async (name) => (await artifacts.readArtifact(name)).abi));
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { normalizeHardhatNetworkAccountsConfig } = require("hardhat/internal/core/providers/util");
  const accounts = normalizeHardhatNetworkAccountsConfig(config.accounts) as { privateKey: string; balance: string }[];
  return new ParallelNetworkProvider({
    common: workloadChainCommon(BigInt(config.chainId), hardfork),
    // Hardhat's system contracts first, then the configured accounts (which replace one at the same address, as on EDR).
    genesisAccounts: [
      ...hardhatGenesisContracts(config.hardfork),
      ...accounts.map((a) => ({ address: bytesToHex(privateToAddress(hexToBytes(a.privateKey as `0x${string}`))), balance: BigInt(a.balance) })),
    ],
    localAccounts: accounts.map((a) => a.privateKey),
    blockGasLimit: BigInt(config.blockGasLimit),
    initialBaseFeePerGas: config.initialBaseFeePerGas === undefined ? DEFAULT_BASE_FEE : BigInt(config.initialBaseFeePerGas),
    coinbase: config.coinbase ?? DEFAULT_COINBASE,
    genesisTimestamp: BigInt(Math.floor(new Date(config.initialDate ?? Date.now()).getTime() / 1000)),
    automine: config.mining.auto,
    intervalMining: config.mining.interval,
    mempoolOrder: config.mining.mempool.order === "fifo" ? "fifo" : "priority",
    rules,
    allowBlocksWithSameTimestamp: config.allowBlocksWithSameTimestamp,
    throwOnTransactionFailures: config.throwOnTransactionFailures,
    throwOnCallFailures: config.throwOnCallFailures,
    clientVersion: CLIENT_VERSION,
    errorDecoder,
    // Loaded and read only when parallel_getConflictReport first needs names.
    conflictNaming: once(async () => (await import("./storage-naming")).projectNaming(artifacts)),
    observer: activeTestObserver,
    printConsoleLogs: printSolidityLogs,
    verify: parallel.verify,
    parallel: {
      enabled: true,
      workers: parallel.workers,
      minTxsForParallel: parallel.minTxsForParallel,
      maxReexecutionRatio: parallel.maxReexecutionRatio,
      onWorkerFailure: parallel.onWorkerFailure,
    },
  });
}

/** The first call's promise, shared by every later call. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}

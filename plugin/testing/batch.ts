/**
 * A batch of transactions mined as one block on the parallel network, with
 * its conflict report (docs/conflicts.md) and whether it matched sequential
 * execution: what the parallel-friendliness matchers look at. `mineBatch`
 * does the dance tests would otherwise repeat: automine off and verification
 * on, send, mine, then both restored as they were.
 */
import type { BlockConflicts, ConflictsReport } from "../analysis/conflict-report";

/** What a test's provider must answer (hre.network.provider, an EIP-1193 provider). */
export interface BatchProvider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

export interface Batch {
  blockNumber: number;
  txs: number;
  /** "parallel", or "sequential" when the block was too small for the parallel executor (parallel.minTxsForParallel). */
  mode: string;
  /** Executed in parallel and checked against the sequential executor (identical, or mining would have failed). */
  verified: boolean;
  conflicts: BlockConflicts;
}

export class ParallelNetworkNeededError extends Error {
  constructor(what: string) {
    super(
      `${what} needs the parallel network: run the tests with HARDHAT_PARALLEL=1 (npx hardhat test), or set parallel: { enabled: true } in the hardhat config (networks.hardhat, the in-process network)`,
    );
  }
}

/** Whether the provider is the parallel network (tests that need it can skip themselves elsewhere). */
export async function isParallelNetwork(provider: BatchProvider): Promise<boolean> {
  return String(await provider.request({ method: "web3_clientVersion", params: [] })).includes("hardhat-parallel");
}

export async function requireParallelNetwork(provider: BatchProvider, what: string): Promise<void> {
  if (!(await isParallelNetwork(provider))) throw new ParallelNetworkNeededError(what);
}

/**
 * Runs `send` with automine off (it should send transactions and not wait
 * for their receipts), mines what it sent as one block and reports on it.
 * Sends that fail leave automine and verification as they were.
 */
export async function mineBatch(provider: BatchProvider, send: () => Promise<unknown>): Promise<Batch> {
  await requireParallelNetwork(provider, "mineBatch");
  const rpc = (method: string, ...params: unknown[]) => provider.request({ method, params });
  const automine = (await rpc("hardhat_getAutomine")) as boolean;
  const verification = (await rpc("parallel_getVerification")) as boolean;
  await rpc("evm_setAutomine", false);
  await rpc("parallel_setVerification", true);
  try {
    await send();
    await rpc("evm_mine");
  } finally {
    await rpc("evm_setAutomine", automine);
    await rpc("parallel_setVerification", verification);
  }
  const blockNumber = Number(await rpc("eth_blockNumber"));
  const block = (await rpc("parallel_getBlockReport", blockNumber)) as { mode: string; verified: boolean; transactions: unknown[] };
  if (block.transactions.length === 0) throw new Error("mineBatch: the batch sent no transaction (send them without waiting for receipts: automine is off while it runs)");
  const report = (await rpc("parallel_getConflictReport", blockNumber, blockNumber, { variables: true })) as ConflictsReport;
  return { blockNumber, txs: block.transactions.length, mode: block.mode, verified: block.verified, conflicts: report.blocks[0] };
}

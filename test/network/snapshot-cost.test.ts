/**
 * What snapshots and direct edits cost the parallel network, observed without
 * timing: after evm_revert (every loadFixture) and hardhat_set* edits, the
 * state root's tries and the worker threads' state replicas catch up from the
 * diffs in between instead of being rebuilt and re-sent whole
 * (Chain.stateUpkeep). And what they give: the same block state roots as
 * Hardhat's network (EDR), and as a root computed from scratch.
 * Both genesis states are the same (with Hardhat's system contracts,
 * test/network/genesis-state.test.ts), so the roots compare from the start.
 */
import { expect } from "chai";
import hre from "hardhat";

import { StateRootComputer } from "../../plugin/engine";
import { createParallelNetwork } from "../../plugin/hardhat/network-factory";
import type { ParallelNetworkProvider } from "../../plugin/network/provider";
import { hardhatNetwork } from "../helpers/networks";
import type { TestNetwork } from "../helpers/networks";
import { tokenInterface } from "../helpers/two-networks";

const FEES = { maxFeePerGas: "0x2540be400", maxPriorityFeePerGas: "0x3b9aca00" };
const hex = (n: bigint | number) => `0x${n.toString(16)}`;

type Rpc = <T = unknown>(method: string, ...params: unknown[]) => Promise<T>;
const rpcOf =
  (p: { request(a: { method: string; params?: unknown[] }): Promise<unknown> }): Rpc =>
  async <T>(method: string, ...params: unknown[]) =>
    (await p.request({ method, params })) as T;

interface Observed {
  /** State root of every block the script mined, in order. */
  roots: string[];
  receipts: string[];
  reads: unknown[];
}

/**
 * A test suite's life in miniature: a fixture, then tests that each revert to
 * it, edit accounts directly, send automined transactions and mine one block
 * of several senders (run in parallel on the parallel network). `afterBlock`
 * runs after every mined block.
 */
async function script(rpc: Rpc, afterBlock: () => Promise<void>): Promise<Observed> {
  const token = tokenInterface();
  const accounts = await rpc<string[]>("eth_accounts");
  const [owner, , , , , edited, renonced, coded] = accounts;
  const senders = accounts.slice(1, 17);
  const observed: Observed = { roots: [], receipts: [], reads: [] };
  const mined = async (hashes: string[]) => {
    const block = await rpc<{ stateRoot: string }>("eth_getBlockByNumber", "latest", false);
    observed.roots.push(block.stateRoot);
    for (const h of hashes) {
      const r = await rpc<{ status: string; gasUsed: string }>("eth_getTransactionReceipt", h);
      observed.receipts.push(`${r.status}:${r.gasUsed}`);
    }
    await afterBlock();
  };
  const send = async (from: string, to: string | undefined, data: string, gas = "0x200000") => {
    const hash = await rpc<string>("eth_sendTransaction", { from, ...(to === undefined ? {} : { to }), data, gas, ...FEES });
    return hash;
  };

  const deployHash = await send(owner, undefined, hre.artifacts.readArtifactSync("TestToken").bytecode + token.encodeDeploy(["Test", "TST", 18]).slice(2));
  await mined([deployHash]);
  const address = (await rpc<{ contractAddress: string }>("eth_getTransactionReceipt", deployHash)).contractAddress;
  await mined([await send(owner, address, token.encodeFunctionData("batchMint", [senders, 10n ** 24n]))]);
  // One block of two transfers per sender: the parallel network runs it on its worker thread too.
  const parallelBlock = async (t: number) => {
    await rpc("evm_setAutomine", false);
    const hashes: string[] = [];
    for (const round of [0, 1]) {
      for (const [i, from] of senders.entries()) hashes.push(await send(from, address, token.encodeFunctionData("transfer", [accounts[(i + 1 + round) % 20], 7n + BigInt(t)]), "0x20000"));
    }
    await rpc("evm_mine");
    await rpc("evm_setAutomine", true);
    await mined(hashes);
  };
  await parallelBlock(-1);
  let snapshot = await rpc<string>("evm_snapshot");

  for (let t = 0; t < 3; t++) {
    await rpc("evm_revert", snapshot);
    snapshot = await rpc<string>("evm_snapshot");
    await rpc("hardhat_setBalance", edited, hex(10n ** 18n + BigInt(t)));
    await rpc("hardhat_setNonce", renonced, hex(5 + t));
    await rpc("hardhat_setCode", coded, `0x60${(t + 1).toString(16).padStart(2, "0")}60005260206000f3`);
    await rpc("hardhat_setStorageAt", address, hex(100 + t), `0x${(2n ** 200n + BigInt(t)).toString(16).padStart(64, "0")}`);
    await mined([await send(senders[0], address, token.encodeFunctionData("transfer", [owner, 1000n + BigInt(t)]))]);
    await parallelBlock(t);
  }
  for (const a of [edited, renonced, coded, owner]) {
    observed.reads.push(await rpc("eth_getBalance", a, "latest"), await rpc("eth_getTransactionCount", a, "latest"), await rpc("eth_getCode", a, "latest"));
  }
  observed.reads.push(await rpc("eth_getStorageAt", address, hex(102), "latest"), await rpc("eth_call", { to: address, data: token.encodeFunctionData("totalSupply", []) }, "latest"));
  return observed;
}

/**
 * A new pool's worker thread needs a second or two to load; until then the
 * calling thread runs whole blocks alone. Mines blocks of transfers until the
 * worker thread takes part in one, then reverts them all: the state is as
 * before, and the worker holds a replica of it (its one full copy).
 */
async function warmUpWorkers(rpc: Rpc, timeoutMs = 30_000): Promise<void> {
  const accounts = await rpc<string[]>("eth_accounts");
  const snapshot = await rpc<string>("evm_snapshot");
  await rpc("evm_setAutomine", false);
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    for (const from of accounts.slice(1, 17)) await rpc("eth_sendTransaction", { from, to: accounts[0], value: "0x1", gas: "0x5208", ...FEES });
    await rpc("evm_mine");
    const report = await rpc<{ executedBy: number[] | null }>("parallel_getBlockReport", "latest");
    if ((report.executedBy?.[1] ?? 0) > 0) break;
  }
  await rpc("evm_setAutomine", true);
  await rpc("evm_revert", snapshot);
}

describe("snapshots and direct edits on the parallel network: incremental, and as on Hardhat's network", function () {
  let edr: TestNetwork;
  let parallel: ParallelNetworkProvider;

  before(async function () {
    edr = await hardhatNetwork();
    // Blocks of 8 transactions or more run in parallel, on one worker thread besides the calling one.
    parallel = await createParallelNetwork(hre.config.networks.hardhat, { ...hre.config.parallel, workers: 2, minTxsForParallel: 8 }, hre.artifacts);
    await warmUpWorkers(rpcOf(parallel));
  });
  after(async function () {
    await parallel?.close();
  });

  it("keeps the tries and the workers' replicas by diffs, with the roots of EDR and of a fresh computation", async function () {
    const chain = parallel.chain;
    const freshRoots: string[] = [];
    const modes: string[] = [];
    const rpc = rpcOf(parallel);
    const onParallel = await script(rpc, async () => {
      // The root computed from scratch from the state as it stands right after the block.
      freshRoots.push("0x" + Buffer.from(await new StateRootComputer().compute(chain.state, undefined, { dryRun: true })).toString("hex"));
      modes.push((await rpc<{ mode: string }>("parallel_getBlockReport", "latest")).mode);
    });
    const onEdr = await script(rpcOf(edr), async () => undefined);

    expect(onParallel.receipts).to.deep.equal(onEdr.receipts);
    expect(onParallel.reads).to.deep.equal(onEdr.reads);
    expect(onParallel.roots).to.deep.equal(onEdr.roots);
    expect(onParallel.roots).to.deep.equal(freshRoots);
    expect(modes.filter((m) => m === "parallel")).to.have.length(4, `block modes: ${modes.join(", ")}`);

    const upkeep = chain.stateUpkeep();
    // The one rebuild is the first root ever computed; every revert and edit after it was caught up from diffs.
    expect(upkeep.rootRebuilds).to.equal(1);
    // One catch-up per test: its revert and edits, taken in at its first block.
    expect(upkeep.rootCatchUps, JSON.stringify(upkeep)).to.be.at.least(3);
    // The worker thread got the whole state once (warming up); then only diffs (blocks, edits, reverts).
    expect(upkeep.workerSnapshots, JSON.stringify(upkeep)).to.equal(1);
    // Each later test: the previous parallel block, the revert, four edits and the automined block.
    expect(upkeep.workerDiffs, JSON.stringify(upkeep)).to.be.at.least(2 * 7);
  });
});

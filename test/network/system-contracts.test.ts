/**
 * The EIP-4788 beacon-roots and EIP-2935 block-history contracts under
 * hardhat_mine, against Hardhat's network (EDR). EDR makes no system calls:
 * with the contracts' code in place, empty blocks leave their storage empty
 * (and the history contract answers zero for every block). The parallel
 * network does the same (ExecutionRules.systemCalls: false), so a long
 * hardhat_mine stays a reserved range of blocks built on demand, not thousands
 * of executed ones.
 */
import { expect } from "chai";
import hre from "hardhat";

import { createParallelNetwork } from "../../plugin/hardhat/network-factory";
import type { ParallelNetworkProvider } from "../../plugin/network/provider";
import { hardhatNetwork } from "../helpers/networks";
import type { TestNetwork } from "../helpers/networks";

const BEACON_ROOTS = "0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02";
const HISTORY = "0x0000F90827F1C53a10cb7A02335B175320002935";
/** The EIP-2935 history contract's runtime code, as the EIP deploys it (EDR's genesis has a stub there). */
const HISTORY_CODE =
  "0x3373fffffffffffffffffffffffffffffffffffffffe14604657602036036042575f35600143038111604257611fff81430311604257611fff9006545f5260205ff35b5f5ffd5b5f35611fff60014303065500";
/** One block more than the history contract's ring of 8191 slots. */
const BLOCKS = 8201;
const hex = (n: bigint | number) => `0x${n.toString(16)}`;

type Provider = { request(a: { method: string; params?: unknown[] }): Promise<unknown> };
const call = async <T = unknown>(p: Provider, method: string, ...params: unknown[]) => (await p.request({ method, params })) as T;

/** Storage of both contracts where empty blocks would write, a history lookup, and block state roots. */
async function observe(p: Provider): Promise<unknown> {
  const head = Number(await call<string>(p, "eth_blockNumber"));
  const views: unknown[] = [];
  for (const n of [1, 2, head - 8191, 4000, head - 1, head]) {
    const block = await call<{ timestamp: string; stateRoot: string; parentBeaconBlockRoot?: string }>(p, "eth_getBlockByNumber", hex(n), false);
    const ring = BigInt(block.timestamp) % 8191n;
    views.push({
      n,
      stateRoot: block.stateRoot,
      history: await call(p, "eth_getStorageAt", HISTORY, hex((n - 1 + 8191) % 8191), "latest"),
      beaconTimestamp: await call(p, "eth_getStorageAt", BEACON_ROOTS, hex(ring), "latest"),
      beaconRoot: await call(p, "eth_getStorageAt", BEACON_ROOTS, hex(ring + 8191n), "latest"),
      // The contract reverts for a block outside its window; what matters is that both answer alike.
      lookup: await call(p, "eth_call", { to: HISTORY, data: "0x" + (n - 1).toString(16).padStart(64, "0") }, "latest").catch((e: Error) => `error: ${e.message}`),
    });
  }
  const latest = await call<{ stateRoot: string }>(p, "eth_getBlockByNumber", "latest", false);
  return { head, views, latestStateRoot: latest.stateRoot };
}

describe("hardhat_mine with the system contracts deployed, as on Hardhat's network", function () {
  let edr: TestNetwork;
  let parallel: ParallelNetworkProvider;

  before(async function () {
    edr = await hardhatNetwork();
    parallel = await createParallelNetwork(hre.config.networks.hardhat, hre.config.parallel, hre.artifacts);
  });
  after(async function () {
    await parallel?.close();
  });

  it(`mines ${BLOCKS} blocks as a reserved range and leaves the contracts' storage as EDR does`, async function () {
    // The same code on both: the genesis beacon-roots contract (both genesis states have it), and the real history contract.
    expect(await call(parallel, "eth_getCode", BEACON_ROOTS, "latest")).to.equal(await call(edr, "eth_getCode", BEACON_ROOTS, "latest"));
    for (const p of [edr, parallel]) await call(p, "hardhat_setCode", HISTORY, HISTORY_CODE);
    for (const p of [edr, parallel]) {
      // A block with a transaction first, so the run starts on a state the contracts' code is part of.
      const [from, to] = await call<string[]>(p, "eth_accounts");
      await call(p, "eth_sendTransaction", { from, to, value: "0x1", gas: "0x5208", maxFeePerGas: "0x2540be400", maxPriorityFeePerGas: "0x3b9aca00" });
      await call(p, "hardhat_mine", hex(BLOCKS));
    }
    expect(await observe(parallel)).to.deep.equal(await observe(edr));

    // Reserved, not executed: only the run's first two and last blocks (and the transaction's) were built.
    const head = parallel.chain.height;
    expect([...parallel.chain.executedBlocks(1, head)].map((b) => Number(b.block.header.number))).to.deep.equal([1, 2, 3, head]);
  });
});

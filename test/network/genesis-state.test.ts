/**
 * The genesis state and block against Hardhat's network (EDR), hardfork by
 * hardfork: the system contracts EDR puts there (the EIP-4788 beacon-roots
 * contract from Cancun; from Prague, a stub at the EIP-2935 address that
 * reverts), what calls and transactions to them answer, and the genesis
 * block itself (state root and hash included), then the state root of a
 * block on top.
 */
import { expect } from "chai";

import { hardhatNetwork, outcomeOf, parallelNetwork } from "../helpers/networks";
import type { TestNetwork } from "../helpers/networks";

const BEACON_ROOTS = "0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02";
const HISTORY = "0x0000F90827F1C53a10cb7A02335B175320002935";
const GAS = { gas: "0x100000", maxFeePerGas: "0x2540be400", maxPriorityFeePerGas: "0x3b9aca00" };
const word = (n: number) => "0x" + n.toString(16).padStart(64, "0");

const rpc = outcomeOf;

async function observe(p: TestNetwork) {
  const [from] = (await p.request({ method: "eth_accounts", params: [] })) as string[];
  const genesis = await rpc(p, "eth_getBlockByNumber", "0x0", false);
  const code = { beaconRoots: await rpc(p, "eth_getCode", BEACON_ROOTS, "latest"), history: await rpc(p, "eth_getCode", HISTORY, "latest") };
  const calls = {
    // The beacon-roots contract answers a 32-byte timestamp it holds and reverts otherwise; the stub always reverts.
    beaconRoots: await rpc(p, "eth_call", { to: BEACON_ROOTS, data: word(1) }, "latest"),
    beaconRootsBadInput: await rpc(p, "eth_call", { to: BEACON_ROOTS, data: "0x01" }, "latest"),
    history: await rpc(p, "eth_call", { to: HISTORY, data: word(0) }, "latest"),
  };
  // A transaction to each, mined: status, gas and the state root after it.
  const mined = [];
  for (const to of [BEACON_ROOTS, HISTORY]) {
    const hash = (await rpc(p, "eth_sendTransaction", { from, to, data: word(0), ...GAS })) as string | { error: unknown };
    const receipt = typeof hash === "string" ? ((await rpc(p, "eth_getTransactionReceipt", hash)) as { status: string; gasUsed: string }) : undefined;
    const block = (await rpc(p, "eth_getBlockByNumber", "latest", false)) as { stateRoot: string };
    mined.push({ sent: typeof hash === "string" ? "ok" : hash, status: receipt?.status, gasUsed: receipt?.gasUsed, stateRoot: block.stateRoot });
  }
  return { genesis, code, calls, mined };
}

describe("the genesis state and block, as on Hardhat's network", function () {
  for (const hardfork of ["shanghai", "cancun", "prague", "osaka"]) {
    it(`${hardfork}: system contracts, calls to them, the genesis block and the state roots after it`, async function () {
      const edr = await hardhatNetwork({ hardfork });
      const parallel = await parallelNetwork({ hardfork });
      try {
        const [onEdr, onParallel] = [await observe(edr), await observe(parallel)];
        expect(onParallel).to.deep.equal(onEdr);
        // Not vacuous: the hardfork decides which contracts exist, and the stub's revert is a reason string.
        const code = onEdr.code as { beaconRoots: string; history: string };
        expect(code.beaconRoots === "0x", "beacon roots absent").to.equal(hardfork === "shanghai");
        expect(code.history === "0x", "history stub absent").to.equal(hardfork === "shanghai" || hardfork === "cancun");
        if (code.history !== "0x") expect(JSON.stringify(onEdr.calls.history)).to.include("EIP2935 is not supported in Hardhat yet");
      } finally {
        await edr.close();
        await parallel.close();
      }
    });
  }
});

/**
 * The point-evaluation precompile (0x0a) on the parallel network, against
 * Hardhat's: calls and a mined transaction with inputs it refuses (wrong
 * length, a versioned hash that does not match the commitment). Before every
 * Common carried a KZG (engine/crypto.ts, lazyKzg), @ethereumjs threw "kzg
 * not initialized" here, and the network reported an internal error.
 */
import { expect } from "chai";

import { hardhatNetwork, outcomeOf, parallelNetwork } from "../helpers/networks";
import type { TestNetwork } from "../helpers/networks";

const POINT_EVALUATION = "0x000000000000000000000000000000000000000a";
const GAS = { gas: "0x100000", maxFeePerGas: "0x2540be400", maxPriorityFeePerGas: "0x3b9aca00" };

const rpc = outcomeOf;

async function observe(p: TestNetwork) {
  const [from] = (await p.request({ method: "eth_accounts", params: [] })) as string[];
  const inputs = { empty: "0x", short: "0x01", zeros: "0x" + "00".repeat(192) };
  const calls: Record<string, unknown> = {};
  for (const [name, data] of Object.entries(inputs)) calls[name] = await rpc(p, "eth_call", { to: POINT_EVALUATION, data, gas: "0x100000" }, "latest");
  const hash = (await rpc(p, "eth_sendTransaction", { from, to: POINT_EVALUATION, data: inputs.zeros, ...GAS })) as string | { error: unknown };
  const receipt = typeof hash === "string" ? ((await rpc(p, "eth_getTransactionReceipt", hash)) as { status: string; gasUsed: string }) : undefined;
  return { calls, sent: typeof hash === "string" ? "ok" : hash, status: receipt?.status, gasUsed: receipt?.gasUsed };
}

describe("the point-evaluation precompile, as on Hardhat's network", function () {
  this.timeout(60_000);
  it("cancun: refused inputs fail the call and the transaction as on Hardhat's network, with no internal error", async function () {
    const edr = await hardhatNetwork({ hardfork: "cancun", throwOnTransactionFailures: false });
    const parallel = await parallelNetwork({ hardfork: "cancun", throwOnTransactionFailures: false });
    try {
      const [onEdr, onParallel] = [await observe(edr), await observe(parallel)];
      expect(JSON.stringify(onParallel, null, 1)).to.equal(JSON.stringify(onEdr, null, 1));
      // Not vacuous: the transaction was mined and failed.
      expect(onEdr).to.deep.include({ sent: "ok", status: "0x0" });
    } finally {
      await parallel.close();
    }
  });
});

/**
 * Hardhat network config options that change the rules, honoured by the
 * parallel network as by Hardhat's own (same outcomes on both):
 * - allowUnlimitedContractSize lets a contract above the 24,576-byte limit
 *   deploy;
 * - allowBlocksWithSameTimestamp lets a block have its parent's timestamp;
 * - throwOnTransactionFailures / throwOnCallFailures false make failed sends
 *   and calls return instead of throwing.
 */
import { expect } from "chai";
import type { Eip1193Provider } from "ethers";

import { hardhatNetwork, parallelNetwork } from "../helpers/networks";

/** Init code that deploys 25,000 zero bytes of runtime code (PUSH2 25000, PUSH1 0, RETURN). */
const OVERSIZED_INITCODE = "0x6161a86000f3";

/** The first deployment of Hardhat's first account goes to this address. */
const DEPLOYED = "0x5fbdb2315678afecb367f032d93f642f64180aa3";

async function deployOversized(p: Eip1193Provider): Promise<{ error?: string; status: string; gasUsed: string; codeSize: number }> {
  const [from] = (await p.request({ method: "eth_accounts" })) as string[];
  let error: string | undefined;
  await p.request({ method: "eth_sendTransaction", params: [{ from, data: OVERSIZED_INITCODE, gas: "0x989680" }] }).catch((e: Error) => (error = e.message));
  const block = (await p.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as { transactions: string[] };
  const receipt = (await p.request({ method: "eth_getTransactionReceipt", params: [block.transactions[0]] })) as { status: string; gasUsed: string };
  const code = (await p.request({ method: "eth_getCode", params: [DEPLOYED, "latest"] })) as string;
  return { ...(error === undefined ? {} : { error }), status: receipt.status, gasUsed: receipt.gasUsed, codeSize: (code.length - 2) / 2 };
}

describe("parallel network: execution rules from the network config", function () {
  for (const allowUnlimitedContractSize of [false, true]) {
    it(`allowUnlimitedContractSize ${allowUnlimitedContractSize}: an oversized contract deploys as on Hardhat's network`, async function () {
      const expected = await deployOversized(await hardhatNetwork({ allowUnlimitedContractSize }));
      const parallel = await parallelNetwork({ allowUnlimitedContractSize });
      try {
        expect(await deployOversized(parallel)).to.deep.equal(expected);
        expect(expected.codeSize).to.equal(allowUnlimitedContractSize ? 25_000 : 0);
      } finally {
        await parallel.close();
      }
    });
  }
});

/** Init code of a contract whose code reverts with no data (PUSH1 0, PUSH1 0, REVERT). */
const REVERTER_INITCODE = "0x6460006000fd6000526005601bf3";
/** A timestamp far ahead of the clock, so block timestamps do not depend on it. */
const T = 3_000_000_000;

async function timestampsAndFailures(p: Eip1193Provider): Promise<unknown[]> {
  const rpc = (method: string, ...params: unknown[]) => p.request({ method, params });
  const outcome = (r: Promise<unknown>) => r.then((ok) => ({ ok }), (e: Error) => ({ error: e.message.replaceAll(String(T), "T") }));
  const timestamp = async () => Number(((await rpc("eth_getBlockByNumber", "latest", false)) as { timestamp: string }).timestamp) - T;
  await rpc("evm_setNextBlockTimestamp", T);
  await rpc("evm_mine");
  const sameTimestamp = await outcome(rpc("evm_setNextBlockTimestamp", T));
  await rpc("evm_mine");
  const first = await timestamp();
  await rpc("evm_mine");
  const second = await timestamp();
  const [from] = (await rpc("eth_accounts")) as string[];
  const deployed = (await rpc("eth_getTransactionReceipt", await rpc("eth_sendTransaction", { from, data: REVERTER_INITCODE }))) as { contractAddress: string };
  const failedCall = await outcome(rpc("eth_call", { to: deployed.contractAddress }, "latest"));
  const failedSend = await outcome(rpc("eth_sendTransaction", { from, to: deployed.contractAddress }));
  return [sameTimestamp, first, second, failedCall, "ok" in failedSend ? "returned a hash" : failedSend];
}

describe("parallel network: timestamps and failures per the network config", function () {
  for (const lenient of [false, true]) {
    const options = { allowBlocksWithSameTimestamp: lenient, throwOnTransactionFailures: !lenient, throwOnCallFailures: !lenient };
    it(`behaves as Hardhat's network with ${JSON.stringify(options)}`, async function () {
      const expected = await timestampsAndFailures(await hardhatNetwork(options));
      const parallel = await parallelNetwork(options);
      try {
        expect(await timestampsAndFailures(parallel)).to.deep.equal(expected);
        // Same timestamp allowed or not; the call's revert data returned or thrown.
        expect(expected[1]).to.equal(lenient ? 0 : 1);
        expect(expected[3]).to.deep.equal(lenient ? { ok: "0x" } : { error: "Transaction reverted without a reason string" });
      } finally {
        await parallel.close();
      }
    });
  }
});

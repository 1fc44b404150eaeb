/**
 * Bad requests and invalid transactions, sent to Hardhat's own network (EDR)
 * and to the parallel network, both behind Hardhat's provider wrappers as a
 * user's code sees them:
 * - invalid transactions get the same error code and the same message, which
 *   ethers and the chai matchers parse;
 * - malformed parameters get the same code and message too: EDR's come from
 *   its request parser and end in the JSON column where it stopped, and the
 *   parallel network reproduces them (plugin/network/params.ts);
 * - nothing changes: block height, the sender's balance and nonce, and the
 *   pending nonce (the mempool) are as before the request.
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import type { TransactionRequest } from "ethers";

import { hardhatNetwork, parallelNetwork } from "../helpers/networks";

interface Rpc {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

/** Hardhat's first default account. */
const KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const SENDER = new Wallet(KEY).address;
const OTHER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
/** A wallet with no funds (fixed, so both networks see the same sender). */
const POOR = new Wallet("0x" + "42".repeat(32));
const START = 2_000_000_000;

type Outcome = { ok: unknown } | { code: unknown; message: string };

async function outcome(p: Rpc, method: string, params: unknown[]): Promise<Outcome> {
  try {
    return { ok: await p.request({ method, params }) };
  } catch (e) {
    const err = e as { code?: unknown; message: string };
    return { code: err.code, message: err.message };
  }
}

/** What a request must not change. */
async function observable(p: Rpc): Promise<unknown[]> {
  return Promise.all([
    p.request({ method: "eth_blockNumber", params: [] }),
    p.request({ method: "eth_getBalance", params: [SENDER, "latest"] }),
    p.request({ method: "eth_getTransactionCount", params: [SENDER, "latest"] }),
    p.request({ method: "eth_getTransactionCount", params: [SENDER, "pending"] }),
  ]);
}

interface Case {
  label: string;
  request: (p: Rpc) => Promise<[string, unknown[]]>;
}

const raw = (tx: TransactionRequest, wallet: Wallet = new Wallet(KEY)) => async (p: Rpc): Promise<[string, unknown[]]> => {
  const nonce = Number(await p.request({ method: "eth_getTransactionCount", params: [wallet.address, "latest"] }));
  const signed = await wallet.signTransaction({ to: OTHER, value: 1n, gasLimit: 21_000n, maxFeePerGas: 10_000_000_000n, maxPriorityFeePerGas: 1n, chainId: 31337n, type: 2, nonce, ...tx });
  return ["eth_sendRawTransaction", [signed]];
};
const call = (method: string, ...params: unknown[]) => async (): Promise<[string, unknown[]]> => [method, params];

const CASES: Case[] = [
  { label: "unknown method", request: call("eth_notAMethod") },
  { label: "nonce too low", request: raw({ nonce: 0 }) },
  { label: "nonce too high while automining", request: raw({ nonce: 7 }) },
  { label: "insufficient funds", request: raw({}, POOR) },
  { label: "gas limit above the EIP-7825 cap", request: raw({ gasLimit: 20_000_000n }) },
  { label: "gas limit above the block gas limit", request: raw({ gasLimit: 70_000_000n }) },
  { label: "intrinsic gas too low", request: raw({ gasLimit: 20_000n }) },
  { label: "wrong chain id", request: raw({ chainId: 5n }) },
  { label: "fee cap below the base fee", request: raw({ maxFeePerGas: 1n, maxPriorityFeePerGas: 1n }) },
  { label: "legacy gas price below the base fee", request: raw({ type: 0, gasPrice: 1n, maxFeePerGas: undefined, maxPriorityFeePerGas: undefined }) },
  {
    label: "bad signature",
    request: async (p) => {
      const [method, [signed]] = await raw({})(p);
      // s above secp256k1n/2: a malleable signature, which is invalid.
      return [method, [(signed as string).slice(0, -64) + "f".repeat(64)]];
    },
  },
  { label: "unknown transaction type", request: call("eth_sendRawTransaction", "0x1234") },
  { label: "eth_sendTransaction from an unknown account", request: call("eth_sendTransaction", { from: POOR.address, to: OTHER, value: "0x1" }) },
  { label: "eth_sendTransaction nonce too low", request: call("eth_sendTransaction", { from: SENDER, to: OTHER, nonce: "0x0" }) },
  { label: "eth_sendTransaction gas above the cap", request: call("eth_sendTransaction", { from: SENDER, to: OTHER, gas: "0x1312d00" }) },
  { label: "eth_sendTransaction intrinsic gas too low", request: call("eth_sendTransaction", { from: SENDER, to: OTHER, gas: "0x100" }) },
  { label: "eth_sendTransaction insufficient funds", request: call("eth_sendTransaction", { from: SENDER, to: OTHER, value: "0x" + (10n ** 30n).toString(16) }) },
  { label: "eth_sendTransaction fee cap below the base fee", request: call("eth_sendTransaction", { from: SENDER, to: OTHER, maxFeePerGas: "0x1", maxPriorityFeePerGas: "0x1" }) },
  { label: "a next timestamp in the past", request: call("evm_setNextBlockTimestamp", START - 100) },
  { label: "address too short", request: call("eth_getBalance", "0x123", "latest") },
  { label: "address with bad hex", request: call("eth_getBalance", "0xzz" + "0".repeat(38), "latest") },
  { label: "address not a string", request: call("eth_getBalance", 123, "latest") },
  { label: "missing params", request: call("eth_getBalance") },
  { label: "block tag with bad hex", request: call("eth_getBlockByNumber", "0xzz", false) },
  { label: "eth_getBlockByNumber without the full flag", request: call("eth_getBlockByNumber", "latest") },
  { label: "transaction hash of the wrong length", request: call("eth_getTransactionReceipt", "0x1234") },
  { label: "storage slot not hex", request: call("eth_getStorageAt", SENDER, "xyz", "latest") },
  { label: "eth_call without params", request: call("eth_call") },
  { label: "eth_call to a short address", request: call("eth_call", { to: "0x12" }, "latest") },
  { label: "evm_increaseTime with a word", request: call("evm_increaseTime", "abc") },
  { label: "hardhat_setBalance without 0x", request: call("hardhat_setBalance", SENDER, "12") },
  { label: "raw transaction with bad hex", request: call("eth_sendRawTransaction", "0xzz") },
  { label: "hardhat_mine with bad hex", request: call("hardhat_mine", "zz") },
  { label: "hardhat_setCode with odd hex", request: call("hardhat_setCode", SENDER, "0xz") },
  { label: "hardhat_impersonateAccount with a short address", request: call("hardhat_impersonateAccount", "0x12") },
  { label: "eth_getTransactionCount with a short address", request: call("eth_getTransactionCount", "0x12", "latest") },
  { label: "eth_getCode with a short address", request: call("eth_getCode", "0x12", "latest") },
  { label: "eth_getTransactionByHash with a short hash", request: call("eth_getTransactionByHash", "0x12") },
  { label: "eth_getBlockByHash with a short hash", request: call("eth_getBlockByHash", "0x12", false) },
  { label: "eth_estimateGas to a short address", request: call("eth_estimateGas", { to: "0x12" }) },
  { label: "eth_sendTransaction to a short address", request: call("eth_sendTransaction", { from: SENDER, to: "0x12" }) },
  { label: "hardhat_setNonce without 0x", request: call("hardhat_setNonce", SENDER, "12") },
  { label: "hardhat_setStorageAt with a short value", request: call("hardhat_setStorageAt", SENDER, "0x0", "0x01") },
  { label: "evm_setNextBlockTimestamp with a word", request: call("evm_setNextBlockTimestamp", "abc") },
  { label: "evm_mine with a word", request: call("evm_mine", "abc") },
];

/** Both networks at the same state: one block at a fixed timestamp, then every case. */
async function exercise(p: Rpc): Promise<{ outcomes: Outcome[]; changed: string[] }> {
  await p.request({ method: "evm_setNextBlockTimestamp", params: [START] });
  await p.request({ method: "eth_sendTransaction", params: [{ from: SENDER, to: OTHER, value: "0x1" }] });
  const outcomes: Outcome[] = [];
  const changed: string[] = [];
  for (const c of CASES) {
    const before = await observable(p);
    const [method, params] = await c.request(p);
    outcomes.push(await outcome(p, method, params));
    if (JSON.stringify(await observable(p)) !== JSON.stringify(before)) changed.push(c.label);
  }
  return { outcomes, changed };
}

describe("parallel network: bad input gets Hardhat's errors and changes nothing", function () {
  this.timeout(60_000);

  it("answers every bad request as Hardhat's network does", async function () {
    const edr = await exercise(await hardhatNetwork());
    const parallel = await parallelNetwork();
    try {
      const ours = await exercise(parallel);
      expect(edr.changed, "requests that changed Hardhat's network").to.deep.equal([]);
      expect(ours.changed, "requests that changed the parallel network").to.deep.equal([]);
      CASES.forEach((c, i) => {
        const [want, got] = [edr.outcomes[i], ours.outcomes[i]];
        expect("code" in want, `${c.label}: Hardhat's network answered ${JSON.stringify(want)}`).to.equal(true);
        expect(got, c.label).to.deep.equal(want);
      });
    } finally {
      await parallel.close();
    }
  });
});

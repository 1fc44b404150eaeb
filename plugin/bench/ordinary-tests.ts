/**
 * The "ordinary tests" workload of `parallel-bench --vs-hardhat`: what a
 * typical Hardhat test suite sends, one transaction per block. A fixture
 * (deploy a token, mint to a few signers) taken with evm_snapshot, then
 * `tests` tests that each start with loadFixture's evm_revert + evm_snapshot
 * and send automined transactions and calls with the request sequences
 * hardhat-ethers uses (recorded from hardhat-ethers 3 over Hardhat's network):
 *
 *   contract write: eth_blockNumber, eth_sendTransaction {gas},
 *                   eth_getTransactionByHash, eth_getTransactionReceipt
 *   contract read:  eth_call [{from, to, data}, "latest"]
 *
 * Run it over a provider with Hardhat's wrappers (what a user's hre.network
 * has), so fee filling happens the same way on both networks.
 */
import { Interface } from "ethers";
import { performance } from "node:perf_hooks";

import type { ArtifactReader, Eip1193Provider } from "../workloads";

export interface OrdinaryTestsResult {
  /** Wall time of the whole workload, fixture included, ms. */
  wallMs: number;
  /**
   * CPU time of the whole process over the workload (every thread: EDR's
   * native ones, the parallel network's workers), ms. Less moved than wall
   * time by other work on a shared machine.
   */
  cpuMs: number;
  requests: number;
  transactions: number;
  /** Status and gas of every receipt and every call's result, in order: both networks must agree. */
  outcomes: string[];
}

/** hardhat-ethers fills `gas` from the network config; on Hardhat's network (Osaka) that is the per-transaction cap. */
const GAS = "0x1000000";

export async function runOrdinaryTests(provider: Eip1193Provider, artifacts: ArtifactReader, tests: number): Promise<OrdinaryTestsResult> {
  let requests = 0;
  let transactions = 0;
  const outcomes: string[] = [];
  const rpc = async <T = unknown>(method: string, ...params: unknown[]): Promise<T> => {
    requests++;
    return (await provider.request({ method, params })) as T;
  };
  const send = async (from: string, to: string | undefined, data: string): Promise<string | null> => {
    await rpc("eth_blockNumber");
    const hash = await rpc<string>("eth_sendTransaction", { from, ...(to === undefined ? {} : { to }), data, gas: GAS });
    await rpc("eth_getTransactionByHash", hash);
    const receipt = await rpc<{ status: string; gasUsed: string; contractAddress: string | null }>("eth_getTransactionReceipt", hash);
    transactions++;
    outcomes.push(`${receipt.status}:${BigInt(receipt.gasUsed)}`);
    return receipt.contractAddress;
  };
  const call = async (from: string, to: string, data: string): Promise<string> => {
    const result = await rpc<string>("eth_call", { from, to, data }, "latest");
    outcomes.push(result);
    return result;
  };

  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const token = artifacts("TestToken");
  const abi = new Interface(token.abi);
  const signers = (await rpc<string[]>("eth_accounts")).slice(0, 5);
  const [owner, alice, bob] = signers;
  // The fixture, as loadFixture runs it the first time: deploy, set up, snapshot.
  const address = await send(owner, undefined, token.bytecode + abi.encodeDeploy(["Test", "TST", 18]).slice(2));
  if (address === null) throw new Error("ordinary-tests workload: the token deployment created no contract");
  await send(owner, address, abi.encodeFunctionData("batchMint", [signers, 10n ** 24n]));
  let snapshot = await rpc<string>("evm_snapshot");

  for (let t = 0; t < tests; t++) {
    // loadFixture after the first time: back to the fixture's state, and a new snapshot of it.
    await rpc("evm_revert", snapshot);
    snapshot = await rpc<string>("evm_snapshot");
    await call(alice, address, abi.encodeFunctionData("balanceOf", [alice]));
    await send(alice, address, abi.encodeFunctionData("transfer", [bob, 1000n + BigInt(t)]));
    await send(alice, address, abi.encodeFunctionData("approve", [bob, 10n ** 20n]));
    await send(bob, address, abi.encodeFunctionData("transferFrom", [alice, owner, 500n]));
    await call(bob, address, abi.encodeFunctionData("allowance", [alice, bob]));
    await call(owner, address, abi.encodeFunctionData("balanceOf", [owner]));
    await call(owner, address, abi.encodeFunctionData("totalSupply", []));
    // A test that expects a revert (transfer beyond the balance): the send fails, the chain moves on.
    await send(bob, address, abi.encodeFunctionData("transfer", [alice, 10n ** 30n])).catch((e: { message?: string }) => {
      outcomes.push(`reverted: ${/ERC20InsufficientBalance/.test(e.message ?? "") ? "ERC20InsufficientBalance" : "other"}`);
    });
    await rpc("eth_getBalance", alice, "latest");
  }
  const cpu = process.cpuUsage(cpuBefore);
  return { wallMs: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000, requests, transactions, outcomes };
}

/**
 * Runs the same JSON-RPC script on Hardhat's own network (EDR) and on the
 * parallel network, so tests can compare what each answers. Both are built
 * from this project's `hardhat` network config (same accounts, chain id,
 * hardfork) behind the same provider wrappers (networks.ts); transactions
 * carry explicit gas and fees, so both networks sign exactly the same
 * transactions and their hashes match.
 */
import { Interface } from "ethers";
import type { EIP1193Provider } from "hardhat/types";
import hre from "hardhat";

import { hardhatNetwork, outcomeOf, parallelNetwork as wrappedParallelNetwork } from "./networks";

export interface Net {
  name: "edr" | "parallel";
  provider: EIP1193Provider & { on(event: string, listener: (...args: unknown[]) => void): unknown };
  /** The request's result, or the error's {code, message, data} (the shape both networks share). */
  rpc(method: string, ...params: unknown[]): Promise<unknown>;
  /** Like rpc, but a failure throws. */
  call<T = unknown>(method: string, ...params: unknown[]): Promise<T>;
  /** Block hash -> number of every block this script saw mined (hashes differ between the networks; numbers do not). */
  blocks: Map<string, number>;
  close(): Promise<void>;
}

export async function edrNetwork(): Promise<Net> {
  const p = await hardhatNetwork();
  return wrap("edr", p as unknown as Net["provider"], () => p.close());
}

export async function parallelNetwork(): Promise<Net> {
  const p = await wrappedParallelNetwork();
  return wrap("parallel", p as unknown as Net["provider"], () => p.close());
}

function wrap(name: Net["name"], provider: Net["provider"], close: () => Promise<void>): Net {
  const net: Net = {
    name,
    provider,
    blocks: new Map(),
    close,
    call: async <T>(method: string, ...params: unknown[]) => (await provider.request({ method, params })) as T,
    rpc: (method: string, ...params: unknown[]) => outcomeOf(provider, method, ...params),
  };
  return net;
}

/** Records the hashes of blocks from..to (inclusive) so `normalize` can name them by number. */
export async function recordBlocks(net: Net, from?: number): Promise<void> {
  const latest = Number(await net.call<string>("eth_blockNumber"));
  for (let n = from ?? latest; n <= latest; n++) {
    const block = await net.call<{ hash: string }>("eth_getBlockByNumber", `0x${n.toString(16)}`, false);
    net.blocks.set(block.hash, n);
  }
}

/** Replaces block hashes the script saw by "block N", recursively, so two networks' answers compare equal. */
export function normalize(net: Net, value: unknown): unknown {
  if (typeof value === "string") return net.blocks.has(value) ? `block ${net.blocks.get(value)}` : value;
  if (Array.isArray(value)) return value.map((v) => normalize(net, v));
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(net, v)]));
  return value;
}

export const GAS = { gas: "0x200000", maxFeePerGas: "0x2540be400", maxPriorityFeePerGas: "0x3b9aca00" };

export function tokenInterface(): Interface {
  return new Interface(hre.artifacts.readArtifactSync("TestToken").abi);
}

/** Deploys TestToken from `from` (automine on); returns its address. */
export async function deployToken(net: Net, from: string): Promise<string> {
  const artifact = hre.artifacts.readArtifactSync("TestToken");
  const data = artifact.bytecode + tokenInterface().encodeDeploy(["Test", "TST", 6]).slice(2);
  const hash = await net.call<string>("eth_sendTransaction", { from, data, ...GAS });
  const receipt = await net.call<{ contractAddress: string }>("eth_getTransactionReceipt", hash);
  return receipt.contractAddress;
}

/** Runs `script` on both networks and returns what each produced. */
export async function onBoth<T>(script: (net: Net) => Promise<T>): Promise<{ edr: T; parallel: T }> {
  const edr = await edrNetwork();
  const parallel = await parallelNetwork();
  try {
    return { edr: await script(edr), parallel: await script(parallel) };
  } finally {
    await edr.close();
    await parallel.close();
  }
}

export const tick = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

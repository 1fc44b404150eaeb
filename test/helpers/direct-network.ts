/**
 * A parallel network built directly (no Hardhat config, no provider
 * wrappers) over seeded test accounts, for tests of the network itself, and
 * the failure helper they share.
 */
import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";
import { parseEther } from "ethers";

import type { ParallelOptions } from "../../plugin/engine/parallel";
import { ParallelNetworkProvider, RpcError } from "../../plugin/network/provider";
import type { NetworkOptions } from "../../plugin/network/provider";
import type { testAccounts } from "../../plugin/workloads/accounts";
import { workloadChainCommon } from "../../plugin/workloads/signer";

export const TEST_COINBASE = "0xc014ba5ec014ba5ec014ba5ec014ba5ec014ba5e";

export interface DirectNetworkOptions {
  accounts: ReturnType<typeof testAccounts>;
  parallel: ParallelOptions & { enabled: boolean };
  /** Ether each account starts with (default 100). */
  balance?: string;
  /** Further genesis accounts (same balance). */
  alsoFunded?: string[];
  /** Anything else of the network's options. */
  overrides?: Partial<NetworkOptions>;
}

export function directNetwork(o: DirectNetworkOptions): ParallelNetworkProvider {
  const balance = parseEther(o.balance ?? "100");
  return new ParallelNetworkProvider({
    common: workloadChainCommon(),
    genesisAccounts: [...o.accounts.map((a) => a.address.toString()), ...(o.alsoFunded ?? [])].map((address) => ({ address, balance })),
    localAccounts: o.accounts.map((a) => bytesToHex(a.privateKey)),
    blockGasLimit: 30_000_000n,
    initialBaseFeePerGas: 1_000_000_000n,
    coinbase: TEST_COINBASE,
    genesisTimestamp: 1_700_000_000n,
    automine: true,
    clientVersion: "HardhatParallel/test",
    parallel: o.parallel,
    ...o.overrides,
  });
}

/** The RpcError a request fails with (the test fails if it succeeds or fails otherwise). */
export async function rpcError(p: Promise<unknown>): Promise<RpcError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(RpcError);
    return e as RpcError;
  }
  throw new Error("expected the request to fail");
}

/**
 * The accounts the network sends and signs for: the local ones (the
 * configured keys) and the impersonated ones (hardhat_impersonateAccount,
 * which send without a key).
 */
import { bytesToHex, hexToBytes, privateToAddress } from "@ethereumjs/util";
import { Wallet, getAddress } from "ethers";

import { EMPTY_CODE_HASH } from "../engine/flat-state";
import type { AccountInfo } from "../engine/types";
import { RpcError } from "./errors";
import { parseAddress } from "./params";

/** What an address the state does not hold reads as. */
export const EMPTY_ACCOUNT: AccountInfo = { nonce: 0n, codeHash: EMPTY_CODE_HASH, hasStorage: false };

export class Accounts {
  /** Keys of the local accounts, by lowercase address. */
  private readonly signers = new Map<string, Uint8Array>();
  /** Accounts eth_sendTransaction may send from without a key (hardhat_impersonateAccount). */
  readonly impersonated = new Set<string>();

  /** `localAccounts`: private keys (0x hex). */
  constructor(localAccounts: string[]) {
    for (const key of localAccounts) {
      const bytes = hexToBytes(key as `0x${string}`);
      this.signers.set(bytesToHex(privateToAddress(bytes)), bytes);
    }
  }

  /** The local accounts' addresses (eth_accounts). */
  get local(): string[] {
    return [...this.signers.keys()];
  }

  /** A local account's key, or undefined. */
  keyOf(address: string): Uint8Array | undefined {
    return this.signers.get(address);
  }

  /** A local account's key as an ethers wallet, for the signing methods. */
  wallet(address: unknown): Wallet {
    const a = parseAddress(address);
    const key = this.signers.get(a);
    if (key === undefined) throw new RpcError(-32000, `Unknown account ${getAddress(a)}`);
    return new Wallet(bytesToHex(key));
  }
}

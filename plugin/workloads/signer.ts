/**
 * Signing workload transactions. Setup plus a measured block can mean tens of
 * thousands of signatures; pure-JS signing costs about 1 ms each here, the
 * `secp256k1` addon (already in Hardhat's dependency tree) a few
 * microseconds. Both use RFC 6979 nonces, so a workload's transactions (and
 * hashes) are the same whichever signs them.
 */
import type { Common } from "@ethereumjs/common";
import { Hardfork, Mainnet, createCustomCommon } from "@ethereumjs/common";
import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import type { FeeMarket1559Tx } from "@ethereumjs/tx";
import { Address, concatBytes, hexToBytes } from "@ethereumjs/util";

import { nativeSecp256k1 } from "../engine/crypto";
import type { TestAccount } from "./accounts";

const nativeSign = nativeSecp256k1?.ecdsaSign;

/** Signature in the "recovered" layout @ethereumjs/tx expects from customCrypto.ecsign: recovery byte, r, s. */
function nativeEcsign(msgHash: Uint8Array, privateKey: Uint8Array): Uint8Array {
  const { signature, recid } = nativeSign!(msgHash, privateKey);
  return concatBytes(Uint8Array.of(recid), signature);
}

/** Hardhat's default chain id: generated blocks are valid on Hardhat's own network as they are. */
export const WORKLOAD_CHAIN_ID = 31337n;
/** Hardhat 2.29's default hardfork. */
export const WORKLOAD_HARDFORK = Hardfork.Osaka;

/** The chain workloads are signed for (Hardhat's chain id and default hardfork). */
export function workloadChainCommon(chainId = WORKLOAD_CHAIN_ID, hardfork: string = WORKLOAD_HARDFORK): Common {
  return createCustomCommon({ chainId: Number(chainId) }, Mainnet, { hardfork, customCrypto: nativeSigning() });
}

/** A Common's `customCrypto` that signs with the native addon when it loaded (nothing else changes). */
export function nativeSigning(): Common["customCrypto"] {
  return nativeSign === undefined ? {} : { ecsign: nativeEcsign as unknown as NonNullable<Common["customCrypto"]["ecsign"]> };
}

/**
 * Fees of every workload transaction. The cap is far above any base fee a
 * test chain reaches (Hardhat starts at 1 gwei and only lowers it for blocks
 * under half full); the tip is the same for every transaction, so Hardhat's
 * mempool (ordered by tip, then arrival) keeps the order they are sent in.
 */
export const WORKLOAD_FEES = { maxFeePerGas: 20_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n } as const;

export interface TxRequest {
  from: TestAccount;
  /** 0x-prefixed; absent for a contract creation. */
  to?: string;
  /** 0x-prefixed calldata (or init code for a creation). */
  data?: string;
  value?: bigint;
  gasLimit: bigint;
  /** What the transaction does, e.g. "amm: swap T3->T4"; shown in errors and reports. */
  label: string;
}

/** Signs requests in order, keeping each account's next nonce. */
export class TxSigner {
  private readonly nonces = new Map<string, bigint>();

  constructor(readonly common: Common) {}

  nextNonce(account: TestAccount): bigint {
    return this.nonces.get(account.hex) ?? 0n;
  }

  sign(req: TxRequest): FeeMarket1559Tx {
    const nonce = this.nextNonce(req.from);
    this.nonces.set(req.from.hex, nonce + 1n);
    return createFeeMarket1559Tx(
      {
        nonce,
        ...WORKLOAD_FEES,
        gasLimit: req.gasLimit,
        to: req.to === undefined ? undefined : new Address(hexToBytes(req.to as `0x${string}`)),
        value: req.value ?? 0n,
        data: req.data === undefined ? new Uint8Array() : hexToBytes(req.data as `0x${string}`),
        chainId: this.common.chainId(),
      },
      { common: this.common },
    ).sign(req.from.privateKey);
  }
}

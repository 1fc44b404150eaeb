/**
 * RIP-7212's P256VERIFY precompile: verifies a secp256r1 (P-256) ECDSA
 * signature at address 0x100 for 3,450 gas. Rollups ship it, and Hardhat's
 * network adds it on request (`enableRip7212`). Osaka later made the same
 * interface part of Ethereum as EIP-7951, with a gas cost of 6,900;
 * @ethereumjs has that one built in, so this precompile is only installed on
 * hardforks before it (tx-executor.ts).
 *
 * Input: 160 bytes, message hash | r | s | public key x | public key y.
 * Output: the word 1 for a valid signature, nothing otherwise (never a
 * failure, except running out of gas). The signature is checked exactly as
 * ECDSA defines it: r and s in [1, n-1], the key a point on the curve, no
 * low-s rule, and the hash used as is (not hashed again).
 */
import { EVMError } from "@ethereumjs/evm";
import type { ExecResult, PrecompileInput } from "@ethereumjs/evm";
import { bytesToBigInt } from "@ethereumjs/util";
import { p256 } from "@noble/curves/nist.js";

export const P256_VERIFY_ADDRESS = "0x0000000000000000000000000000000000000100";

/** RIP-7212's price; EIP-7951 (Osaka) doubled it. */
export const RIP7212_GAS = 3_450n;

const INPUT_LENGTH = 160;
/** Order of the P-256 group (n) and its field modulus (p). */
const N = p256.Point.CURVE().n;
const P = p256.Point.CURVE().p;

const VALID = (() => {
  const word = new Uint8Array(32);
  word[31] = 1;
  return word;
})();

/** Whether a 160-byte P256VERIFY input holds a valid signature. */
export function verifyP256(input: Uint8Array): boolean {
  if (input.length !== INPUT_LENGTH) return false;
  const r = bytesToBigInt(input.subarray(32, 64));
  const s = bytesToBigInt(input.subarray(64, 96));
  const x = bytesToBigInt(input.subarray(96, 128));
  const y = bytesToBigInt(input.subarray(128, 160));
  if (r === 0n || r >= N || s === 0n || s >= N || x >= P || y >= P) return false;
  try {
    const key = p256.Point.fromAffine({ x, y });
    key.assertValidity(); // on the curve, and not the point at infinity
    return p256.verify(input.subarray(32, 96), input.subarray(0, 32), key.toBytes(false), { prehash: false, lowS: false });
  } catch {
    return false;
  }
}

/** The precompile, in @ethereumjs's `customPrecompiles` form. */
export function rip7212P256Verify(opts: PrecompileInput): ExecResult {
  if (opts.gasLimit < RIP7212_GAS) {
    return { returnValue: new Uint8Array(0), executionGasUsed: opts.gasLimit, exceptionError: new EVMError(EVMError.errorMessages.OUT_OF_GAS) };
  }
  return { executionGasUsed: RIP7212_GAS, returnValue: verifyP256(opts.data) ? VALID.slice() : new Uint8Array(0) };
}

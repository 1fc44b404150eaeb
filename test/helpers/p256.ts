/**
 * P256VERIFY test material (precompile at 0x100: RIP-7212 before Osaka,
 * EIP-7951 on it): inputs of one fixed key, valid and not, and a contract
 * that calls the precompile.
 */
import { bigIntToBytes, bytesToHex, concatBytes, setLengthLeft } from "@ethereumjs/util";
import { p256 } from "@noble/curves/nist.js";

export const P256_VERIFY = "0x0000000000000000000000000000000000000100";
const N = p256.Point.CURVE().n;
export const word = (n: bigint) => setLengthLeft(bigIntToBytes(n), 32);

/** P256VERIFY inputs (hash | r | s | x | y) of one fixed key, valid and not. */
export function p256Inputs(): Record<string, string> {
  const secret = new Uint8Array(32).fill(7);
  const key = p256.getPublicKey(secret, false).subarray(1);
  const hash = new Uint8Array(32).fill(9);
  const signature = p256.sign(hash, secret, { prehash: false });
  const r = signature.subarray(0, 32);
  const s = BigInt(bytesToHex(signature.subarray(32)));
  const offCurve = Uint8Array.from(key);
  offCurve[63] ^= 1;
  const input = (...parts: Uint8Array[]) => bytesToHex(concatBytes(...parts));
  return {
    valid: input(hash, r, word(s), key),
    // The same signature with s replaced by n - s: valid too (no low-s rule).
    validHighS: input(hash, r, word(N - s), key),
    otherHash: input(new Uint8Array(32).fill(8), r, word(s), key),
    zeroR: input(hash, new Uint8Array(32), word(s), key),
    sIsOrder: input(hash, r, word(N), key),
    keyOffCurve: input(hash, r, word(s), offCurve),
    short: input(hash, r, word(s), key).slice(0, -2),
  };
}

/**
 * Runtime code that passes its calldata to P256VERIFY three times (so its
 * gas shows above the calldata floor of EIP-7623), logs what the last call
 * returned and returns it.
 */
export function p256CallerCode(): string {
  const call = "6020" + "60a0" + "36" + "6000" + "610100" + "5a" + "fa" + "50"; // STATICCALL(gas, 0x100, 0, size, 0xa0, 32), POP
  const copyCalldata = "36" + "6000" + "6000" + "37"; // CALLDATACOPY(0, 0, size)
  const keepReturned = "3d" + "6000" + "60a0" + "3e"; // RETURNDATACOPY(0xa0, 0, returndatasize)
  return "0x" + copyCalldata + call.repeat(3) + keepReturned + "3d60a0a0" /* LOG0 */ + "3d60a0f3" /* RETURN */;
}


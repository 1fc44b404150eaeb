/**
 * keccak-256 for the hot paths (trie nodes, storage keys, the EVM's SHA3,
 * logs blooms, transaction hashes). The `keccak` package's native addon
 * (prebuilt, also in Hardhat's dependency tree) hashed a 532-byte branch node
 * about 4x faster than the pure-JS @noble/hashes here (6 us against 26 us),
 * and a 32-byte key about 1.3x faster. If the addon cannot load, @noble/hashes
 * is used: same results, only slower.
 */
import { keccak_256 } from "@noble/hashes/sha3.js";

type NativeHash = (data: Uint8Array) => Uint8Array;

function loadNative(): NativeHash | undefined {
  try {
    // The bindings entry throws when the addon is absent (instead of falling back to JS).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const create = require("keccak/bindings") as (algorithm: string) => { update(b: Buffer): { digest(): Buffer } };
    return (data) => create("keccak256").update(Buffer.from(data.buffer, data.byteOffset, data.byteLength)).digest();
  } catch {
    return undefined;
  }
}

const native = loadNative();

export const keccak256: (data: Uint8Array) => Uint8Array = native ?? ((data) => keccak_256(data));
export const hasNativeKeccak = native !== undefined;

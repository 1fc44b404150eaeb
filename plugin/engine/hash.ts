/**
 * keccak-256 for the hot paths (trie nodes, storage keys, the EVM's SHA3,
 * logs blooms, transaction hashes). The native Keccak state of the `keccak`
 * package (a prebuilt addon, also in Hardhat's dependency tree) is used
 * directly: its public wrapper builds a stream object per hash, which cost
 * more than the hashing. Measured here: a 532-byte branch node in about 6 us
 * against 26 us with the pure-JS @noble/hashes. If the addon cannot load, or
 * fails the self-test below, @noble/hashes is used: same results, slower.
 */
import { keccak_256 } from "@noble/hashes/sha3.js";
import path from "node:path";

interface KeccakState {
  initialize(rate: number, capacity: number): void;
  absorb(data: Buffer): void;
  absorbLastFewBits(bits: number): void;
  squeeze(length: number): Buffer;
}

function loadNative(): ((data: Uint8Array) => Uint8Array) | undefined {
  try {
    const dir = path.dirname(require.resolve("keccak/package.json"));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const gypBuild = require(require.resolve("node-gyp-build", { paths: [dir] })) as (d: string) => unknown;
    const State = gypBuild(dir) as new () => KeccakState;
    if (typeof State !== "function") return undefined;
    const state = new State();
    // Keccak-256: rate 1088 bits, capacity 512, original Keccak padding (0x01).
    const hash = (data: Uint8Array): Uint8Array => {
      state.initialize(1088, 512);
      state.absorb(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      state.absorbLastFewBits(0x01);
      return state.squeeze(32);
    };
    const probe = Uint8Array.from({ length: 200 }, (_, i) => i);
    if (Buffer.compare(Buffer.from(hash(probe)), Buffer.from(keccak_256(probe))) !== 0) return undefined;
    return hash;
  } catch {
    return undefined;
  }
}

const native = loadNative();

export const keccak256: (data: Uint8Array) => Uint8Array = native ?? ((data) => keccak_256(data));
export const hasNativeKeccak = native !== undefined;

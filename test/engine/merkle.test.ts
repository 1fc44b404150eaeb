/**
 * The project's root-only trie against @ethereumjs/mpt on random inserts,
 * overwrites and deletions, with hashed (32-byte) and short RLP keys.
 */
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { RLP } from "@ethereumjs/rlp";
import { bytesToHex } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { expect } from "chai";

import { MerkleTrie } from "../../plugin/engine/merkle";
import { prng } from "../../plugin/workloads/prng";

describe("MerkleTrie (root-only persistent trie)", function () {
  for (const keyKind of ["hashed", "rlp-index"] as const) {
    it(`matches @ethereumjs/mpt roots with ${keyKind} keys over random updates`, async function () {
      for (let seed = 1; seed <= 12; seed++) {
        const rand = prng(seed);
        const reference = new MerklePatriciaTrie();
        let ours = MerkleTrie.empty();
        const keys: Uint8Array[] = [];
        for (let step = 0; step < 300; step++) {
          const reuse = keys.length > 0 && rand() < 0.4;
          const key = reuse
            ? keys[Math.floor(rand() * keys.length)]
            : keyKind === "hashed"
              ? keccak_256(Uint8Array.of(seed, step & 255, step >> 8))
              : RLP.encode(Math.floor(rand() * 2000));
          if (!reuse) keys.push(key);
          if (rand() < 0.25) {
            await reference.del(key);
            ours = ours.update([[key, undefined]]);
          } else {
            // Up to 300 bytes: short and long RLP strings, one-byte values below 0x80, and nodes both embedded and hashed.
            const value = RLP.encode(Uint8Array.from({ length: 1 + Math.floor(rand() * (rand() < 0.7 ? 40 : 300)) }, () => Math.floor(rand() * 256)));
            await reference.put(key, value);
            ours = ours.update([[key, value]]);
          }
          if (step % 25 === 0 || step === 299) {
            expect(bytesToHex(ours.root()), `seed ${seed} step ${step}`).to.equal(bytesToHex(reference.root()));
          }
        }
      }
    });
  }

  it("matches @ethereumjs/mpt when many keys are updated in one batch", async function () {
    for (let seed = 1; seed <= 6; seed++) {
      const rand = prng(100 + seed);
      const reference = new MerklePatriciaTrie();
      let ours = MerkleTrie.empty();
      const keys = Array.from({ length: 400 }, (_, i) => keccak_256(Uint8Array.of(seed, i & 255, i >> 8)));
      for (let round = 0; round < 5; round++) {
        const batch: [Uint8Array, Uint8Array | undefined][] = [];
        for (let i = 0; i < 150; i++) {
          const key = keys[Math.floor(rand() * keys.length)];
          const value = rand() < 0.2 ? undefined : RLP.encode(Math.floor(rand() * 1e9));
          batch.push([key, value]);
          if (value === undefined) await reference.del(key);
          else await reference.put(key, value);
        }
        const before = bytesToHex(ours.root());
        const next = ours.update(batch);
        expect(bytesToHex(ours.root()), "the old trie must not change").to.equal(before);
        ours = next;
        expect(bytesToHex(ours.root()), `seed ${seed} round ${round}`).to.equal(bytesToHex(reference.root()));
      }
    }
  });

  it("leaves the original trie unchanged after an update", function () {
    const a = MerkleTrie.empty().update([[keccak_256(Uint8Array.of(1)), RLP.encode(1)]]);
    const before = bytesToHex(a.root());
    const b = a.update([[keccak_256(Uint8Array.of(2)), RLP.encode(2)]]);
    expect(bytesToHex(a.root())).to.equal(before);
    expect(bytesToHex(b.root())).to.not.equal(before);
  });
});

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
            const value = RLP.encode(Uint8Array.from({ length: 1 + Math.floor(rand() * 40) }, () => Math.floor(rand() * 256)));
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

  it("leaves the original trie unchanged after an update", function () {
    const a = MerkleTrie.empty().update([[keccak_256(Uint8Array.of(1)), RLP.encode(1)]]);
    const before = bytesToHex(a.root());
    const b = a.update([[keccak_256(Uint8Array.of(2)), RLP.encode(2)]]);
    expect(bytesToHex(a.root())).to.equal(before);
    expect(bytesToHex(b.root())).to.not.equal(before);
  });
});

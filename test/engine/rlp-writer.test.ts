/**
 * The in-place RLP writer against @ethereumjs's encoders, on random values
 * of the shapes the engine writes: nested items, integers, receipts and
 * account leaves.
 */
import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { RLP } from "@ethereumjs/rlp";
import { createAccessList2930Tx, createBlob4844Tx, createEOACode7702Tx, createFeeMarket1559Tx, createLegacyTx } from "@ethereumjs/tx";
import { Account, bigIntToUnpaddedBytes, bytesToHex } from "@ethereumjs/util";
import { encodeReceipt as ethereumjsEncodeReceipt } from "@ethereumjs/vm";
import { expect } from "chai";

import { encodeReceipt } from "../../plugin/engine/block-result";
import { loadKzg } from "../../plugin/engine/crypto";
import { serializeTx } from "../../plugin/engine/prepare";
import { encodeRlp, unpaddedBytes } from "../../plugin/engine/rlp-writer";
import type { RlpItem } from "../../plugin/engine/rlp-writer";
import { encodeAccount } from "../../plugin/engine/state-root";
import type { LogEntry } from "../../plugin/engine/types";
import { prng } from "../../plugin/workloads/prng";

type Rand = () => number;

/** Lengths around every RLP boundary: one byte below 0x80, 55/56 bytes, 255/256 and 65,535/65,536 bytes. */
const LENGTHS = [0, 1, 2, 31, 32, 55, 56, 57, 255, 256, 1024, 65535, 65536];

function randomBytes(rand: Rand, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(rand() * 256);
  // Single bytes below and above 0x80 are encoded differently.
  if (length === 1 && rand() < 0.5) out[0] &= 0x7f;
  return out;
}

function randomItem(rand: Rand, depth: number): RlpItem {
  if (depth === 0 || rand() < 0.5) return randomBytes(rand, LENGTHS[Math.floor(rand() * (rand() < 0.9 ? 9 : LENGTHS.length))]);
  const n = Math.floor(rand() * (rand() < 0.8 ? 6 : 40));
  return Array.from({ length: n }, () => randomItem(rand, depth - 1));
}

function randomBigint(rand: Rand): bigint {
  const bytes = Math.floor(rand() * 33);
  let v = 0n;
  for (let i = 0; i < bytes; i++) v = (v << 8n) | BigInt(Math.floor(rand() * 256));
  return v;
}

function randomLogs(rand: Rand): LogEntry[] {
  return Array.from({ length: Math.floor(rand() * 4) }, () => [
    randomBytes(rand, 20),
    Array.from({ length: Math.floor(rand() * 5) }, () => randomBytes(rand, 32)),
    randomBytes(rand, LENGTHS[Math.floor(rand() * 10)]),
  ]);
}

describe("RLP writer (in-place encoding)", function () {
  it("encodes random nested items as @ethereumjs/rlp does", function () {
    const rand = prng(7);
    for (let i = 0; i < 400; i++) {
      const item = randomItem(rand, 3);
      expect(bytesToHex(encodeRlp(item)), `item ${i}`).to.equal(bytesToHex(RLP.encode(item as Uint8Array)));
    }
  });

  it("writes integers without leading zeros, 0 as the empty string, and refuses negatives", function () {
    const rand = prng(8);
    const edges = [0n, 1n, 0x7fn, 0x80n, 0xffn, 0x100n, 0xffffffffn, 0x100000000n, 2n ** 255n, 2n ** 256n - 1n];
    for (const v of [...edges, ...Array.from({ length: 300 }, () => randomBigint(rand))]) {
      expect(bytesToHex(unpaddedBytes(v)), `${v}`).to.equal(bytesToHex(bigIntToUnpaddedBytes(v)));
    }
    expect(() => unpaddedBytes(-1n)).to.throw(RangeError, /not negative/);
  });

  it("encodes receipts as @ethereumjs/vm's encodeReceipt, for every tx type", function () {
    const rand = prng(9);
    for (let i = 0; i < 300; i++) {
      const receipt = { status: (rand() < 0.8 ? 1 : 0) as 0 | 1, bloom: randomBytes(rand, 256), logs: randomLogs(rand) };
      const cumulative = i === 0 ? 0n : randomBigint(rand) % 2n ** 64n;
      const type = (i % 5) as Parameters<typeof ethereumjsEncodeReceipt>[1];
      const expected = ethereumjsEncodeReceipt({ status: receipt.status, cumulativeBlockGasUsed: cumulative, bitvector: receipt.bloom, logs: receipt.logs }, type);
      expect(bytesToHex(encodeReceipt(receipt, cumulative, type)), `receipt ${i}`).to.equal(bytesToHex(expected));
    }
  });

  it("encodes account leaves as @ethereumjs/util's Account.serialize", function () {
    const rand = prng(10);
    for (let i = 0; i < 300; i++) {
      const nonce = i < 3 ? BigInt(i) : randomBigint(rand) % 2n ** 64n;
      const balance = randomBigint(rand);
      const storageRoot = randomBytes(rand, 32);
      const codeHash = randomBytes(rand, 32);
      const expected = new Account(nonce, balance, storageRoot, codeHash).serialize();
      expect(bytesToHex(encodeAccount(nonce, balance, storageRoot, bytesToHex(codeHash))), `account ${i}`).to.equal(bytesToHex(expected));
    }
  });

  it("writes every transaction type's bytes as tx.serialize() does", function () {
    const rand = prng(11);
    const common = new Common({ chain: Mainnet, hardfork: Hardfork.Prague, customCrypto: { kzg: loadKzg() } });
    const key = randomBytes(rand, 32);
    key[0] = 1;
    for (let i = 0; i < 60; i++) {
      const base = {
        nonce: randomBigint(rand) % 2n ** 64n,
        gasLimit: 21_000n + (randomBigint(rand) % 2n ** 24n),
        to: bytesToHex(randomBytes(rand, 20)),
        value: randomBigint(rand),
        data: randomBytes(rand, LENGTHS[Math.floor(rand() * 10)]),
        chainId: 1n,
      };
      const fees = { maxFeePerGas: 10n ** 9n + (randomBigint(rand) % 2n ** 40n), maxPriorityFeePerGas: randomBigint(rand) % 2n ** 30n };
      const accessList = rand() < 0.5 ? [] : [{ address: bytesToHex(randomBytes(rand, 20)), storageKeys: [bytesToHex(randomBytes(rand, 32))] }];
      const txs = [
        createLegacyTx({ ...base, gasPrice: 10n ** 9n }, { common }),
        createAccessList2930Tx({ ...base, gasPrice: 10n ** 9n, accessList }, { common }),
        createFeeMarket1559Tx({ ...base, ...fees, accessList }, { common }),
        createBlob4844Tx({ ...base, ...fees, accessList, maxFeePerBlobGas: 1n, blobVersionedHashes: [bytesToHex(Uint8Array.of(1, ...randomBytes(rand, 31)))] }, { common }),
        createEOACode7702Tx({ ...base, ...fees, accessList, authorizationList: [{ chainId: "0x1", address: bytesToHex(randomBytes(rand, 20)), nonce: "0x0", yParity: "0x1", r: bytesToHex(randomBytes(rand, 32)), s: bytesToHex(randomBytes(rand, 32)) }] }, { common }),
      ];
      for (const tx of txs) {
        for (const t of [tx, tx.sign(key)]) expect(bytesToHex(serializeTx(t)), `type ${t.type}, case ${i}`).to.equal(bytesToHex(t.serialize()));
      }
    }
  });
});

/**
 * Contract creation is not a storage wipe. @ethereumjs clears the storage of
 * every address a CREATE deploys to; recorded as a wipe, each creation made
 * every executed tx above it re-validate (a wipe is indexed by account, not
 * by slot). Only an address whose storage may be non-empty needs one
 * (tx-state.ts, storageKnownEmpty). A block of deployments and calls to the
 * contracts it deploys must write no wipe, equal sequential execution at 1,
 * 2 and 4 workers. (On this block, before the change, 3 rounds averaged 84
 * validations at 2 workers and 110 at 4; after it, 65 and 77.)
 */
import { expect } from "chai";

import { bytesToUnprefixedHex, concatBytes, createAddressFromPrivateKey, createContractAddress, intToBytes, utf8ToBytes } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";

import { FlatState } from "../../plugin/engine/flat-state";
import { kindOf, storageKey } from "../../plugin/engine/location";
import type { ParallelBlockInput } from "../../plugin/engine/parallel";
import { executeBlockSequential } from "../../plugin/engine/sequential";
import { assertParallelMatchesSequential, closeExecutors, makeExecutors, warmUpExecutors } from "../helpers/oracle";
import { CONTRACTS, INIT_CODES, STORE_RUNTIME, codeHashOf, oneTxPerSender, word } from "../helpers/random-block";

const LABEL = "creations";
const TXS = 48;

function senderAddress(i: number) {
  return createAddressFromPrivateKey(keccak_256(concatBytes(utf8ToBytes(LABEL), intToBytes(i + 1))));
}

/** STORE's calldata: mode 0 adds inc to storage[slot]. */
function increment(slot: number, inc: number): Uint8Array {
  return word((BigInt(inc - 1) << 16n) | BigInt(slot));
}

/**
 * Txs 3k deploy STORE (its constructor writes storage[0] = value + 1 and
 * storage[2]); txs 3k + 1 call the contract tx 3k deployed, adding to its
 * slot 0; txs 3k + 2 add to slot k % 4 of a STORE that exists before the
 * block. The first deployment lands on an address that already holds a
 * balance (an account without code or storage).
 */
function deploymentsBlock(): { input: ParallelBlockInput; deployed: string[] } {
  const pre = new FlatState();
  pre.setAccount(CONTRACTS.store1.addr, { nonce: 1n, code: STORE_RUNTIME, codeHash: codeHashOf(STORE_RUNTIME) });
  const deployed: string[] = [];
  const calls = Array.from({ length: TXS }, (_, i) => {
    const k = Math.floor(i / 3);
    if (i % 3 === 0) {
      deployed.push(bytesToUnprefixedHex(createContractAddress(senderAddress(i), 0n).bytes));
      return { to: undefined, data: INIT_CODES.store, value: BigInt(10 + k), gasLimit: 300_000n };
    }
    if (i % 3 === 1) return { to: deployed[k], data: increment(0, 5), gasLimit: 100_000n };
    return { to: CONTRACTS.store1.addr, data: increment(k % 4, 1), gasLimit: 100_000n };
  });
  pre.setAccount(deployed[0], { balance: 1_000n });
  return { input: oneTxPerSender(LABEL, pre, calls), deployed };
}

describe("contract creations are not storage wipes", function () {
  this.timeout(120_000);
  const { input, deployed } = deploymentsBlock();

  it("sequentially: every deployment succeeds, no write set holds a wipe, the diff wipes nothing", async function () {
    const seq = await executeBlockSequential(input);
    expect(seq.receipts.map((r) => r.status)).to.deep.equal(new Array(TXS).fill(1));
    expect(seq.receipts.filter((r) => r.createdAddress !== undefined).map((r) => r.createdAddress!.slice(2))).to.deep.equal(deployed);
    const wipes = seq.writeSets.flatMap((w, tx) => w.writes.filter((x) => kindOf(x.key) === "wipe").map((x) => `tx ${tx}: ${x.key}`));
    expect(wipes).to.deep.equal([]);
    expect([...seq.diff.wiped]).to.deep.equal([]);
    // Each deployed STORE holds its constructor's slot 0 (value + 1) plus the call's 5.
    deployed.forEach((addr, k) => expect(seq.diff.entries.get(storageKey(addr, "00".repeat(32))), `slot 0 of 0x${addr}`).to.equal(BigInt(10 + k) + 1n + 5n));
    // The pre-funded address keeps its balance (the deployment's value adds to it) and gets code.
    expect(seq.diff.entries.get("b" + deployed[0])).to.equal(1_010n);
  });

  describe("in parallel", function () {
    const WORKERS = [1, 2, 4];
    let executors: Awaited<ReturnType<typeof makeExecutors>> | undefined;
    before(async function () {
      executors = makeExecutors(WORKERS, { jitter: [0xc4ea7e, 300] });
      await warmUpExecutors(executors, input);
    });
    after(async function () {
      await closeExecutors(executors);
    });

    it("equals sequential at 1, 2 and 4 workers, and no incarnation that committed wrote a wipe (so none re-validated every tx above it)", async function () {
      for (let round = 0; round < 3; round++) {
        const { parallel } = await assertParallelMatchesSequential(input, { workers: WORKERS, executors, label: `round ${round}` });
        for (const run of parallel) {
          // The coordinator re-validates every executed tx above a writer only
          // for a changed wipe location (test/engine/coordinator.test.ts).
          const wipes = run.result.writeSets.flatMap((w, tx) => w.writes.filter((x) => kindOf(x.key) === "wipe").map(() => tx));
          expect(wipes, `txs writing a wipe @${run.workers}w round ${round}`).to.deep.equal([]);
        }
      }
    });
  });
});

/**
 * An ESTIMATE hit where @ethereumjs swallows exceptions. The EVM wraps a call
 * frame's value transfer (debiting the caller, crediting the recipient) in
 * try/catch and turns whatever it throws into a failed call, so an EstimateHit
 * thrown from a state read there does not unwind runTx: the transaction
 * "completes", as a failed transfer (a plain transfer) or with a failed inner
 * call that its caller records (FORWARDER stores the call's success flag).
 * The incarnation must still be reported as blocked and re-run, never
 * committed.
 *
 * The test hook `forceEstimate` (plugin/engine/test-hooks.ts) makes the n-th
 * access of one location in one tx's first incarnation hit an ESTIMATE. The
 * probe below first finds, by running runTx directly, the accesses whose
 * EstimateHit the EVM swallows, so the tests do not depend on how many times
 * @ethereumjs happens to read a location.
 */
import { expect } from "chai";

import { runTx } from "@ethereumjs/vm";
import { bytesToUnprefixedHex, createAddressFromPrivateKey } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { concatBytes, intToBytes, utf8ToBytes } from "@ethereumjs/util";

import { BlockOverlay } from "../../plugin/engine/block-overlay";
import { FlatState } from "../../plugin/engine/flat-state";
import { balanceKey, describeLocation, infoKey } from "../../plugin/engine/location";
import { ParallelExecutor } from "../../plugin/engine/parallel";
import type { ParallelBlockInput } from "../../plugin/engine/parallel";
import { TxExecutor } from "../../plugin/engine/tx-executor";
import { EstimateHit } from "../../plugin/engine/tx-state";
import type { LocationKey, TxIndex } from "../../plugin/engine/types";
import { ORACLE_EXECUTOR_OPTIONS, assertParallelMatchesSequential } from "../helpers/oracle";
import { CONTRACTS, ETHER, FORWARDER_RUNTIME, codeHashOf, common, oneTxPerSender, word } from "../helpers/random-block";

const LABEL = "forced-estimate";
const RECIPIENT = "e1".repeat(20);
const INNER_RECIPIENT = "e2".repeat(20);
const FORWARDER = CONTRACTS.forwarder1.addr;
/** tx 5: a plain value transfer; tx 6: FORWARDER forwarding value to an EOA in a call frame. */
const TRANSFER_TX = 5;
const FRAME_TX = 6;

function senderOf(i: number): string {
  return bytesToUnprefixedHex(createAddressFromPrivateKey(keccak_256(concatBytes(utf8ToBytes(LABEL), intToBytes(i + 1)))).bytes);
}

function forcedBlock(): ParallelBlockInput {
  const pre = new FlatState();
  pre.setAccount(FORWARDER, { nonce: 1n, balance: ETHER, code: FORWARDER_RUNTIME, codeHash: codeHashOf(FORWARDER_RUNTIME) });
  pre.setAccount(INNER_RECIPIENT, { balance: 5n });
  const calls = Array.from({ length: 10 }, (_, i) => {
    if (i === TRANSFER_TX) return { to: RECIPIENT, value: 12_345n, gasLimit: 21_000n };
    // FORWARDER: CALL INNER_RECIPIENT with CALLVALUE, storage[1] = success, no revert.
    if (i === FRAME_TX) return { to: FORWARDER, value: 777n, data: concatBytes(word(INNER_RECIPIENT), word(0n), word(0n)), gasLimit: 100_000n };
    return { to: "d0".repeat(19) + i.toString(16).padStart(2, "0"), value: 1n, gasLimit: 21_000n };
  });
  return oneTxPerSender(LABEL, pre, calls);
}

interface Probe {
  key: LocationKey;
  access: number;
  /** The hook fired: runTx threw the EstimateHit, or swallowed it. */
  fired: boolean;
  /** runTx resolved although the EstimateHit was thrown: the EVM swallowed it. */
  swallowed: boolean;
  /** What the engine's executor made of the same incarnation. */
  outcome: string;
  dependency?: TxIndex;
}

/** Runs `tx` with the n-th access of `key` forced to an ESTIMATE of tx - 1, through runTx directly and through TxExecutor. */
async function probe(input: ParallelBlockInput, tx: TxIndex, key: LocationKey, access: number): Promise<Probe> {
  const block = input.block;
  const coinbase = bytesToUnprefixedHex(block.header.coinbase.bytes);
  const source = () => ({ ...new BlockOverlay(input.preState).sourceFor(), forcedEstimate: { key, access, dependency: tx - 1 } });

  const direct = await TxExecutor.create(common, new Map());
  direct.state.begin(tx, source(), coinbase);
  let swallowed = false;
  let threw = false;
  try {
    await runTx(direct.vm, { tx: block.transactions[tx], block, skipBlockGasLimitValidation: true, blockGasUsed: 0n });
    swallowed = direct.state.blockedOn !== undefined;
  } catch (e) {
    expect(e, `access ${access} of ${describeLocation(key)}`).to.be.instanceOf(EstimateHit);
    threw = true;
  }

  const executor = await TxExecutor.create(common, new Map());
  const outcome = await executor.run(block, block.transactions[tx], tx, 0, source());
  return { key, access, fired: threw || swallowed, swallowed, outcome: outcome.kind, dependency: outcome.kind === "blocked" ? outcome.dependency : undefined };
}

/** Every access 1..6 of the given keys, probed. */
async function probeAll(input: ParallelBlockInput, tx: TxIndex, keys: LocationKey[]): Promise<Probe[]> {
  const out: Probe[] = [];
  for (const key of keys) for (let access = 1; access <= 6; access++) out.push(await probe(input, tx, key, access));
  return out;
}

describe("a forced ESTIMATE where @ethereumjs swallows exceptions", function () {
  this.timeout(120_000);
  const input = forcedBlock();
  const cases: { what: string; tx: TxIndex; keys: LocationKey[] }[] = [
    { what: "a plain value transfer", tx: TRANSFER_TX, keys: [infoKey(RECIPIENT), balanceKey(RECIPIENT), infoKey(senderOf(TRANSFER_TX)), balanceKey(senderOf(TRANSFER_TX))] },
    { what: "a value transfer inside a call frame", tx: FRAME_TX, keys: [infoKey(INNER_RECIPIENT), balanceKey(INNER_RECIPIENT), infoKey(FORWARDER), balanceKey(FORWARDER)] },
  ];
  const swallowedAt = new Map<TxIndex, Probe[]>();

  for (const c of cases) {
    it(`${c.what}: every forced access is reported blocked on its dependency, including those the EVM swallows`, async function () {
      const probes = await probeAll(input, c.tx, c.keys);
      const fired = probes.filter((p) => p.fired);
      expect(fired.length, "accesses the hook fired on").to.be.greaterThan(0);
      for (const p of fired) {
        expect({ at: `access ${p.access} of ${describeLocation(p.key)}`, outcome: p.outcome, dependency: p.dependency }).to.deep.equal({
          at: `access ${p.access} of ${describeLocation(p.key)}`,
          outcome: "blocked",
          dependency: c.tx - 1,
        });
      }
      const swallowed = probes.filter((p) => p.swallowed);
      // Without such a case the test would not exercise what it is about.
      expect(swallowed.length, "accesses whose EstimateHit runTx swallowed").to.be.greaterThan(0);
      swallowedAt.set(c.tx, swallowed);
      if (process.env.DEBUG_FORCED_ESTIMATE === "1") console.log(swallowed.map((p) => `access ${p.access} of ${describeLocation(p.key)}`).join("\n"));
    });
  }

  for (const c of cases) {
    for (const mode of [{ workers: 1 }, { workers: 1, coordinatorOnly: true }, { workers: 2 }]) {
      const where = mode.coordinatorOnly === true ? "on a worker thread (coordinator only)" : `at ${mode.workers} worker(s)`;
      it(`${c.what}, ESTIMATE swallowed ${where}: the incarnation re-runs and the block equals sequential`, async function () {
        const swallowed = swallowedAt.get(c.tx);
        if (swallowed === undefined) this.skip();
        // Every swallowed access on the calling thread; the first one where a pool must start (seconds each).
        const probes = mode.workers === 1 && mode.coordinatorOnly !== true ? swallowed! : swallowed!.slice(0, 1);
        for (const p of probes) {
          const executor = new ParallelExecutor({ ...ORACLE_EXECUTOR_OPTIONS, ...mode, forceEstimate: { tx: c.tx, key: p.key, access: p.access } });
          try {
            const { sequential, parallel } = await assertParallelMatchesSequential(input, {
              workers: [mode.workers],
              executors: new Map([[mode.workers, executor]]),
              label: `${c.what}, access ${p.access} of ${describeLocation(p.key)} ${where}`,
            });
            const stats = parallel[0].result.stats;
            expect(sequential.receipts[c.tx].status, "the transfer succeeds").to.equal(1);
            expect(stats.wasted).to.deep.include({ tx: c.tx, key: p.key, micros: stats.wasted.find((w) => w.tx === c.tx && w.cause === "estimate")?.micros, cause: "estimate" });
            expect(stats.txs[c.tx].incarnations, "the blocked incarnation and its re-run").to.be.at.least(2);
            if (mode.coordinatorOnly === true) expect(stats.txs[c.tx].executedBy?.[0], "the first incarnation ran on worker thread 0").to.equal(1);
          } finally {
            await executor.close();
          }
        }
      });
    }
  }
});

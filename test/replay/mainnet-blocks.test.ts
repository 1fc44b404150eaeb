// Real mainnet blocks (../shared/fixtures/mainnet-blocks, Byzantium to
// Cancun, 37 to 1,414 txs): the sequential executor must reproduce the real
// header's receipts root, gas used and bloom, and the parallel executor must
// give exactly the sequential result (plugin/engine/compare.ts, through the
// shared oracle in test/helpers/oracle.ts) under
// randomised scheduling (jitter up to 1 ms before each execution, on every
// executing thread), on warmed pools whose worker threads must execute part
// of each block.
//
// Cost on 2 cores: every block at 1, 2 and 4 workers, about 100 s of block
// runs (27 s, 31 s and 44 s; 2 minutes for the file on a loaded machine).
// MAINNET_BLOCKS_QUICK=1 runs every block at 2 workers and only the 3 blocks
// with the least gas at 1 and 4.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

import { bytesToHex } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { expect } from "chai";

import type { BlockResult } from "../../plugin/engine/block-result";
import { firstDifference } from "../../plugin/engine/compare";
import { EMPTY_CODE_HASH, StateDiff } from "../../plugin/engine/flat-state";
import type { FlatState } from "../../plugin/engine/flat-state";
import { addressOf, kindOf, slotOf } from "../../plugin/engine/location";
import { ParallelExecutor } from "../../plugin/engine/parallel";
import { executeBlockSequential } from "../../plugin/engine/sequential";
import type { AccountInfo } from "../../plugin/engine/types";
import { headerMismatches } from "../../plugin/fixtures/blockchain-tests";
import { FixtureError } from "../../plugin/fixtures/fixture-error";
import type { LoadedBlock } from "../../plugin/fixtures/mainnet-blocks";
import { findBlockFolders, loadMainnetBlock, loadPrestateTracerBlock } from "../../plugin/fixtures/mainnet-blocks";
import { replayBlocks } from "../../plugin/replay/replay";
import { ORACLE_EXECUTOR_OPTIONS, assertParallelMatchesSequential, closeExecutors, warmUpExecutors } from "../helpers/oracle";
import { randomBlock } from "../helpers/random-block";
import { MISSING_SHARED, sharedFixture } from "../helpers/shared-fixtures";
import { useTempDir } from "../helpers/temp-dir";

const FIXTURES = sharedFixture("mainnet-blocks");
const QUICK = process.env.MAINNET_BLOCKS_QUICK === "1";
const SUBSET_SIZE = 3;
const JITTER_MAX_MICROS = 1000;

/** Block folders and their header gas, read at definition time so each block gets its own tests. */
function blockCatalogue(): { name: string; dir: string; txs: number; gas: number }[] {
  if (FIXTURES === undefined) return [];
  return findBlockFolders(FIXTURES).map((dir) => {
    const json = JSON.parse(readFileSync(path.join(dir, "block.json"), "utf8")) as { gasUsed: string; transactions: unknown[] };
    return { name: path.basename(dir), dir, txs: json.transactions.length, gas: Number(json.gasUsed) };
  });
}

const catalogue = blockCatalogue();
const subset = new Set(
  [...catalogue]
    .sort((a, b) => a.gas - b.gas)
    .slice(0, SUBSET_SIZE)
    .map((b) => b.name),
);
const planFor = (name: string): number[] => (!QUICK || subset.has(name) ? [1, 2, 4] : [2]);

describe("mainnet blocks: sequential and parallel match the header, parallel matches sequential", function () {
  if (catalogue.length === 0) {
    it(`replays the mainnet blocks (${MISSING_SHARED})`, function () {
      this.skip();
    });
    return;
  }

  const loaded = new Map<string, LoadedBlock>();
  const sequential = new Map<string, Promise<BlockResult>>();
  const executors = new Map<number, ParallelExecutor>();

  const block = (name: string): LoadedBlock => {
    let b = loaded.get(name);
    if (b === undefined) loaded.set(name, (b = loadMainnetBlock(catalogue.find((c) => c.name === name)!.dir)));
    return b;
  };
  const inputOf = (b: LoadedBlock) => ({ block: b.block, preState: b.preState, blockHashes: b.blockHashes, computeStateRoot: false });
  /** A reference result for the tests below the oracle ones, computed once per block. */
  const sequentialOf = (name: string): Promise<BlockResult> => {
    let p = sequential.get(name);
    if (p === undefined) sequential.set(name, (p = executeBlockSequential(inputOf(block(name)))));
    return p;
  };
  const chainDominated = (senders: (string | undefined)[]): boolean => {
    const counts = new Map<string | undefined, number>();
    for (const s of senders) counts.set(s, (counts.get(s) ?? 0) + 1);
    return senders.length / Math.max(...counts.values()) < 1.25;
  };
  const executorFor = async (workers: number): Promise<ParallelExecutor> => {
    let e = executors.get(workers);
    if (e === undefined) {
      // Seeded random delays before executions shake the schedule; one
      // executor per worker count, reused across blocks, its threads loaded
      // before the first block (until then the calling thread runs alone).
      e = new ParallelExecutor({ workers, ...ORACLE_EXECUTOR_OPTIONS, jitter: [0x5eed + workers, JITTER_MAX_MICROS] });
      executors.set(workers, e);
      const cold = await warmUpExecutors(new Map([[workers, e]]), randomBlock(0, { txs: [60, 60] }).input);
      expect(cold, "a pool whose threads never all took part in warm-up").to.deep.equal([]);
    }
    return e;
  };

  after(async function () {
    await closeExecutors(executors);
  });

  const mode = !QUICK ? "every block at 1, 2 and 4 workers" : `every block at 2 workers; the ${SUBSET_SIZE} with the least gas (${[...subset].join(", ")}) also at 1 and 4`;
  describe(`with jitter: ${mode}`, function () {
    for (const c of catalogue) {
      describe(`block ${c.name} (${c.txs} txs, ${(c.gas / 1e6).toFixed(1)} Mgas)`, function () {
        for (const workers of planFor(c.name)) {
          it(`@${workers}w: receipts root, gas used and bloom equal the header; receipts and post-state diff equal sequential`, async function () {
            const b = block(c.name);
            expect(b.number.toString()).to.equal(c.name);
            // Blocks that are nearly one sender's nonce chain would fall back to
            // sequential execution with sender hints (fallback "nonce-chain"):
            // run those without hints so the parallel path is what gets checked.
            const input = { ...inputOf(b), senders: chainDominated(b.senders) ? undefined : b.senders };
            await executorFor(workers);
            const { sequential: seq, parallel } = await assertParallelMatchesSequential(input, { workers: [workers], executors, label: `block ${c.name}` });
            // Worker threads executed some of the block's transactions (the calling thread is thread 0).
            const byThreads = parallel[0].result.stats.executedBy!;
            if (workers > 1) expect(byThreads.slice(1).reduce((a, b) => a + b, 0), `incarnations on worker threads (per thread: ${byThreads.join(", ")})`).to.be.greaterThan(0);
            sequential.set(c.name, Promise.resolve(seq));
            expect(seq.receipts).to.have.length(c.txs);
            expect(headerMismatches(b.block, seq), "sequential vs header").to.deep.equal([]);
            for (const run of parallel) expect(headerMismatches(b.block, run.result), `parallel @${run.workers}w vs header`).to.deep.equal([]);
          });
        }
      });
    }
  });

  describe("replayBlocks and its oracle", function () {
    it("times and verifies a block at each worker count (smallest block, 1 timed run)", async function () {
      const smallest = [...catalogue].sort((a, b) => a.gas - b.gas)[0];
      const rows = await replayBlocks([block(smallest.name)], { workers: [1, 2], repeats: 1 });
      expect(rows.map((r) => r.workers)).to.deep.equal([1, 2]);
      for (const r of rows) {
        expect(r.block).to.equal(Number(smallest.name));
        expect(r.txs).to.equal(smallest.txs);
        expect(r.gas).to.equal(smallest.gas);
        expect(r.mismatch).to.equal(undefined);
        expect(r.verified).to.equal(true);
        expect(r.sequentialMs).to.be.greaterThan(0);
        expect(r.parallelMs).to.be.greaterThan(0);
        expect(r.speedup).to.be.closeTo(r.sequentialMs / r.parallelMs, 0.01);
        expect(r.fallback).to.equal(undefined);
      }
    });

    it("firstDifference names the first tx whose receipt differs, or the first differing diff location", async function () {
      const smallest = [...catalogue].sort((a, b) => a.txs - b.txs)[0];
      const b = block(smallest.name);
      const reference = await sequentialOf(smallest.name);
      expect(firstDifference(reference, reference)).to.equal(undefined);

      const receipts = reference.receipts.map((r) => ({ ...r }));
      receipts[5] = { ...receipts[5], gasUsed: receipts[5].gasUsed + 1n };
      receipts[9] = { ...receipts[9], status: receipts[9].status === 1 ? 0 : 1 };
      expect(firstDifference({ ...reference, receipts }, reference)).to.deep.include({
        part: "receipt",
        txIndex: 5,
        field: "gasUsed",
        description: `gasUsed (parallel ${receipts[5].gasUsed}, sequential ${reference.receipts[5].gasUsed})`,
      });

      const diff = new StateDiff();
      for (const [k, v] of reference.diff.entries) diff.entries.set(k, v);
      for (const a of reference.diff.wiped) diff.wiped.add(a);
      for (const [h, c] of reference.diff.code) diff.code.set(h, c);
      const extra = "s" + "ab".repeat(20) + "00".repeat(32);
      diff.entries.set(extra, 0n);
      const found = firstDifference({ ...reference, diff }, reference, { preState: b.preState });
      expect(found?.location).to.equal(extra);
      expect(found?.description).to.match(
        /^state diff: storage 0x(ab){20} slot 0x0{64} \(parallel 0, sequential absent; txs writing it: parallel none, sequential none; the parallel value equals the pre-state value\)$/,
      );
    });
  });

  describe("prestateTracer input", function () {
    const tmpDir = useTempDir("hardhat-parallel-prestate-");

    it("the union of per-tx prestates (first occurrence wins) rebuilds the pre-state and the header", async function () {
      const smallest = [...catalogue].sort((a, b) => a.txs - b.txs)[0];
      const b = block(smallest.name);
      const reference = await sequentialOf(smallest.name);
      const { traces, polluted } = prestateTraces(b, reference);
      // Later traces must really disagree with the first occurrence, or this test proves nothing.
      expect(polluted).to.be.greaterThan(0);
      const blockFile = path.join(b.source, "block.json");
      const traceFile = path.join(tmpDir(), "prestate.json");
      writeFileSync(traceFile, JSON.stringify(traces));

      const fromTrace = loadPrestateTracerBlock(blockFile, traceFile);
      expect(fromTrace.number).to.equal(b.number);
      expectSameState(fromTrace.preState, b.preState);
      const result = await executeBlockSequential({ block: fromTrace.block, preState: fromTrace.preState, blockHashes: fromTrace.blockHashes, computeStateRoot: false });
      expect(headerMismatches(fromTrace.block, result)).to.deep.equal([]);
      expect(firstDifference(result, reference, { labels: { actual: "prestateTracer input", expected: "sequential" } })).to.equal(undefined);
    });
  });
});

describe("mainnet-block loaders: malformed input", function () {
  const tmpDir = useTempDir("hardhat-parallel-fixtures-");

  // A block without transactions is enough: the loader reads block.json first.
  const BLOCK = { number: "0x42ae50", parentHash: "0x" + "11".repeat(32), gasLimit: "0x6691b7", gasUsed: "0x0", timestamp: "0x59e44203", difficulty: "0x1", transactions: [], uncles: [] };
  const ADDR = "0x00000000000000000000000000000000000000aa";
  const CODE = "0x6000"; // PUSH1 0
  const CODE_HASH = bytesToHex(keccak_256(Uint8Array.from([0x60, 0x00])));
  const account = (over: Record<string, unknown> = {}) => ({
    basic: { balance: "0x10", nonce: 1 },
    code: { bytecode: CODE + "00".repeat(33), original_len: 2 },
    storage: { "0x1": "0x2" },
    code_hash: CODE_HASH,
    ...over,
  });

  let case_ = 0;
  function folder(preState: unknown, block: unknown = BLOCK): string {
    const dir = path.join(tmpDir(), String(++case_));
    mkdirSync(dir);
    writeFileSync(path.join(dir, "block.json"), JSON.stringify(block));
    writeFileSync(path.join(dir, "pre_state.json"), typeof preState === "string" ? preState : JSON.stringify(preState));
    return dir;
  }
  function fixtureError(f: () => unknown): FixtureError {
    try {
      f();
    } catch (e) {
      expect(e).to.be.instanceOf(FixtureError);
      return e as FixtureError;
    }
    expect.fail("expected a FixtureError");
  }

  it("loads a well-formed folder (the baseline the cases below break)", function () {
    const b = loadMainnetBlock(folder({ [ADDR]: account() }));
    const a = b.preState.accounts.get(ADDR.slice(2))!;
    expect(a.balance).to.equal(16n);
    expect(a.codeHash).to.equal(CODE_HASH);
    expect(bytesToHex(b.preState.code.get(CODE_HASH)!)).to.equal(CODE);
    expect(a.storage.get("1".padStart(64, "0"))).to.equal(2n);
    // The parent hash is always known for BLOCKHASH.
    expect(bytesToHex(b.blockHashes.get(4369999n)!)).to.equal(BLOCK.parentHash);
  });

  const cases: [string, () => unknown, RegExp][] = [
    ["a balance that is not a number", () => ({ [ADDR]: account({ basic: { balance: "lots", nonce: 1 } }) }), /account 0x0{38}aa basic\.balance is not a number/],
    ["a missing nonce", () => ({ [ADDR]: account({ basic: { balance: "0x1" } }) }), /account 0x0{38}aa basic\.nonce is not a number \(got nothing\)/],
    ["a code hash that does not match the code", () => ({ [ADDR]: account({ code_hash: "0x" + "ab".repeat(32) }) }), /account 0x0{38}aa code_hash is 0xabab.* but the first original_len bytes of code\.bytecode hash to/],
    ["code without a code hash", () => ({ [ADDR]: account({ code_hash: null }) }), /account 0x0{38}aa has code but no code_hash/],
    ["original_len past the bytecode", () => ({ [ADDR]: account({ code: { bytecode: CODE, original_len: 9 } }) }), /account 0x0{38}aa code\.original_len is 9, longer than code\.bytecode/],
    ["a storage value that is not a number", () => ({ [ADDR]: account({ storage: { "0x1": "0xzz" } }) }), /account 0x0{38}aa storage\[0x1\] is not a number/],
    ["a bad address", () => ({ "0x1234": account() }), /account key "0x1234" is not a 20-byte 0x address/],
    ["a file that is not JSON", () => "{ not json", /is not valid JSON/],
  ];
  for (const [what, preState, message] of cases) {
    it(`pre_state.json with ${what}: FixtureError naming the file and field`, function () {
      const dir = folder(preState());
      const e = fixtureError(() => loadMainnetBlock(dir));
      expect(e.file).to.equal(path.join(dir, "pre_state.json"));
      expect(e.message).to.match(/pre_state\.json: /);
      expect(e.message).to.match(message);
    });
  }

  it("block.json with transaction hashes instead of objects: FixtureError saying how to fetch it", function () {
    const dir = folder({}, { ...BLOCK, transactions: ["0x" + "22".repeat(32)] });
    const e = fixtureError(() => loadMainnetBlock(dir));
    expect(e.file).to.equal(path.join(dir, "block.json"));
    expect(e.message).to.match(/transactions\[0\] is a hash, not a transaction: fetch the block with eth_getBlockByNumber\(n, true\)/);
  });

  it("block.json whose hash field does not match its header: FixtureError", function () {
    const dir = folder({}, { ...BLOCK, hash: "0x" + "33".repeat(32) });
    const e = fixtureError(() => loadMainnetBlock(dir));
    expect(e.message).to.match(/block\.json: hash: the header fields hash to 0x[0-9a-f]{64}, not 0x3333/);
  });

  it("a missing pre_state.json: FixtureError naming it", function () {
    const dir = folder({});
    rmSync(path.join(dir, "pre_state.json"));
    expect(fixtureError(() => loadMainnetBlock(dir)).message).to.match(/pre_state\.json: does not exist/);
  });

  it("prestateTracer output with the wrong number of traces or a bad balance (with the fixtures): FixtureError naming the field", function () {
    const dir = folder({});
    const blockFile = path.join(dir, "block.json");
    const traceFile = path.join(dir, "trace.json");
    writeFileSync(traceFile, JSON.stringify([{ txHash: "0x" + "44".repeat(32), result: {} }]));
    expect(fixtureError(() => loadPrestateTracerBlock(blockFile, traceFile)).message).to.match(/trace\.json: holds 1 transaction traces but the block has 0 transactions/);

    // A field error needs a block with a transaction: the first of a real block.
    if (catalogue.length === 0) return;
    const oneTx = JSON.parse(readFileSync(path.join(catalogue[0].dir, "block.json"), "utf8")) as { transactions: unknown[] };
    const blockDir = path.join(tmpDir(), "one-tx");
    mkdirSync(blockDir);
    const oneTxFile = path.join(blockDir, "block.json");
    writeFileSync(oneTxFile, JSON.stringify({ ...oneTx, hash: undefined, transactions: oneTx.transactions.slice(0, 1) }));
    writeFileSync(traceFile, JSON.stringify([{ result: { [ADDR]: { balance: 12 }, "0x00000000000000000000000000000000000000bb": { balance: "1.5" } } }]));
    expect(fixtureError(() => loadPrestateTracerBlock(oneTxFile, traceFile)).message).to.match(/trace\.json: \[0\] account 0x0{38}bb balance is not a number \(got "1\.5"\)/);
  });
});

// ---------------------------------------------------------------------------
// Helpers

/**
 * Per-transaction prestates in geth's prestateTracer shape, built from a
 * sequential run: each tx lists every account and slot it reads or writes.
 * The first tx to touch a location shows its true pre-block value; later txs
 * show the post-block value, as geth shows earlier txs' writes in a later
 * tx's prestate. Accounts only the block's system phases touch go into the
 * first trace.
 */
function prestateTraces(b: LoadedBlock, seq: BlockResult): { traces: unknown[]; polluted: number } {
  const pre = b.preState;
  const post = seq.diff;
  const seenAccounts = new Set<string>();
  const seenSlots = new Set<string>();
  let polluted = 0;
  const hex = (v: bigint) => "0x" + v.toString(16);
  const traces: { txHash: string; result: Record<string, { balance: string; nonce?: number; code?: string; storage?: Record<string, string> }> }[] = [];
  const entryFor = (result: (typeof traces)[number]["result"], addr: string, first: boolean) => {
    let entry = result["0x" + addr];
    if (entry !== undefined) return entry;
    const info = first || !post.entries.has("i" + addr) ? pre.info(addr) : (post.entries.get("i" + addr) as AccountInfo | null);
    const balance = first || !post.entries.has("b" + addr) ? pre.balance(addr) : (post.entries.get("b" + addr) as bigint);
    if (!first && balance !== pre.balance(addr)) polluted++;
    entry = { balance: hex(balance) };
    if (info !== null && info.nonce !== 0n) entry.nonce = Number(info.nonce);
    if (info !== null && info.codeHash !== EMPTY_CODE_HASH) entry.code = bytesToHex(pre.code.get(info.codeHash) ?? post.code.get(info.codeHash)!);
    result["0x" + addr] = entry;
    return entry;
  };
  seq.reads.forEach((reads, i) => {
    const result: (typeof traces)[number]["result"] = {};
    const keys = [...reads.map((r) => r.key), ...seq.writeSets[i].writes.map((w) => w.key)];
    const firstHere = new Set<string>();
    for (const key of keys) {
      if (kindOf(key) === "wipe") continue;
      const addr = addressOf(key);
      if (!seenAccounts.has(addr)) firstHere.add(addr);
      const entry = entryFor(result, addr, firstHere.has(addr));
      if (kindOf(key) !== "storage") continue;
      const slot = slotOf(key);
      let value = pre.storage(addr, slot);
      if (seenSlots.has(key) && post.entries.has(key)) {
        value = post.entries.get(key) as bigint;
        if (value !== pre.storage(addr, slot)) polluted++;
      }
      (entry.storage ??= {})["0x" + slot] = "0x" + value.toString(16).padStart(64, "0");
    }
    for (const key of keys) if (kindOf(key) === "storage") seenSlots.add(key);
    for (const addr of firstHere) {
      seenAccounts.add(addr);
      // Slots of the account no tx touches (read by a system phase, or just recorded) go with its first occurrence.
      const entry = result["0x" + addr];
      for (const [slot, value] of pre.accounts.get(addr)?.storage ?? []) {
        if (seenSlots.has("s" + addr + slot)) continue;
        (entry.storage ??= {})["0x" + slot] = hex(value);
        seenSlots.add("s" + addr + slot);
      }
    }
    traces.push({ txHash: bytesToHex(b.block.transactions[i].hash()), result });
  });
  for (const [addr, a] of pre.accounts) {
    if (seenAccounts.has(addr)) continue;
    const entry = entryFor(traces[0].result, addr, true);
    for (const [slot, value] of a.storage) (entry.storage ??= {})["0x" + slot] = hex(value);
  }
  return { traces, polluted };
}

function expectSameState(actual: FlatState, expected: FlatState): void {
  expect([...actual.accounts.keys()].sort()).to.deep.equal([...expected.accounts.keys()].sort());
  for (const [addr, e] of expected.accounts) {
    const a = actual.accounts.get(addr)!;
    expect({ addr, balance: a.balance, nonce: a.nonce, codeHash: a.codeHash }).to.deep.equal({ addr, balance: e.balance, nonce: e.nonce, codeHash: e.codeHash });
    expect([...a.storage].sort(), `storage of 0x${addr}`).to.deep.equal([...e.storage].sort());
  }
  expect([...actual.code.keys()].sort()).to.deep.equal([...expected.code.keys()].sort());
}


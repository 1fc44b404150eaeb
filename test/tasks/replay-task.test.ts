/**
 * The parallel-replay task: a folder in which one block does not load (the
 * others replay, the task fails at the end with a summary), and
 * `parallel-replay --rpc URL --block N [--save DIR]` against a local HTTP
 * server (node:http) that answers as an archive node would, from responses
 * built here: a shared mainnet block (9069000, which reads an older block
 * hash with BLOCKHASH; skipped when ../shared is absent) turned into
 * eth_getBlockByNumber and prestateTracer answers, and a synthetic Osaka
 * block with a blob transaction. Also the errors: an unreachable node, a node
 * without the prestateTracer, a block that does not exist, bad flags.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";

import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";
import hre from "hardhat";

import { EMPTY_CODE_HASH } from "../../plugin/engine/flat-state";
import type { FlatState } from "../../plugin/engine/flat-state";
import { loadMainnetBlock, pevmPreStateJson } from "../../plugin/fixtures/mainnet-blocks";
import { fetchRpcBlock, saveBlockFolder } from "../../plugin/fixtures/rpc-block";
import type { ReplayReport, ReplayRow } from "../../plugin/replay/replay";
import { replayBlocks } from "../../plugin/replay/replay";
import { MISSING_SHARED, sharedFixture } from "../helpers/shared-fixtures";
import { BLOB_FORKS, syntheticBlobBlock } from "../helpers/synthetic-block";

/** What the fake node knows about one block. */
interface ServedBlock {
  json: Record<string, unknown>;
  /** prestateTracer per tx, as debug_traceBlockByNumber returns it. */
  traces: unknown[];
}

interface FakeNode {
  url: string;
  calls: { method: string; params: unknown[] }[];
  close(): Promise<void>;
}

/**
 * A JSON-RPC server over `blocks`; `hashes` are the older blocks it can name.
 * `noTracer` answers debug_traceBlockByNumber as a node without the debug API does.
 */
async function fakeNode(blocks: ServedBlock[], hashes: Record<string, string>, opts: { noTracer?: boolean } = {}): Promise<FakeNode> {
  const calls: FakeNode["calls"] = [];
  const byNumber = new Map(blocks.map((b) => [BigInt(b.json.number as string), b]));
  const latest = [...byNumber.keys()].reduce((a, b) => (a > b ? a : b), 0n);
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const { id, method, params } = JSON.parse(body) as { id: number; method: string; params: unknown[] };
      calls.push({ method, params });
      const reply = (payload: object) => {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ jsonrpc: "2.0", id, ...payload }));
      };
      const n = typeof params[0] === "string" && params[0].startsWith("0x") ? BigInt(params[0]) : undefined;
      switch (method) {
        case "eth_blockNumber":
          return reply({ result: "0x" + latest.toString(16) });
        case "eth_getBlockByNumber": {
          const b = byNumber.get(n!);
          if (b !== undefined) return reply({ result: params[1] === true ? b.json : { ...b.json, transactions: [] } });
          const hash = hashes[n!.toString()];
          return reply({ result: hash === undefined ? null : { number: params[0], hash } });
        }
        case "debug_traceBlockByNumber":
          if (opts.noTracer) return reply({ error: { code: -32601, message: "the method debug_traceBlockByNumber does not exist/is not available" } });
          return reply({ result: byNumber.get(n!)!.traces });
        case "eth_getCode":
          return reply({ result: "0x" });
        default:
          return reply({ error: { code: -32601, message: `the method ${method} does not exist/is not available` } });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v2/secret-key`, calls, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A pre-state as prestateTracer traces: every account in the first tx's trace (the union is what counts). */
function tracesOf(txHashes: string[], state: FlatState): unknown[] {
  const first: Record<string, unknown> = {};
  for (const [addr, a] of state.accounts) {
    first["0x" + addr] = {
      balance: "0x" + a.balance.toString(16),
      nonce: Number(a.nonce),
      ...(a.codeHash === EMPTY_CODE_HASH ? {} : { code: bytesToHex(state.code.get(a.codeHash)!) }),
      storage: Object.fromEntries([...a.storage].map(([s, v]) => ["0x" + s, "0x" + v.toString(16).padStart(64, "0")])),
    };
  }
  return txHashes.map((txHash, i) => ({ txHash, result: i === 0 ? first : {} }));
}


describe("parallel-replay --rpc", function () {
  let tmp: string;
  before(function () {
    tmp = mkdtempSync(path.join(os.tmpdir(), "hp-replay-rpc-"));
  });
  after(function () {
    rmSync(tmp, { recursive: true, force: true });
  });

  it("fetches a recorded mainnet block, the older block hash it reads and its pre-state, replays it, and --save writes a folder that loads the same", async function () {
    const dir = sharedFixture("mainnet-blocks", "9069000");
    if (dir === undefined) {
      console.log(`      ${MISSING_SHARED}`);
      this.skip();
    }
    const recorded = loadMainnetBlock(dir);
    const json = JSON.parse(readFileSync(path.join(dir, "block.json"), "utf8")) as Record<string, unknown>;
    const hashes = JSON.parse(readFileSync(path.join(dir, "block_hashes.json"), "utf8")) as Record<string, string>;
    const node = await fakeNode([{ json, traces: tracesOf(recorded.block.transactions.map((t) => bytesToHex(t.hash())), recorded.preState) }], hashes);
    const lines: string[] = [];
    try {
      const fetched = await fetchRpcBlock(node.url, 9_069_000n, { log: (l) => lines.push(l) });
      // The key in the URL's path is never printed.
      expect(lines.join("\n")).to.not.include("secret-key");
      expect(lines.join("\n")).to.match(/tracing the pre-state of block 9069000/);
      // BLOCKHASH of 9068996: learnt by running the block, then fetched by number.
      const hashCalls = node.calls.filter((c) => c.method === "eth_getBlockByNumber" && c.params[1] === false).map((c) => BigInt(c.params[0] as string));
      expect(hashCalls).to.deep.equal([9_068_996n]);
      expect(new Map([...fetched.loaded.blockHashes].map(([n, h]) => [n.toString(), bytesToHex(h)]))).to.deep.equal(
        new Map([...recorded.blockHashes].map(([n, h]) => [n.toString(), bytesToHex(h)])),
      );
      expect(pevmPreStateJson(fetched.loaded.preState)).to.deep.equal(pevmPreStateJson(recorded.preState));

      const [row] = await replayBlocks([fetched.loaded], { workers: [2], repeats: 1 });
      expect([row.block, row.txs, row.verified, row.mismatch]).to.deep.equal([9_069_000, 56, true, undefined]);

      const saved = saveBlockFolder(path.join(tmp, "9069000"), fetched);
      expect(pevmPreStateJson(saved.preState)).to.deep.equal(pevmPreStateJson(recorded.preState));
      expect(bytesToHex(saved.blockHashes.get(9_068_996n)!)).to.equal(hashes["9068996"]);
    } finally {
      await node.close();
    }
  });

  it("runs as the task on an Osaka block with a blob transaction, saves it, and the saved folder replays offline", async function () {
    const b = await syntheticBlobBlock("osaka");
    const node = await fakeNode([{ json: b.rpcJson, traces: tracesOf(b.block.transactions.map((t) => bytesToHex(t.hash())), b.preState) }], {});
    const save = path.join(tmp, "osaka");
    const json = path.join(tmp, "osaka.json");
    try {
      const rows = (await hre.run("parallel-replay", { rpc: node.url, block: String(BLOB_FORKS.osaka.number), save, workers: "2", json })) as ReplayRow[];
      expect(rows.map((r) => [r.block, r.verified])).to.deep.equal([[Number(BLOB_FORKS.osaka.number), true]]);
      const report = JSON.parse(readFileSync(json, "utf8")) as ReplayReport;
      expect(report.schemaVersion).to.equal(2);
      expect(report.failures).to.deep.equal([]);
      expect(report.rows[0].idealSpeedup).to.be.a("number");
    } finally {
      await node.close();
    }
    const offline = (await hre.run("parallel-replay", { fixtures: save, workers: "1" })) as ReplayRow[];
    expect(offline.map((r) => [r.block, r.verified])).to.deep.equal([[Number(BLOB_FORKS.osaka.number), true]]);
  });

  describe("errors name what is wrong and how to fix it", function () {
    let node: FakeNode;
    before(async function () {
      const b = await syntheticBlobBlock("prague");
      node = await fakeNode([{ json: b.rpcJson, traces: [] }], {}, { noTracer: true });
    });
    after(async function () {
      await node.close();
    });

    it("a node that cannot be reached", async function () {
      const closed = await fakeNode([], {});
      await closed.close();
      await expectTaskError({ rpc: closed.url, block: "1" }, /cannot reach http:\/\/127\.0\.0\.1:\d+\/\.\.\. \(ECONNREFUSED\): check the --rpc URL and that the node is running/);
    });

    it("a node without the prestateTracer", async function () {
      await expectTaskError(
        { rpc: node.url, block: String(BLOB_FORKS.prague.number) },
        /does not serve debug_traceBlockByNumber \(.*-32601.*\)\. Replaying a block needs the state it reads before it ran: use an archive node .* with the debug API and the prestateTracer/,
      );
    });

    it("a block that does not exist", async function () {
      await expectTaskError({ rpc: node.url, block: "99999999" }, /block 99999999 does not exist on http:\/\/127\.0\.0\.1:\d+\/\.\.\. \(its latest block is 22431100\): pass an existing block number with --block/);
    });

    it("bad flags: --rpc with --fixtures, --blocks or --prestate, --block that is not a number, no --block, --save without --rpc", async function () {
      await expectTaskError({ rpc: node.url, block: "1", fixtures: "x" }, /--rpc fetches one block from a node and cannot be combined with --fixtures/);
      await expectTaskError({ rpc: node.url, block: "1", blocks: "1" }, /cannot be combined with --blocks/);
      await expectTaskError({ rpc: node.url, block: "1", prestate: "t.json" }, /cannot be combined with --prestate/);
      await expectTaskError({ rpc: node.url, block: "block.json" }, /--block must be a block number with --rpc \(decimal, or 0x hex\), e\.g\. --block 19426587; got "block\.json"/);
      await expectTaskError({ rpc: node.url }, /--rpc needs --block <number>/);
      await expectTaskError({ rpc: "localhost:8545", block: "1" }, /--rpc: localhost: is not supported; pass the node's http:\/\/ or https:\/\/ JSON-RPC endpoint/);
      await expectTaskError({ save: tmp }, /--save writes a block fetched with --rpc/);
    });
  });
});

describe("parallel-replay on a folder of blocks", function () {
  it("replays the blocks that load, reports the one that does not with its reason, and fails at the end with a summary", async function () {
    const tmp = mkdtempSync(path.join(os.tmpdir(), "hp-replay-folder-"));
    try {
      const b = await syntheticBlobBlock("cancun");
      const store = path.join(tmp, "store");
      mkdirSync(store);
      writeFileSync(path.join(store, "block.json"), JSON.stringify(b.rpcJson));
      writeFileSync(path.join(store, "pre_state.json"), JSON.stringify(pevmPreStateJson(b.preState)));
      const fixtures = path.join(tmp, "fixtures");
      mkdirSync(path.join(fixtures, "1"), { recursive: true });
      symlinkSync(store, path.join(fixtures, String(BLOB_FORKS.cancun.number)));
      writeFileSync(path.join(fixtures, "1", "block.json"), JSON.stringify({ ...b.rpcJson, transactions: [bytesToHex(b.block.transactions[0].hash())] }));
      writeFileSync(path.join(fixtures, "1", "pre_state.json"), "{}");
      const json = path.join(tmp, "report.json");
      await expectTaskError({ fixtures, json }, /1 block\(s\) could not be loaded and 0 did not verify, of 2; the 1 other\(s\) replayed and verified/);
      const report = JSON.parse(readFileSync(json, "utf8")) as ReplayReport;
      expect(report.rows.map((r) => [r.block, r.verified])).to.deep.equal([[Number(BLOB_FORKS.cancun.number), true]]);
      expect(report.failures).to.have.length(1);
      expect(report.failures[0].source).to.equal(path.join(fixtures, "1"));
      expect(report.failures[0].reason).to.match(/1\/block\.json: transactions\[0\] is a hash, not a transaction/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

async function expectTaskError(args: Record<string, unknown>, message: RegExp): Promise<void> {
  let error: unknown;
  try {
    await hre.run("parallel-replay", { workers: "1", ...args });
  } catch (e) {
    error = e;
  }
  expect(error, "parallel-replay should have failed").to.be.instanceOf(Error);
  expect((error as Error).message).to.match(message);
}


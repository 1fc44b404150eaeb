// Replay of any mainnet block: every fork up to Osaka loads with the fork its
// number and timestamp select, blocks with EIP-4844 blob transactions load
// and replay (sequential against the header, parallel against sequential), a
// block folder that does not load is reported while the others replay, block
// folders reached through symbolic links count, and the table stays within
// 120 columns. Seconds: the blocks here are built in the test and hold a few
// transactions.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";

import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";

import { executeBlockSequential } from "../../plugin/engine/sequential";
import { FlatState } from "../../plugin/engine/flat-state";
import { headerMismatches } from "../../plugin/fixtures/blockchain-tests";
import { blockFromRpcJson, findBlockFolders, loadMainnetBlock, pevmPreStateJson } from "../../plugin/fixtures/mainnet-blocks";
import { loadBlockFiles } from "../../plugin/hardhat/block-sources";
import { formatReplayColumns, formatReplayTable, replayBlocks } from "../../plugin/replay/replay";
import type { ReplayRow } from "../../plugin/replay/replay";
import { BLOB_FORKS, BLOB_SENDER, syntheticBlobBlock } from "../helpers/synthetic-block";
import type { SyntheticBlobBlock } from "../helpers/synthetic-block";
import { useTempDir } from "../helpers/temp-dir";

/** Mainnet's forks at their first block (public record); Constantinople and Petersburg activated together. */
const FORKS: [string, bigint, bigint][] = [
  ["chainstart", 1n, 1_438_269_988n],
  ["homestead", 1_150_000n, 1_457_981_393n],
  // The fork block itself (1920000) moves the DAO funds, which the engine refuses: its successor runs as "dao".
  ["dao", 1_920_001n, 1_469_020_850n],
  ["tangerineWhistle", 2_463_000n, 1_476_796_771n],
  ["spuriousDragon", 2_675_000n, 1_479_831_344n],
  ["byzantium", 4_370_000n, 1_508_131_331n],
  ["petersburg", 7_280_000n, 1_551_383_524n],
  ["istanbul", 9_069_000n, 1_575_764_709n],
  ["muirGlacier", 9_200_000n, 1_577_953_849n],
  ["berlin", 12_244_000n, 1_618_481_223n],
  ["london", 12_965_000n, 1_628_166_822n],
  ["arrowGlacier", 13_773_000n, 1_639_079_723n],
  ["grayGlacier", 15_050_000n, 1_656_586_444n],
  ["paris", 15_537_394n, 1_663_224_179n],
  ["shanghai", 17_034_870n, 1_681_338_455n],
  ["cancun", 19_426_587n, 1_710_338_135n],
  ["prague", 22_431_084n, 1_746_612_311n],
  ["osaka", 23_935_694n, 1_764_798_551n],
];

/** An empty block's eth_getBlockByNumber JSON with the header fields its fork requires. */
function emptyBlockJson(fork: string, number: bigint, timestamp: bigint): Record<string, unknown> {
  const index = FORKS.findIndex(([f]) => f === fork);
  const from = (f: string) => index >= FORKS.findIndex(([x]) => x === f);
  const zero32 = "0x" + "00".repeat(32);
  return {
    number: "0x" + number.toString(16),
    parentHash: "0x" + "11".repeat(32),
    sha3Uncles: "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347",
    miner: "0x" + "cc".repeat(20),
    stateRoot: zero32,
    transactionsRoot: "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421",
    receiptsRoot: "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421",
    logsBloom: "0x" + "00".repeat(256),
    difficulty: from("paris") ? "0x0" : "0x1",
    gasLimit: "0x1c9c380",
    gasUsed: "0x0",
    timestamp: "0x" + timestamp.toString(16),
    // The ten blocks from the DAO fork on must say so (the fork's rule; ethereumjs checks it).
    extraData: fork === "dao" ? "0x" + Buffer.from("dao-hard-fork").toString("hex") : "0x",
    mixHash: zero32,
    nonce: "0x0000000000000000",
    ...(from("london") ? { baseFeePerGas: "0x3b9aca00" } : {}),
    ...(from("shanghai") ? { withdrawalsRoot: "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421", withdrawals: [] } : {}),
    ...(from("cancun") ? { blobGasUsed: "0x0", excessBlobGas: "0x0", parentBeaconBlockRoot: zero32 } : {}),
    ...(from("prague") ? { requestsHash: "0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" } : {}),
    transactions: [],
    uncles: [],
  };
}

describe("replay of any mainnet block", function () {
  const tmp = useTempDir("hp-any-block-");

  describe("every fork up to Osaka", function () {
    for (const [fork, number, timestamp] of FORKS) {
      it(`${fork}: an empty block at ${number} loads as ${fork} and runs to its header`, async function () {
        const { block } = blockFromRpcJson(emptyBlockJson(fork, number, timestamp), `${fork} block`);
        expect(block.common.hardfork()).to.equal(fork);
        const result = await executeBlockSequential({ block, preState: new FlatState(), blockHashes: new Map(), computeStateRoot: false });
        expect(headerMismatches(block, result)).to.deep.equal([]);
      });
    }
  });

  describe("blocks with a blob transaction (EIP-4844)", function () {
    const built = new Map<string, SyntheticBlobBlock>();
    before(async function () {
      for (const fork of Object.keys(BLOB_FORKS) as (keyof typeof BLOB_FORKS)[]) built.set(fork, await syntheticBlobBlock(fork));
    });

    it("a block folder with a type-3 tx loads on Cancun, Prague and Osaka (the Common carries KZG)", function () {
      for (const [fork, b] of built) {
        const dir = writeBlockFolder(path.join(tmp(), `blob-${fork}`), b);
        const loaded = loadMainnetBlock(dir);
        expect(loaded.block.common.hardfork()).to.equal(fork);
        expect(loaded.block.transactions[0].type).to.equal(3);
        expect(bytesToHex(loaded.block.hash())).to.equal(b.rpcJson.hash);
        const blobTx = loaded.block.transactions[0] as unknown as { blobVersionedHashes: string[] };
        expect(blobTx.blobVersionedHashes).to.deep.equal([b.blobVersionedHash]);
      }
    });

    it("replays them: the sequential run matches the header and charges the blob gas, every parallel run equals it", async function () {
      const loaded = [...built.values()].map((b) => loadMainnetBlock(writeBlockFolder(path.join(tmp(), `replay-${b.fork}`), b)));
      const rows = await replayBlocks(loaded, { workers: [2], repeats: 1 });
      expect(rows.map((r) => [r.block, r.txs, r.verified, r.mismatch])).to.deep.equal(loaded.map((b) => [Number(b.number), 4, true, undefined]));
      for (const r of rows) {
        expect(r.idealSpeedup).to.be.within(1, 2);
        expect(r.efficiency).to.be.closeTo(r.speedup / r.idealSpeedup!, 0.01);
      }
      for (const [i, b] of [...built.values()].entries()) {
        const result = await executeBlockSequential({ block: loaded[i].block, preState: loaded[i].preState, blockHashes: loaded[i].blockHashes, computeStateRoot: false });
        expect(result.diff.entries.get("b" + BLOB_SENDER), `${b.fork}: the blob sender's balance`).to.equal(b.expectedSenderBalance);
      }
    });
  });

  describe("a folder of blocks", function () {
    it("reports a block that does not load and loads the others, following symbolic links to block folders", async function () {
      const store = path.join(tmp(), "store");
      const good = writeBlockFolder(path.join(store, "good"), await syntheticBlobBlock("prague"));
      const fixtures = path.join(tmp(), "fixtures");
      mkdirSync(fixtures);
      symlinkSync(good, path.join(fixtures, "22431100"));
      const broken = path.join(fixtures, "100");
      mkdirSync(broken);
      writeFileSync(path.join(broken, "block.json"), JSON.stringify(emptyBlockJson("byzantium", 4_370_000n, 1_508_131_331n)));
      writeFileSync(path.join(broken, "pre_state.json"), "{ not json");
      symlinkSync(path.join(store, "gone"), path.join(fixtures, "200"));

      expect(findBlockFolders(fixtures).map((f) => path.basename(f))).to.deep.equal(["100", "200", "22431100"]);
      const { blocks, failures } = loadBlockFiles({ fixtures }, tmp(), undefined, () => {});
      expect(blocks.map((b) => b.number)).to.deep.equal([22_431_100n]);
      expect(failures.map((f) => path.basename(f.source))).to.deep.equal(["100", "200"]);
      expect(failures[0].reason).to.match(/100\/pre_state\.json: is not valid JSON/);
      expect(failures[1].reason).to.match(/200\/block\.json: does not exist/);
    });
  });

  describe("the table", function () {
    it("keeps within 120 columns with every column at its widest, and defines every column", function () {
      const row = (workers: number, over: Partial<ReplayRow> = {}): ReplayRow => ({
        block: 23_935_694,
        txs: 1414,
        gas: 59_990_789,
        workers,
        sequentialMs: 9999,
        sequentialMinMs: 9876,
        sequentialMaxMs: 12_345,
        parallelMs: 9999,
        parallelMinMs: 9876,
        parallelMaxMs: 99_999,
        speedup: 0.25,
        reexecutions: 1414,
        reexecutionsPerTx: 10.5,
        idealSpeedup: 16,
        efficiency: 0.016,
        fallback: "runaway-reexecution",
        verified: false,
        ...over,
      });
      const rows = [row(1), row(16), row(64, { fallback: "worker-failure" }), { ...row(1), block: 4_370_000 }, { ...row(16), block: 4_370_000 }, { ...row(64), block: 4_370_000 }];
      const table = formatReplayTable(rows);
      const footer = formatReplayColumns();
      for (const line of [...table.split("\n"), ...footer.split("\n")]) expect(line.length, line).to.be.at.most(120);
      const header = table.split("\n")[0].trim().split(/\s+/);
      for (const column of header) expect(footer, `definition of ${column}`).to.include(column);
      // One total line per worker count, the first one labelled; both blocks fell back at each.
    expect(table).to.match(/^total +2828 +119.98 +19998 +1 .* 2 of 2 fell back +NO$/m);
    expect(table).to.match(/^ +64 +19998 +1.00x +2 of 2 fell back +NO$/m);
    });
  });
});

function writeBlockFolder(dir: string, b: SyntheticBlobBlock): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "block.json"), JSON.stringify(b.rpcJson));
  writeFileSync(path.join(dir, "pre_state.json"), JSON.stringify(pevmPreStateJson(b.preState)));
  return dir;
}


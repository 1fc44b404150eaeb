/**
 * The conflict analysis end to end, on blocks whose conflicts the protocols
 * imply: the bundled presets (named with this project's storage layouts) and
 * a real mainnet block. Also the engine hooks it needs: keccak preimages and
 * the location of every wasted incarnation.
 */
import { expect } from "chai";
import hre from "hardhat";

import { conflictReport } from "../../plugin/analysis/conflict-report";
import type { BlockConflicts } from "../../plugin/analysis/conflict-report";
import { blockAccessList } from "../../plugin/analysis/block-access-list";
import { traceBlock } from "../../plugin/analysis/trace-block";
import { addressOf, balanceKey, kindOf, slotOf, storageKey } from "../../plugin/engine/location";
import { ParallelExecutor } from "../../plugin/engine";
import { keccak256 } from "../../plugin/engine/hash";
import { loadMainnetBlock } from "../../plugin/fixtures/mainnet-blocks";
import { projectNaming } from "../../plugin/hardhat/storage-naming";
import type { ProjectNaming } from "../../plugin/hardhat/storage-naming";
import { generateWorkload, prepareWorkloadOnEngine } from "../../plugin/workloads";
import { MISSING_SHARED, sharedFixture } from "../helpers/shared-fixtures";

const artifacts = (name: string) => hre.artifacts.readArtifactSync(name);

async function analysePreset(preset: string, naming: ProjectNaming, txs = 80, top = 10): Promise<BlockConflicts> {
  const w = generateWorkload(preset, { txs, accounts: 4 * txs, seed: 7 }, artifacts);
  const e = await prepareWorkloadOnEngine(w);
  const traced = await traceBlock({ block: e.block, preState: e.preState, blockHashes: e.blockHashes }, { warmups: 0 });
  return conflictReport(traced.trace, { naming: naming.forBlock(traced), top });
}

describe("conflict analysis on workloads and real blocks", function () {
  let naming: ProjectNaming;

  before(async function () {
    await hre.run("compile", { quiet: true });
    naming = await projectNaming(hre.artifacts);
    expect(naming.withoutLayout, "the plugin asks solc for storage layouts").to.deep.equal([]);
  });

  it("amm-hot: the pair's reserves rank first, named with their packing", async function () {
    const report = await analysePreset("amm-hot", naming);
    const top = report.hotspots[0];
    expect(top).to.include({ contract: "AmmPair", variable: "reserve0", pattern: "amm-reserves", origin: "application" });
    expect(top.packedWith).to.have.members(["reserve1", "blockTimestampLast"]);
    expect(top.display).to.match(/^AmmPair\.reserve0 \(slot 0x\w+, packed with reserve1 and blockTimestampLast\)$/);
    expect(top.dependentTxs).to.be.greaterThan(report.txs / 2);
  });

  it("lending: the markets' totals, accrual state and borrow index are the hotspots", async function () {
    const report = await analysePreset("lending", naming, 80, 20);
    const markets = report.hotspots.filter((h) => h.contract === "LendingPool");
    for (const h of markets) expect(h.variable).to.match(/^_markets\[0x[0-9a-fA-F]{40}\]\.\w+$/);
    // The busiest market's total borrows lead; its accrual block, cash and borrow index follow.
    expect(report.hotspots[0].variable).to.match(/\.totalBorrows$/);
    const members = new Set(markets.map((h) => h.variable!.split(".").pop()));
    for (const m of ["totalBorrows", "cash", "accrualBlockNumber", "borrowIndex", "totalReserves"]) expect([...members], m).to.include(m);
    expect(markets.find((h) => h.variable!.endsWith(".accrualBlockNumber"))!.pattern).to.equal("timestamp");
    expect(markets.find((h) => h.variable!.endsWith(".totalReserves"))!.pattern).to.not.equal("amm-reserves");
    const totals = report.hotspots.find((h) => /totalBorrows$/.test(h.variable ?? ""))!;
    expect(totals).to.include({ pattern: "accumulator", commutative: true });
    // Where it is written and read, from the runtime source map.
    const writes = totals.sites.filter((s) => s.access === "write");
    expect(writes.length, JSON.stringify(totals.sites)).to.be.greaterThan(0);
    for (const site of totals.sites) {
      expect(site.file).to.equal("contracts/lending/LendingPool.sol");
      expect(site.line).to.be.greaterThan(0);
      expect(site.function).to.match(/^\w+\(\)$/);
    }
    expect(writes.some((s) => /totalBorrows/.test(s.code ?? "")), JSON.stringify(writes)).to.equal(true);
  });

  it("nft-mint: the collection's id counter, a counter that only grows by one", async function () {
    const report = await analysePreset("nft-mint", naming);
    const counter = report.hotspots.find((h) => h.contract === "NftCollection" && h.kind === "storage");
    expect(counter, JSON.stringify(report.hotspots.map((h) => h.display))).to.not.equal(undefined);
    expect(counter).to.include({ variable: "_nextTokenId", pattern: "counter", commutative: true });
    expect(counter!.dependentTxs).to.equal(report.txs - 1);
    expect(counter!.whatIf.commutative).to.not.equal(null);
  });

  it("transfers: no application hotspot", async function () {
    const report = await analysePreset("transfers", naming);
    expect(report.hotspots.filter((h) => h.origin === "application")).to.deep.equal([]);
  });

  it("records keccak preimages and blames measured wasted incarnations on locations", async function () {
    const w = generateWorkload("amm-hot", { txs: 60, accounts: 240, seed: 3 }, artifacts);
    const e = await prepareWorkloadOnEngine(w);
    const executor = new ParallelExecutor({ workers: 2 });
    try {
      const traced = await traceBlock({ block: e.block, preState: e.preState, blockHashes: e.blockHashes }, { executor, warmups: 0 });
      expect(traced.preimages.size).to.be.greaterThan(60);
      for (const [hash, preimage] of [...traced.preimages].slice(0, 50)) expect(Buffer.from(keccak256(preimage)).toString("hex")).to.equal(hash);
      const measured = traced.trace.measured!;
      expect(measured.workers).to.equal(2);
      // Every wasted incarnation names a location some earlier tx of the block wrote.
      const written = new Set(traced.trace.txs.flatMap((t) => t.writes.map((x) => x.key)));
      for (const wasted of measured.wasted) expect(written.has(wasted.key), wasted.key).to.equal(true);
      if (measured.mode === "parallel") expect(measured.wasted.length).to.equal(measured.reexecutions);
    } finally {
      await executor.close();
    }
  });

  it("exports the block's accesses as an EIP-7928 access list whose last values are the block's state diff", async function () {
    const w = generateWorkload("mixed", { txs: 60, accounts: 240, seed: 5 }, artifacts);
    const e = await prepareWorkloadOnEngine(w);
    const traced = await traceBlock({ block: e.block, preState: e.preState, blockHashes: e.blockHashes }, { warmups: 0 });
    const list = blockAccessList(traced);
    const addresses = list.map((a) => a.address);
    expect(addresses).to.deep.equal([...addresses].sort());
    const expected = new Map<string, string>();
    for (const [key, value] of traced.result.diff.entries) {
      const kind = kindOf(key);
      const at = `0x${addressOf(key)}`;
      if (kind === "storage") expected.set(`${at} s 0x${slotOf(key)}`, `0x${(value as bigint).toString(16).padStart(64, "0")}`);
      if (kind === "balance") expected.set(`${at} b`, `0x${(value as bigint).toString(16)}`);
    }
    const exported = new Map<string, string>();
    for (const a of list) {
      for (const s of a.storageChanges) {
        expect(a.storageReads, `${a.address} ${s.slot} both changed and only read`).to.not.include(s.slot);
        exported.set(`${a.address} s ${s.slot}`, s.changes[s.changes.length - 1].newValue);
        const indexes = s.changes.map((c) => Number(c.blockAccessIndex));
        expect(indexes).to.deep.equal([...indexes].sort((x, y) => x - y));
        expect(indexes[0]).to.be.within(1, 60);
      }
      if (a.balanceChanges.length > 0) exported.set(`${a.address} b`, a.balanceChanges[a.balanceChanges.length - 1].postBalance);
    }
    // The diff also holds unchanged rewrites; the list only real changes.
    for (const [k, v] of exported) expect(expected.get(k), k).to.equal(v);
    for (const [k, v] of expected) if (!exported.has(k)) expect(traced.input.preState.read(k.includes(" s ") ? storageKey(k.slice(2, 42), k.slice(-64)) : balanceKey(k.slice(2, 42))), k).to.equal(BigInt(v));
    expect(exported.size).to.be.greaterThan(50);
  });

  describe("mainnet block 17666333", function () {
    const dir = sharedFixture("mainnet-blocks", "17666333");

    it("names the USDT and WETH9 balance entries with their holders, and blames nothing on the beneficiary", async function () {
      if (dir === undefined) {
        console.log(`      ${MISSING_SHARED}`);
        this.skip();
      }
      const b = loadMainnetBlock(dir);
      const traced = await traceBlock({ block: b.block, preState: b.preState, blockHashes: b.blockHashes, computeStateRoot: false }, { warmups: 0 });
      const report = conflictReport(traced.trace, { naming: naming.forBlock(traced), top: 25 });
      const USDT = "0xdac17f958d2ee523a2206206994597c13d831ec7";
      const WETH = "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2";
      for (const token of [USDT, WETH]) {
        const entry = report.hotspots.find((h) => h.address === token && h.kind === "storage" && h.key.length === 1);
        expect(entry, `${token} in ${report.hotspots.map((h) => h.display).join("; ")}`).to.not.equal(undefined);
        expect(entry!.key[0]).to.match(/^0x[0-9a-f]{40}$/);
      }
      expect(report.hotspots.filter((h) => h.pattern === "beneficiary").map((h) => `${h.display} ${h.dependentTxs} ${h.dependencies}`)).to.deep.equal([]);
    });
  });
});

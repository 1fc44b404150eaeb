/**
 * Workload generators: knob validation, determinism, and for every preset
 * the block is valid on Hardhat's own network (every transaction lands,
 * succeeds, in the generated order, with the same gas as on the project's
 * executors) and identical on the sequential and parallel executors with
 * 1, 2 and 4 workers under random delays. A second test per preset checks
 * the contention its documentation promises, from the block's read sets.
 */
import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";
import hre from "hardhat";

import { idealSpeedup } from "../../plugin/analysis/ideal";
import type { BlockResult } from "../../plugin/engine/block-result";
import type { ParallelExecutor } from "../../plugin/engine/parallel";
import { executeBlockSequential } from "../../plugin/engine/sequential";
import {
  PRESET_NAMES,
  WorkloadParameterError,
  generateWorkload,
  mineWorkloadOnProvider,
  prepareWorkloadOnEngine,
  resolveKnobs,
} from "../../plugin/workloads";
import type { ArtifactReader, EngineWorkload, PresetName, Workload, WorkloadKnobs } from "../../plugin/workloads";
import { closeExecutors, assertParallelMatchesSequential, makeExecutors, warmUpExecutors } from "../helpers/oracle";

const artifacts: ArtifactReader = (name) => hre.artifacts.readArtifactSync(name);

/** Small blocks keep the suite fast; contention does not need size to show. */
const SMALL: Partial<WorkloadKnobs> = { txs: 48, accounts: 150 };
const WORKERS = [1, 2, 4];
const JITTER: [number, number] = [7, 300];

function expectKnobError(preset: string, knobs: Partial<WorkloadKnobs>, parameter: string, rangeWords: RegExp) {
  let error: unknown;
  try {
    resolveKnobs(preset, knobs);
  } catch (e) {
    error = e;
  }
  expect(error, `${preset} ${JSON.stringify(knobs)}`).to.be.instanceOf(WorkloadParameterError);
  const e = error as WorkloadParameterError;
  expect(e.parameter).to.equal(parameter);
  expect(e.message).to.include(`"${parameter}"`).and.match(rangeWords);
}

describe("workloads", function () {
  before(async function () {
    await hre.run("compile", { quiet: true });
  });

  describe("knobs", function () {
    it("reject unknown presets and out-of-range values, naming the parameter and its range", function () {
      expectKnobError("uniswap", {}, "preset", /one of transfers, amm, amm-hot/);
      expectKnobError("amm", { txs: 0 }, "txs", /integer from 1 to 100000/);
      expectKnobError("amm", { txs: 2.5 }, "txs", /integer/);
      expectKnobError("amm", { accounts: -5 }, "accounts", /integer from 2/);
      expectKnobError("amm", { pools: 0 }, "pools", /integer from 1 to 1000/);
      expectKnobError("lending", { markets: 17 }, "markets", /1 to 16/);
      expectKnobError("nft-mint", { collections: 0 }, "collections", /1 to 100/);
      expectKnobError("amm", { skew: -0.1 }, "skew", /from 0 \(uniform\) to 4/);
      expectKnobError("amm", { skew: Number.NaN }, "skew", /from 0/);
      expectKnobError("amm", { txs: 100, accounts: 50 }, "accounts", /number of senders, txs \/ txsPerSender = 100/);
      expectKnobError("amm", { txs: 10, txsPerSender: 11 }, "txsPerSender", /from 1 to txs \(10\)/);
      expectKnobError("amm", { mix: { swap: -1 } }, "mix.swap", /at least 0/);
      expectKnobError("amm", { mix: { teleport: 1 } as never }, "mix.teleport", /an action among/);
      expectKnobError("amm", { mix: { swap: 0 } }, "mix", /at least one action/);
      expectKnobError("amm", { pools: 1, mix: { "swap-multihop": 1 } }, "pools", /at least 2/);
      expectKnobError("amm", { seed: -1 }, "seed", /0 to 4294967295/);
    });

    it("leave valid input alone and fill the preset's defaults", function () {
      const k = resolveKnobs("amm", { txs: 10, accounts: 20 });
      expect(k).to.include({ preset: "amm", txs: 10, accounts: 20, pools: 16, skew: 1, txsPerSender: 1 });
      // More senders than accounts is fine once each sends several.
      expect(resolveKnobs("transfers", { txs: 100, accounts: 50, txsPerSender: 2 }).txsPerSender).to.equal(2);
    });
  });

  describe("generation", function () {
    it("is deterministic per seed and changes with it", function () {
      const hashes = (w: Workload) => w.blockTxs.map((tx) => bytesToHex(tx.hash()));
      const a = generateWorkload("mixed", { ...SMALL, seed: 5 }, artifacts);
      const b = generateWorkload("mixed", { ...SMALL, seed: 5 }, artifacts);
      const c = generateWorkload("mixed", { ...SMALL, seed: 6 }, artifacts);
      expect(hashes(a)).to.deep.equal(hashes(b));
      expect(a.setupBlocks.flat().map((tx) => bytesToHex(tx.hash()))).to.deep.equal(b.setupBlocks.flat().map((tx) => bytesToHex(tx.hash())));
      expect(hashes(c)).to.not.deep.equal(hashes(a));
    });

    it("uses distinct senders, each sending txsPerSender transactions with consecutive nonces", function () {
      const w = generateWorkload("transfers", { txs: 60, accounts: 100, txsPerSender: 3 }, artifacts);
      const bySender = new Map<string, bigint[]>();
      w.blockTxs.forEach((tx, i) => {
        expect(tx.getSenderAddress().toString()).to.equal(w.senders[i]);
        bySender.set(w.senders[i], [...(bySender.get(w.senders[i]) ?? []), tx.nonce]);
      });
      expect(bySender.size).to.equal(20);
      for (const nonces of bySender.values()) {
        expect(nonces).to.have.length(3);
        expect(nonces[1] - nonces[0]).to.equal(1n);
        expect(nonces[2] - nonces[1]).to.equal(1n);
      }
    });

    it("follows the mix: a preset's block holds only its actions, in about their shares", function () {
      const w = generateWorkload("lending", { txs: 400, accounts: 500 }, artifacts);
      const counts = new Map<string, number>();
      for (const label of w.blockLabels) counts.set(label.split(" ")[0], (counts.get(label.split(" ")[0]) ?? 0) + 1);
      expect([...counts.keys()].sort()).to.deep.equal(["borrow", "repay", "supply", "withdraw"]);
      // supply has a 40% share: 160 expected, binomial sd about 10.
      expect(counts.get("supply")).to.be.within(125, 195);
    });
  });

  describe("presets", function () {
    let executors: Map<number, ParallelExecutor> | undefined;
    const prepared = new Map<PresetName, { w: Workload; engine: EngineWorkload; sequential?: BlockResult }>();

    async function prepare(preset: PresetName) {
      let entry = prepared.get(preset);
      if (entry === undefined) {
        const w = generateWorkload(preset, { ...SMALL, seed: 11 }, artifacts);
        prepared.set(preset, (entry = { w, engine: await prepareWorkloadOnEngine(w) }));
      }
      return entry;
    }

    before(async function () {
      executors = makeExecutors(WORKERS, { jitter: JITTER });
      const { engine } = await prepare("amm-hot");
      const cold = await warmUpExecutors(executors, { block: engine.block, preState: engine.preState, blockHashes: engine.blockHashes });
      expect(cold, "worker counts whose threads never ran concurrently").to.deep.equal([]);
    });

    after(async function () {
      await closeExecutors(executors);
    });

    for (const preset of PRESET_NAMES) {
      it(`${preset}: every tx succeeds on Hardhat's network in the generated order, with the engine's gas, and parallel equals sequential (1, 2, 4 workers, jitter)`, async function () {
        const entry = await prepare(preset);
        const { w, engine } = entry;
        const oracle = await assertParallelMatchesSequential(
          { block: engine.block, preState: engine.preState, blockHashes: engine.blockHashes, senders: engine.senders },
          { workers: WORKERS, executors, label: preset },
        );
        entry.sequential = oracle.sequential;
        const failed = oracle.sequential.receipts.flatMap((r, i) => (r.status === 1 ? [] : [`${i} ${w.blockLabels[i]}: ${r.error}`]));
        expect(failed, "block txs that failed on the engine").to.deep.equal([]);

        const snapshot = await hre.network.provider.request({ method: "evm_snapshot", params: [] });
        try {
          const mined = await mineWorkloadOnProvider(hre.network.provider, w);
          expect(mined.block.transactions).to.deep.equal(w.blockTxs.map((tx) => bytesToHex(tx.hash())));
          const statuses = mined.block.receipts.map((r) => Number(BigInt(r.status)));
          expect(statuses.filter((s) => s !== 1), "block txs that failed on Hardhat's network").to.deep.equal([]);
          const hardhatGas = mined.block.receipts.map((r) => BigInt(r.gasUsed));
          expect(hardhatGas).to.deep.equal(oracle.sequential.receipts.map((r) => r.gasUsed));
          expect(mined.block.receipts.map((r) => r.logs.length)).to.deep.equal(oracle.sequential.receipts.map((r) => r.logs.length));
        } finally {
          await hre.network.provider.request({ method: "evm_revert", params: [snapshot] });
        }
      });
    }

    /**
     * The contention each preset documents, from the dependency graph of its
     * block (unit work per tx, so the bound counts transactions): the
     * longest chain and the share of transactions depending on an earlier one.
     */
    const CONTENTION: Record<PresetName, (s: { unbounded: number; dependentShare: number }) => void> = {
      // Shared accounts make short chains only: 48 txs over 150 accounts.
      transfers: (s) => expect(s.unbounded).to.be.at.least(8),
      // Zipf 1 over 16 pools: the busiest pool carries about 30% of the swaps.
      amm: (s) => expect(s.unbounded).to.be.within(2, 8),
      "amm-hot": (s) => expect([s.dependentShare > 0.95, s.unbounded < 1.2]).to.deep.equal([true, true]),
      // Three markets, chains joined by borrows that read their collateral market.
      lending: (s) => expect(s.unbounded).to.be.within(1.3, 4),
      "nft-mint": (s) => expect([s.dependentShare > 0.95, s.unbounded < 1.2]).to.deep.equal([true, true]),
      "nft-market": (s) => expect([s.dependentShare > 0.95, s.unbounded < 1.2]).to.deep.equal([true, true]),
      mixed: (s) => expect(s.unbounded).to.be.within(2, 48),
    };

    for (const preset of PRESET_NAMES) {
      it(`${preset}: shows the contention its documentation describes`, async function () {
        const entry = await prepare(preset);
        const sequential = entry.sequential ?? (await executeBlockSequential(entry.engine));
        const ideal = idealSpeedup(sequential.reads, sequential.reads.map(() => 1));
        CONTENTION[preset]({ unbounded: ideal.unbounded, dependentShare: ideal.dependentShare });
      });
    }
  });
});

/**
 * Runaway re-execution: a block that is one dependency chain (every ERC-20
 * transfer pays the same recipient) switches to in-order execution on the
 * calling thread, keeps its committed prefix, and still equals sequential
 * execution; worker threads recover the remaining senders meanwhile. A block
 * whose chain is only its start goes back to speculation after it.
 */
import { expect } from "chai";
import hre from "hardhat";
import { hexToBytes } from "@ethereumjs/util";

import { ParallelExecutor } from "../../plugin/engine/parallel";
import { erc20TransferBlock } from "../../plugin/workloads/erc20";
import { assertParallelMatchesSequential } from "../helpers/oracle";

describe("parallel executor: runaway re-execution", function () {
  it("switches a one-recipient chain to in-order execution and still equals sequential", async function () {
    const artifact = await hre.artifacts.readArtifact("TestToken");
    const w = erc20TransferBlock({ txs: 200, accounts: 400, oneRecipient: true, tokenRuntimeCode: hexToBytes(artifact.deployedBytecode as `0x${string}`) });
    const executors = new Map([
      [2, new ParallelExecutor({ workers: 2, minTxsForParallel: 1, maxReexecutionRatio: 0.25 })],
      [4, new ParallelExecutor({ workers: 4, minTxsForParallel: 1, maxReexecutionRatio: 0.25 })],
    ]);
    try {
      let switched = 0;
      // Whether speculation conflicts enough depends on timing; every run must equal sequential either way.
      for (let attempt = 0; attempt < 6 && switched < 2; attempt++) {
        const { parallel: runs } = await assertParallelMatchesSequential(
          { block: w.block, preState: w.preState, senders: w.senders },
          { workers: [2, 4], executors, expectFallback: "runaway-reexecution", fallbackOptional: true, label: `attempt ${attempt}` },
        );
        for (const run of runs) {
          if (run.result.stats.fallbackReason !== "runaway-reexecution") continue;
          switched++;
          expect(run.result.stats.events.join("\n")).to.match(/ran in order on the calling thread/);
        }
      }
      expect(switched, "no run switched to in-order execution").to.be.greaterThan(0);
    } finally {
      for (const e of executors.values()) await e.close();
    }
  });

  it("resumes speculation after a contended start and still equals sequential", async function () {
    this.timeout(120_000);
    const artifact = await hre.artifacts.readArtifact("TestToken");
    // 48 transfers to one recipient, then 208 independent ones.
    const w = erc20TransferBlock({ txs: 256, accounts: 512, oneRecipient: false, contendedPrefix: 48, tokenRuntimeCode: hexToBytes(artifact.deployedBytecode as `0x${string}`) });
    const executors = new Map([
      [2, new ParallelExecutor({ workers: 2, minTxsForParallel: 1, maxReexecutionRatio: 0.25 })],
      [4, new ParallelExecutor({ workers: 4, minTxsForParallel: 1, maxReexecutionRatio: 0.25 })],
    ]);
    try {
      let resumed = 0;
      for (let attempt = 0; attempt < 6 && resumed < 2; attempt++) {
        const { parallel: runs } = await assertParallelMatchesSequential(
          { block: w.block, preState: w.preState, senders: w.senders },
          { workers: [2, 4], executors, expectFallback: "runaway-reexecution", fallbackOptional: true, label: `attempt ${attempt}` },
        );
        for (const run of runs) {
          const events = run.result.stats.events.join("\n");
          if (!/ran in order on the calling thread/.test(events)) continue;
          const at = /speculation resumed at tx (\d+)/.exec(events);
          expect(at, `events: ${events}`).to.not.equal(null);
          // Not before the contended start has gone by: its windows are all chain.
          expect(Number(at![1])).to.be.greaterThan(48);
          resumed++;
        }
      }
      expect(resumed, "no run switched to in-order execution and back").to.be.greaterThan(0);
    } finally {
      for (const e of executors.values()) await e.close();
    }
  });
});

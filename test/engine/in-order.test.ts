/**
 * Runaway re-execution: a block that is one dependency chain (every ERC-20
 * transfer pays the same recipient) switches to in-order execution on the
 * calling thread, keeps its committed prefix, and still equals sequential
 * execution; worker threads recover the remaining senders meanwhile.
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
});

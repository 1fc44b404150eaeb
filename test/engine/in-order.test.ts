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

type Run = Awaited<ReturnType<typeof assertParallelMatchesSequential>>["parallel"][number];

/**
 * Runs an ERC-20 block on 2 and 4 workers with an eager runaway threshold
 * until `inspect` has counted two runs (or six attempts): whether speculation
 * conflicts enough depends on timing, and every run must equal sequential
 * execution either way. Returns what `inspect` counted.
 */
async function countRuns(opts: { txs: number; oneRecipient: boolean; contendedPrefix?: number }, inspect: (run: Run) => boolean): Promise<number> {
  const artifact = await hre.artifacts.readArtifact("TestToken");
  const w = erc20TransferBlock({ ...opts, accounts: 2 * opts.txs, tokenRuntimeCode: hexToBytes(artifact.deployedBytecode as `0x${string}`) });
  const executors = new Map([2, 4].map((workers) => [workers, new ParallelExecutor({ workers, minTxsForParallel: 1, maxReexecutionRatio: 0.25 })]));
  let counted = 0;
  try {
    for (let attempt = 0; attempt < 6 && counted < 2; attempt++) {
      const { parallel: runs } = await assertParallelMatchesSequential(
        { block: w.block, preState: w.preState, senders: w.senders },
        { workers: [2, 4], executors, expectFallback: "runaway-reexecution", fallbackOptional: true, label: `attempt ${attempt}` },
      );
      for (const run of runs) if (inspect(run)) counted++;
    }
  } finally {
    for (const e of executors.values()) await e.close();
  }
  return counted;
}

describe("parallel executor: runaway re-execution", function () {
  it("switches a one-recipient chain to in-order execution and still equals sequential", async function () {
    const switched = await countRuns({ txs: 200, oneRecipient: true }, (run) => {
      if (run.result.stats.fallbackReason !== "runaway-reexecution") return false;
      expect(run.result.stats.events.join("\n")).to.match(/ran in order on the calling thread/);
      return true;
    });
    expect(switched, "no run switched to in-order execution").to.be.greaterThan(0);
  });

  it("resumes speculation after a contended start and still equals sequential", async function () {
    this.timeout(120_000);
    // 48 transfers to one recipient, then 208 independent ones.
    const resumed = await countRuns({ txs: 256, oneRecipient: false, contendedPrefix: 48 }, (run) => {
      const events = run.result.stats.events.join("\n");
      if (!/ran in order on the calling thread/.test(events)) return false;
      const at = /speculation resumed at tx (\d+)/.exec(events);
      expect(at, `events: ${events}`).to.not.equal(null);
      // Not before the contended start has gone by: its windows are all chain.
      expect(Number(at![1])).to.be.greaterThan(48);
      return true;
    });
    expect(resumed, "no run switched to in-order execution and back").to.be.greaterThan(0);
  });
});

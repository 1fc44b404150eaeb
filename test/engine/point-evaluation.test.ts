/**
 * The point-evaluation precompile (0x0a, EIP-4844) in a block without blob
 * transactions. @ethereumjs throws "kzg not initialized" when the Common
 * carries no KZG, so such a block could not be executed at all (the fuzz
 * script found random blocks whose calls reach 0x0a: seeds 200106 and 200131
 * on the calling thread; 106330 and 106345 on worker threads, whose Common
 * had KZG only for blocks with blob transactions). Every Common, on every
 * thread, now carries a KZG that loads on first use: the blocks run, and
 * parallel equals sequential, also when worker threads run every transaction.
 */
import { expect } from "chai";

import { BlockOverlay } from "../../plugin/engine/block-overlay";
import type { ParallelExecutor } from "../../plugin/engine/parallel";
import { TxExecutor } from "../../plugin/engine/tx-executor";
import { executeBlockSequential } from "../../plugin/engine/sequential";
import { assertParallelMatchesSequential, closeExecutors, makeExecutors } from "../helpers/oracle";
import { randomBlock } from "../helpers/random-block";

describe("point-evaluation precompile in a block without blob transactions", function () {
  this.timeout(120_000);
  let workersOnly: Map<number, ParallelExecutor> | undefined;
  after(() => closeExecutors(workersOnly));

  for (const seed of [200106, 200131, 106330, 106345]) {
    it(`random block ${seed}: runs sequentially and equals it in parallel at 1 and 2 workers, and on worker threads alone`, async function () {
      const { input } = randomBlock(seed);
      expect(input.block.transactions.some((tx) => tx.type === 3), "no blob transaction in the block").to.equal(false);
      const sequential = await executeBlockSequential(input);
      expect(sequential.receipts).to.have.length(input.block.transactions.length);
      await assertParallelMatchesSequential(input, { workers: [1, 2], label: `seed ${seed}` });
      // The calling thread only coordinates: one worker thread runs every transaction.
      workersOnly ??= makeExecutors([1], { coordinatorOnly: true });
      const { parallel } = await assertParallelMatchesSequential(input, { workers: [1], executors: workersOnly, label: `seed ${seed}, worker threads only` });
      const byThread = parallel[0].result.stats.executedBy!;
      expect(byThread[0], "incarnations on the calling thread").to.equal(0);
      expect(byThread[1], "incarnations on the worker thread").to.be.at.least(input.block.transactions.length);
    });
  }
});

describe("a throw from inside a transaction's execution", function () {
  it("is an internal error, not an invalid transaction, whatever the error's class", async function () {
    // Seed 106345's first transaction calls the point-evaluation precompile.
    // Run on the block's own Common, which carries no KZG, @ethereumjs throws
    // "kzg not initialized" (an EthereumJSError, the class its validity checks
    // throw) from inside the call: the transaction was valid, the EVM failed.
    const { input } = randomBlock(106345);
    expect(input.block.common.customCrypto.kzg, "the block's own Common has no KZG").to.equal(undefined);
    const executor = await TxExecutor.create(input.block.common, new Map());
    const outcome = await executor.run(input.block, input.block.transactions[0], 0, 0, new BlockOverlay(input.preState).sourceFor());
    expect(outcome.kind).to.equal("invalid");
    const failed = outcome as Extract<typeof outcome, { kind: "invalid" }>;
    expect(failed.internal, failed.error).to.equal(true);
    expect(failed.error).to.match(/kzg not initialized/);
  });
});

/**
 * What the contract suites' parallel-friendliness tests share (not a test
 * file itself). Those tests mine a batch of the protocol's transactions as
 * one block with `mineBatch` and state which of them may run side by side.
 *
 * `npm test` runs the contract suites twice: on Hardhat's own network (EDR),
 * where there is no parallel executor and these tests are skipped with the
 * reason printed, then on the parallel network (HARDHAT_PARALLEL=1,
 * `npm run test:parallel-network`), where they run.
 */
import hre, { ethers, network } from "hardhat";
import type { Signer } from "ethers";

import { ParallelNetworkNeededError, mineBatch, requireParallelNetwork } from "../../plugin/testing";
import type { Batch } from "../../plugin/testing";

/**
 * Transactions per batch: at least the network's parallel.minTxsForParallel
 * (8 by default), since a smaller block runs sequentially and is neither
 * executed in parallel nor verified; 10 leaves room for a raised threshold
 * within Hardhat's 20 funded accounts.
 */
export const BATCH = Math.max(10, hre.config.parallel.minTxsForParallel);

/** Gas limit of every batched transaction: given, so that sending never waits on eth_estimateGas against a state the batch is changing. */
export const BATCH_GAS = 500_000n;

/**
 * `describe` whose tests need the parallel network: skipped, saying so, on
 * Hardhat's own. On the parallel network its `before` mines one throw-away
 * batch (then reverted) so that what happens once per process, starting the
 * executor's worker threads (about 2 s here) and reading the project's
 * storage layouts for the conflict report (about 3.5 s), is not charged to
 * the first test.
 */
export function describeOnParallelNetwork(title: string, body: (this: Mocha.Suite) => void): Mocha.Suite {
  return describe(`${title} (on the parallel network)`, function () {
    before(async function () {
      try {
        await requireParallelNetwork(network.provider, "a parallel-friendliness test");
      } catch (e) {
        if (!(e instanceof ParallelNetworkNeededError)) throw e;
        console.log("      skipped: Hardhat's own network has no parallel executor; these run in `npm run test:parallel-network` (HARDHAT_PARALLEL=1)");
        this.skip();
      }
      await warmUp();
    });
    body.call(this);
  });
}

/**
 * `count` distinct senders from Hardhat's funded accounts, skipping `reserved`
 * ones (a fixture's deployer or owner): transactions of distinct senders carry
 * no nonce dependency, so whatever conflicts remain are the protocol's.
 */
export async function batchSenders(count: number, reserved: Signer[] = []): Promise<Signer[]> {
  const taken = new Set(await Promise.all(reserved.map((s) => s.getAddress())));
  const free = (await ethers.getSigners()).filter((s) => !taken.has(s.address));
  if (free.length < count) {
    throw new Error(`a batch of ${count} distinct senders needs ${count} funded accounts besides the fixture's, there are ${free.length} (networks.hardhat.accounts)`);
  }
  return free.slice(0, count);
}

/**
 * Mines `sends` as one block. Each send must only send its transaction (not
 * wait for the receipt: automine is off while the batch is open); they are
 * sent one after the other so that the block keeps their order.
 */
export function mineTogether(sends: (() => Promise<unknown>)[]): Promise<Batch> {
  if (sends.length < hre.config.parallel.minTxsForParallel) {
    throw new Error(`a batch of ${sends.length} txs runs sequentially (parallel.minTxsForParallel is ${hre.config.parallel.minTxsForParallel}): send at least that many`);
  }
  return mineBatch(network.provider, async () => {
    for (const send of sends) await send();
  });
}

async function warmUp(): Promise<void> {
  const snapshot = await network.provider.request({ method: "evm_snapshot", params: [] });
  const senders = await batchSenders(BATCH);
  await mineTogether(senders.map((s, i) => () => s.sendTransaction({ to: ethers.toBeHex(0xa11ce + i, 20), value: 1n, gasLimit: 21_000n })));
  await network.provider.request({ method: "evm_revert", params: [snapshot] });
}

/**
 * A worker thread that dies while the network mines a block: the block is
 * still mined, with the same state and receipts as on a network that only
 * executes sequentially, the report says what happened, and the network
 * keeps mining in parallel afterwards (piscina replaces the thread).
 */
import { expect } from "chai";

import type { ParallelOptions } from "../../plugin/engine/parallel";
import { ParallelNetworkProvider } from "../../plugin/network/provider";
import { testAccounts } from "../../plugin/workloads/accounts";
import { directNetwork } from "../helpers/direct-network";

const ACCOUNTS = testAccounts(30, 7);

function network(parallel: ParallelOptions & { enabled: boolean }): ParallelNetworkProvider {
  return directNetwork({ accounts: ACCOUNTS, parallel });
}

interface BlockView {
  stateRoot: string;
  receiptsRoot: string;
  transactions: string[];
}

/** Mines one block of `count` transfers (each sender to the next account) on every network alike. */
async function mineTransfers(nets: ParallelNetworkProvider[], round: number, count: number): Promise<BlockView[]> {
  const views: BlockView[] = [];
  for (const net of nets) {
    const rpc = (method: string, ...params: unknown[]) => net.request({ method, params });
    await rpc("evm_setAutomine", false);
    await rpc("evm_setNextBlockTimestamp", `0x${(1_800_000_000 + round * 12).toString(16)}`);
    for (let i = 0; i < count; i++) {
      const tx = { from: ACCOUNTS[i].address.toString(), to: ACCOUNTS[(i + 1) % ACCOUNTS.length].address.toString(), value: `0x${(1000 + round).toString(16)}`, gas: "0x5208", maxFeePerGas: "0x77359400", maxPriorityFeePerGas: "0x1" };
      await rpc("eth_sendTransaction", tx);
    }
    await rpc("evm_mine");
    await rpc("evm_setAutomine", true);
    views.push((await rpc("eth_getBlockByNumber", "latest", false)) as BlockView);
  }
  return views;
}

describe("parallel network: a worker thread dies while mining", function () {
  this.timeout(120_000);

  for (const crashMode of ["exit", "throw"] as const) {
    it(`mines the block correctly and stays usable (worker ${crashMode === "exit" ? "thread exits" : "task throws"})`, async function () {
      // Worker thread 0 fails when handed tx 9. Whether it is handed that tx
      // depends on timing (and on the thread having started: until then the
      // calling thread mines alone), so mine until it happened, and then until
      // a block ran partly on a worker thread again.
      const crashing = network({ enabled: true, workers: 2, minTxsForParallel: 4, maxReexecutionRatio: 1000, crashAt: 9, crashMode });
      const sequential = network({ enabled: false });
      try {
        let crashes = 0;
        let parallelAfterCrash = 0;
        const deadline = Date.now() + 60_000;
        for (let round = 0; Date.now() < deadline && (crashes === 0 || parallelAfterCrash === 0); round++) {
          const [got, expected] = await mineTransfers([crashing, sequential], round, 24);
          expect(got.transactions).to.have.length(24);
          expect(got.stateRoot, `round ${round}`).to.equal(expected.stateRoot);
          expect(got.receiptsRoot, `round ${round}`).to.equal(expected.receiptsRoot);
          const report = (await crashing.request({ method: "parallel_getBlockReport", params: ["latest"] })) as { mode: string; fallbackReason: string | null; executedBy: number[] | null };
          if (report.fallbackReason === "worker-failure") crashes++;
          else if (crashes > 0 && report.mode === "parallel" && report.executedBy![1] > 0) parallelAfterCrash++;
        }
        expect(crashes, "blocks in which the worker failed").to.be.greaterThan(0);
        expect(parallelAfterCrash, "blocks run partly on a worker thread after the failure").to.be.greaterThan(0);
        // Still a working network: a plain transaction automines.
        const hash = await crashing.request({ method: "eth_sendTransaction", params: [{ from: ACCOUNTS[29].address.toString(), to: ACCOUNTS[0].address.toString(), value: "0x1" }] });
        expect(((await crashing.request({ method: "eth_getTransactionReceipt", params: [hash] })) as { status: string }).status).to.equal("0x1");
      } finally {
        await crashing.close();
        await sequential.close();
      }
    });
  }
});

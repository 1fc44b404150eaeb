/**
 * parallel_setVerification (and config parallel.verify): each block executed
 * in parallel is executed again sequentially; a difference makes the call
 * that mined it fail, naming the block, the transaction and the field, and
 * leaves the chain and the mempool as they were. Also parallel_setWorkers.
 */
import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";
import { Wallet } from "ethers";
import hre from "hardhat";

import type { BlockResult } from "../../plugin/engine/block-result";
import type { ParallelBlockInput } from "../../plugin/engine/parallel";
import { executeBlockSequential } from "../../plugin/engine/sequential";
import { createParallelNetwork } from "../../plugin/hardhat/network-factory";
import { ParallelNetworkProvider } from "../../plugin/network/provider";
import { testAccounts } from "../../plugin/workloads/accounts";
import { directNetwork, rpcError } from "../helpers/direct-network";
import { PRESET_NAMES, generateWorkload, mineWorkloadOnProvider } from "../../plugin/workloads";

const ACCOUNTS = testAccounts(8, 7);

function network(): ParallelNetworkProvider {
  return directNetwork({ accounts: ACCOUNTS, parallel: { enabled: true, workers: 2, minTxsForParallel: 4, maxReexecutionRatio: 1000 }, overrides: { automine: false } });
}

/** Queues one transfer from each account (a block of 8, executed in parallel). */
async function queueTransfers(net: ParallelNetworkProvider): Promise<string[]> {
  const hashes: string[] = [];
  for (const [i, a] of ACCOUNTS.entries()) {
    const wallet = new Wallet(bytesToHex(a.privateKey));
    const nonce = Number(await net.request({ method: "eth_getTransactionCount", params: [wallet.address, "pending"] }));
    const to = ACCOUNTS[(i + 1) % ACCOUNTS.length].address.toString();
    const raw = await wallet.signTransaction({ to, value: 1n, gasLimit: 21_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n, nonce, chainId: 31337n, type: 2 });
    hashes.push((await net.request({ method: "eth_sendRawTransaction", params: [raw] })) as string);
  }
  return hashes;
}

/** Makes the chain's parallel executor return the sequential result, altered by `tamper`. */
function tamperWith(net: ParallelNetworkProvider, tamper: (r: BlockResult) => void): void {
  (net.chain as unknown as { executor: unknown }).executor = {
    executeBlock: async (input: ParallelBlockInput) => {
      const result = await executeBlockSequential(input);
      tamper(result);
      return result;
    },
    close: async () => undefined,
  };
}

function untamper(net: ParallelNetworkProvider): void {
  (net.chain as unknown as { executor: unknown }).executor = undefined;
}


describe("parallel block verification", function () {
  let net: ParallelNetworkProvider;
  const rpc = (method: string, ...params: unknown[]) => net.request({ method, params });
  type Report = { mode: string; verified: boolean; sequentialMs: number | null; speedup: number | null; workers: number; transactions: unknown[] };

  beforeEach(function () {
    net = network();
  });

  afterEach(async function () {
    await net.close();
  });

  it("is off by default, and when switched on checks parallel blocks (and only them)", async function () {
    expect(await rpc("parallel_getVerification")).to.equal(false);
    await queueTransfers(net);
    await rpc("evm_mine");
    const unverified = (await rpc("parallel_getBlockReport", "latest")) as Report;
    expect([unverified.verified, unverified.sequentialMs, unverified.speedup]).to.deep.equal([false, null, null]);
    expect(await rpc("parallel_setVerification", true)).to.equal(true);
    expect(await rpc("parallel_getVerification")).to.equal(true);
    await queueTransfers(net);
    await rpc("evm_mine");
    const report = (await rpc("parallel_getBlockReport", "latest")) as Report;
    expect([report.mode, report.verified, report.transactions.length]).to.deep.equal(["parallel", true, 8]);
    // Verification runs the sequential executor too, so the report has the measured speedup.
    expect(report.sequentialMs).to.be.greaterThan(0);
    expect(report.speedup).to.be.greaterThan(0);
    // An empty block runs sequentially: nothing to verify.
    await rpc("evm_mine");
    expect(((await rpc("parallel_getBlockReport", "latest")) as Report).verified).to.equal(false);
  });

  it("refuses a block whose parallel result differs, naming the block, transaction and field, and changes nothing", async function () {
    await rpc("parallel_setVerification", true);
    const hashes = await queueTransfers(net);
    const height = await rpc("eth_blockNumber");
    const balance = await rpc("eth_getBalance", ACCOUNTS[0].address.toString(), "latest");
    tamperWith(net, (r) => {
      r.receipts[3] = { ...r.receipts[3], gasUsed: r.receipts[3].gasUsed + 1n };
    });
    const error = await rpcError(rpc("evm_mine"));
    expect(error.code).to.equal(-32603);
    expect(error.message).to.equal(
      `Block 1 failed verification: the parallel and the sequential executor disagree on gasUsed (parallel 21001, sequential 21000) in transaction 3 (${hashes[3]}). The block was not added.`,
    );
    expect(error.data).to.deep.include({ blockNumber: "0x1", transactionIndex: 3, transactionHash: hashes[3] });
    expect(await rpc("eth_blockNumber")).to.equal(height);
    expect(await rpc("eth_getBalance", ACCOUNTS[0].address.toString(), "latest")).to.equal(balance);
    expect(await rpc("eth_getTransactionReceipt", hashes[3])).to.equal(null);
    expect(((await rpc("eth_pendingTransactions")) as { hash: string }[]).map((t) => t.hash)).to.deep.equal(hashes);
    // A wrong state change is caught too.
    tamperWith(net, (r) => r.diff.entries.set(`b${"ee".repeat(20)}`, 5n));
    expect((await rpcError(rpc("evm_mine"))).message).to.match(/^Block 1 failed verification: .* disagree on state diff: balance 0x(ee){20} \(parallel 5, sequential absent; txs writing it: parallel none, sequential none\)\. The block was not added\.$/);
    // With the real executor the same mempool mines, verified.
    untamper(net);
    await rpc("evm_mine");
    expect(((await rpc("eth_getTransactionReceipt", hashes[3])) as { status: string }).status).to.equal("0x1");
    expect(((await rpc("parallel_getBlockReport", "latest")) as Report).verified).to.equal(true);
  });

  it("with automine, a refused block fails the send and leaves the transaction out of the mempool", async function () {
    // Every block in parallel, even automine's one-transaction blocks.
    net.options.parallel = { ...net.options.parallel, minTxsForParallel: 1 };
    await rpc("evm_setAutomine", true);
    await rpc("parallel_setVerification", true);
    tamperWith(net, (r) => {
      r.receipts[0] = { ...r.receipts[0], status: 0 };
    });
    const from = ACCOUNTS[1].address.toString();
    const send = rpc("eth_sendTransaction", { from, to: ACCOUNTS[2].address.toString(), value: "0x1", gas: "0x5208" });
    expect((await rpcError(send)).message).to.match(/^Block 1 failed verification: .* disagree on status \(parallel 0, sequential 1\) in transaction 0 /);
    expect(await rpc("eth_pendingTransactions")).to.deep.equal([]);
    expect(await rpc("eth_getTransactionCount", from, "pending")).to.equal("0x0");
    expect(await rpc("eth_blockNumber")).to.equal("0x0");
    untamper(net);
    await rpc("eth_sendTransaction", { from, to: ACCOUNTS[2].address.toString(), value: "0x1", gas: "0x5208" });
    expect(((await rpc("parallel_getBlockReport", "latest")) as Report).verified).to.equal(true);
  });

  it("refuses bad switches without changing the setting", async function () {
    for (const params of [["yes"], [], [1]]) expect((await rpcError(rpc("parallel_setVerification", ...params))).code).to.equal(-32602);
    expect(await rpc("parallel_getVerification")).to.equal(false);
    for (const params of [[0], [257], ["2"], [1.5], []]) expect((await rpcError(rpc("parallel_setWorkers", ...params))).code).to.equal(-32602);
  });

  it("replaces the worker pool with parallel_setWorkers, closing the old one", async function () {
    await queueTransfers(net);
    await rpc("evm_mine");
    expect(((await rpc("parallel_getBlockReport", "latest")) as Report).workers).to.equal(2);
    const old = (net.chain as unknown as { executor: { close(): Promise<void> } }).executor;
    let closed = false;
    const close = old.close.bind(old);
    old.close = async () => {
      closed = true;
      await close();
    };
    expect(await rpc("parallel_setWorkers", 1)).to.equal(true);
    expect(closed).to.equal(true);
    await queueTransfers(net);
    await rpc("evm_mine");
    expect(((await rpc("parallel_getBlockReport", "latest")) as Report).workers).to.equal(1);
  });

  it("passes every workload preset's block (real contention, no false alarms)", async function () {
    await hre.run("compile", { quiet: true });
    const artifacts = (name: string) => hre.artifacts.readArtifactSync(name);
    for (const preset of PRESET_NAMES) {
      const fresh = network();
      try {
        await fresh.request({ method: "parallel_setVerification", params: [true] });
        await mineWorkloadOnProvider(fresh, generateWorkload(preset, { txs: 30, accounts: 60, seed: 5 }, artifacts));
        const report = (await fresh.request({ method: "parallel_getBlockReport", params: ["latest"] })) as Report;
        expect([report.mode, report.verified], preset).to.deep.equal(["parallel", true]);
      } finally {
        await fresh.close();
      }
    }
  });

  it("is on from the start with config parallel.verify", async function () {
    await hre.run("compile", { quiet: true });
    const configured = await createParallelNetwork(hre.network.config as never, { ...hre.config.parallel, verify: true }, hre.artifacts);
    try {
      expect(await configured.request({ method: "parallel_getVerification" })).to.equal(true);
    } finally {
      await configured.close();
    }
  });
});

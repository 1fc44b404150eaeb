/**
 * The "pending" block tag with automine off and transactions waiting, and
 * the mempool methods (eth_pendingTransactions, hardhat_dropTransaction),
 * compared with Hardhat's network: reads see the block the mempool would
 * make, nonces count the queued transactions that can be mined in a row.
 */
import { expect } from "chai";
import hre from "hardhat";

import { GAS, deployToken, onBoth, tokenInterface } from "../helpers/two-networks";
import type { Net } from "../helpers/two-networks";

async function pendingScript(net: Net) {
  const [a0, a1, a2, a3] = await net.call<string[]>("eth_accounts");
  const iface = tokenInterface();
  const token = await deployToken(net, a0);
  await net.call("eth_sendTransaction", { from: a0, to: token, data: iface.encodeFunctionData("batchMint", [[a1], 1000n]), ...GAS });
  // With an empty mempool the pending block is empty (and still counted by eth_feeHistory).
  const emptyPending = [await net.rpc("eth_feeHistory", "0x2", "pending", [50]), await net.rpc("eth_getBlockTransactionCountByNumber", "pending")];
  await net.call("evm_setAutomine", false);
  const balanceOf = (who: string) => ({ from: a0, to: token, data: iface.encodeFunctionData("balanceOf", [who]) });
  const t1 = await net.call<string>("eth_sendTransaction", { from: a0, to: a1, value: "0x1", ...GAS });
  const t2 = await net.call<string>("eth_sendTransaction", { from: a0, to: a2, value: "0x2", ...GAS });
  const t3 = await net.call<string>("eth_sendTransaction", { from: a1, to: token, data: iface.encodeFunctionData("transfer", [a2, 5n]), ...GAS });
  // A nonce gap: queued, but not in the pending block and not counted.
  const gapped = await net.call<string>("eth_sendTransaction", { from: a3, to: a0, value: "0x3", nonce: "0x5", ...GAS });
  // A contract created in the pending block.
  const artifact = hre.artifacts.readArtifactSync("TestToken");
  const create = await net.call<string>("eth_sendTransaction", { from: a2, data: artifact.bytecode + iface.encodeDeploy(["P", "P", 1]).slice(2), ...GAS });
  const created = "0x" + hre.ethers.getCreateAddress({ from: a2, nonce: 0 }).slice(2).toLowerCase();
  const reads = {
    nonces: await Promise.all([a0, a1, a3].flatMap((a) => ["latest", "pending"].map((tag) => net.rpc("eth_getTransactionCount", a, tag)))),
    balances: await Promise.all([a1, a2].flatMap((a) => ["latest", "pending"].map((tag) => net.rpc("eth_getBalance", a, tag)))),
    calls: await Promise.all(["latest", "pending"].map((tag) => net.rpc("eth_call", balanceOf(a2), tag))),
    storage: await Promise.all(["latest", "pending"].map((tag) => net.rpc("eth_getStorageAt", token, "0x2", tag))),
    code: await Promise.all(["latest", "pending"].map(async (tag) => ((await net.call<string>("eth_getCode", created, tag)).length > 2 ? "code" : "none"))),
    // a2 only has tokens in the pending state. (Estimates themselves differ slightly: Hardhat's answers 21001 for a transfer.)
    estimates: await Promise.all(
      ["latest", "pending"].map(async (tag) => {
        const r = await net.rpc("eth_estimateGas", { from: a2, to: token, data: iface.encodeFunctionData("transfer", [a0, 5n]) }, tag);
        return typeof r === "string" ? "ok" : "reverts";
      }),
    ),
  };
  const feeHistory = [await net.rpc("eth_feeHistory", "0x3", "pending", [50]), await net.rpc("eth_feeHistory", "0x1", "pending", [])];
  const block = await net.call<Record<string, unknown> & { transactions: Record<string, unknown>[] }>("eth_getBlockByNumber", "pending", true);
  const pendingBlock = {
    number: block.number,
    nonce: block.nonce,
    mixHash: block.mixHash,
    gasUsed: block.gasUsed,
    hasHash: typeof block.hash === "string",
    transactions: block.transactions.map((tx) => [tx.hash, tx.blockHash, tx.blockNumber, tx.transactionIndex, tx.gasPrice]),
    count: await net.rpc("eth_getBlockTransactionCountByNumber", "pending"),
    first: await net.rpc("eth_getTransactionByBlockNumberAndIndex", "pending", "0x0"),
    beyond: await net.rpc("eth_getTransactionByBlockNumberAndIndex", "pending", "0x9"),
  };
  const queued = (await net.call<Record<string, unknown>[]>("eth_pendingTransactions")).map((tx) => [tx.hash, tx.nonce, tx.gasPrice, tx.blockHash]);
  const drop = {
    dropped: await net.rpc("hardhat_dropTransaction", t2),
    again: await net.rpc("hardhat_dropTransaction", t2),
    unknown: await net.rpc("hardhat_dropTransaction", `0x${"11".repeat(32)}`),
    badHash: await net.rpc("hardhat_dropTransaction", "0x12"),
    number: await net.rpc("hardhat_dropTransaction", 5),
    none: await net.rpc("hardhat_dropTransaction"),
    gone: await net.rpc("eth_getTransactionByHash", t2),
    nonceAfter: await net.rpc("eth_getTransactionCount", a0, "pending"),
    queued: (await net.call<{ hash: string }[]>("eth_pendingTransactions")).map((tx) => tx.hash).sort(),
  };
  await net.call("evm_mine");
  const mined = (await net.call<{ transactions: string[] }>("eth_getBlockByNumber", "latest", false)).transactions;
  const afterMining = {
    minedDrop: await net.rpc("hardhat_dropTransaction", t1),
    stillQueued: (await net.call<{ hash: string }[]>("eth_pendingTransactions")).map((tx) => tx.hash),
    dropGapped: await net.rpc("hardhat_dropTransaction", gapped),
    empty: await net.rpc("eth_pendingTransactions"),
    emptyPendingCount: await net.rpc("eth_getBlockTransactionCountByNumber", "pending"),
    pendingEqualsLatest: (await net.rpc("eth_getBalance", a1, "pending")) === (await net.rpc("eth_getBalance", a1, "latest")),
  };
  return { hashes: { t1, t2, t3, gapped, create }, emptyPending, reads, feeHistory, pendingBlock, queued, drop, mined, afterMining };
}

describe("the pending block and the mempool, as on Hardhat's network", function () {
  before(async function () {
    await hre.run("compile", { quiet: true });
  });

  it("answers pending reads, the pending block and the mempool methods as Hardhat's network does", async function () {
    const { edr, parallel } = await onBoth(pendingScript);
    expect(parallel.hashes).to.deep.equal(edr.hashes);
    expect(parallel.emptyPending).to.deep.equal(edr.emptyPending);
    // a0 has two queued transactions on top of 2 mined; a3's gapped one does not count.
    expect(edr.reads.nonces).to.deep.equal(["0x2", "0x4", "0x0", "0x1", "0x0", "0x0"]);
    expect(edr.reads.estimates).to.deep.equal(["reverts", "ok"]);
    expect(parallel.reads).to.deep.equal(edr.reads);
    // Fee history up to "pending" ends with the pending block.
    expect(edr.feeHistory[1]).to.have.property("oldestBlock", "0x3");
    // Gas used ratios are doubles; Hardhat's network computes some one unit in the last place away from
    // the correctly rounded quotient (0.011204549999999999 for 672,273 / 60,000,000), so they are
    // compared to 1e-12 and the rest exactly.
    const ratios = (h: unknown) => ((h as { gasUsedRatio?: number[] }).gasUsedRatio ?? []);
    const withoutRatios = (list: unknown[]) => list.map((h) => ({ ...(h as object), gasUsedRatio: ratios(h).length }));
    expect(withoutRatios(parallel.feeHistory)).to.deep.equal(withoutRatios(edr.feeHistory));
    edr.feeHistory.forEach((h, i) => ratios(h).forEach((r, k) => expect(ratios(parallel.feeHistory[i])[k]).to.be.closeTo(r, 1e-12)));
    expect(edr.pendingBlock.number).to.equal(null);
    expect(parallel.pendingBlock).to.deep.equal(edr.pendingBlock);
    expect(parallel.queued).to.have.deep.members(edr.queued);
    expect(parallel.drop).to.deep.equal(edr.drop);
    expect(parallel.mined).to.deep.equal(edr.mined);
    expect(parallel.afterMining).to.deep.equal(edr.afterMining);
    expect(edr.afterMining.minedDrop).to.have.nested.property("error.code", -32602);
  });
});

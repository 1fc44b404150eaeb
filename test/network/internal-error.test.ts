/**
 * An engine bug is a loud internal error, never an "invalid transaction":
 * with a fault injected into the state layer the engine executes through
 * (a TypeError from TxStateManager.getStorage, as a bug would throw), the
 * send fails with JSON-RPC -32603 naming the block and the transaction, the
 * chain does not move, and the transaction stays in the mempool; once the
 * fault is gone the same transaction is mined as usual. A transaction that
 * is really invalid is still refused as such.
 */
import { expect } from "chai";

import { TxStateManager } from "../../plugin/engine/tx-state";
import { GAS, deployToken, parallelNetwork, tokenInterface } from "../helpers/two-networks";
import type { Net } from "../helpers/two-networks";

describe("parallel network: internal errors are reported, not disguised as invalid transactions", function () {
  let net: Net;
  const original = TxStateManager.prototype.getStorage;

  before(async function () {
    net = await parallelNetwork();
  });
  after(async function () {
    TxStateManager.prototype.getStorage = original;
    await net.close();
  });

  it("fails the send with -32603 naming block and transaction, keeps the transaction, and mines it once fixed", async function () {
    const [from, to] = await net.call<string[]>("eth_accounts");
    const token = await deployToken(net, from);
    const height = Number(await net.call<string>("eth_blockNumber"));
    const data = tokenInterface().encodeFunctionData("mint", [to, 1n]);

    TxStateManager.prototype.getStorage = function () {
      throw new TypeError("injected fault: storage is unreadable");
    };
    const failed = (await net.rpc("eth_sendTransaction", { from, to: token, data, ...GAS })) as { error: { code: number; message: string; data: { transactionIndex: number; blockNumber: string; transactionHash: string } } };
    TxStateManager.prototype.getStorage = original;

    expect(failed.error.code).to.equal(-32603);
    expect(failed.error.message).to.match(/^hardhat-parallel internal error while executing transaction 0 \(0x[0-9a-f]{64}\) of block \d+: TypeError: injected fault: storage is unreadable/);
    expect(failed.error.message).to.contain("This is a bug in hardhat-parallel, not in the transaction");
    expect(failed.error.message).to.not.match(/invalid/i);
    expect(failed.error.data.blockNumber).to.equal(`0x${(height + 1).toString(16)}`);
    expect(Number(await net.call<string>("eth_blockNumber"))).to.equal(height, "no block was added");

    const pending = await net.call<{ hash: string }[]>("eth_pendingTransactions");
    expect(pending.map((tx) => tx.hash)).to.deep.equal([failed.error.data.transactionHash], "the transaction stays in the mempool");

    await net.call("evm_mine");
    const receipt = await net.call<{ status: string; blockNumber: string }>("eth_getTransactionReceipt", failed.error.data.transactionHash);
    expect(receipt).to.include({ status: "0x1", blockNumber: `0x${(height + 1).toString(16)}` });
    expect(await net.call("eth_pendingTransactions")).to.deep.equal([]);
  });

  it("fails a call (eth_call, eth_estimateGas) with -32603 too, and answers it once fixed", async function () {
    const [from, to] = await net.call<string[]>("eth_accounts");
    const token = await deployToken(net, from);
    const call = { from, to: token, data: tokenInterface().encodeFunctionData("balanceOf", [to]) };
    TxStateManager.prototype.getStorage = function () {
      throw new TypeError("injected fault: storage is unreadable");
    };
    const failures = [await net.rpc("eth_call", call, "latest"), await net.rpc("eth_estimateGas", call)] as { error: { code: number; message: string } }[];
    TxStateManager.prototype.getStorage = original;
    for (const failed of failures) {
      expect(failed.error.code).to.equal(-32603);
      expect(failed.error.message).to.match(/^hardhat-parallel internal error while running the call: TypeError: injected fault: storage is unreadable/);
      expect(failed.error.message).to.contain("This is a bug in hardhat-parallel, not in the call");
    }
    expect(BigInt(await net.call<string>("eth_call", call, "latest"))).to.equal(0n);
  });

  it("still refuses a really invalid transaction as invalid (a nonce too low)", async function () {
    const [from] = await net.call<string[]>("eth_accounts");
    const failed = (await net.rpc("eth_sendTransaction", { from, to: from, nonce: "0x0", ...GAS })) as { error: { code: number; message: string } };
    expect(failed.error.message).to.match(/^Nonce too low/);
  });
});

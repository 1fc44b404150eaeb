/**
 * Block and transaction lookups by number, hash and index, and the smaller
 * methods plugins call (web3_sha3, hardhat_setCoinbase, hardhat_setPrevRandao,
 * hardhat_setMinGasPrice, hardhat_setLoggingEnabled), with their answers to
 * bad parameters, compared with Hardhat's network.
 */
import { expect } from "chai";
import hre from "hardhat";

import { GAS, onBoth } from "../helpers/two-networks";
import type { Net } from "../helpers/two-networks";

async function lookupScript(net: Net) {
  const [a0, a1, a2] = await net.call<string[]>("eth_accounts");
  await net.call("evm_setAutomine", false);
  const sent = [
    await net.call<string>("eth_sendTransaction", { from: a0, to: a1, value: "0x1", ...GAS }),
    await net.call<string>("eth_sendTransaction", { from: a1, to: a2, value: "0x2", ...GAS }),
  ];
  await net.call("evm_mine");
  await net.call("evm_setAutomine", true);
  const block = await net.call<{ hash: string; number: string }>("eth_getBlockByNumber", "latest", false);
  const tx = async (method: string, ...params: unknown[]) => {
    const r = (await net.rpc(method, ...params)) as Record<string, unknown> | null;
    // Block hashes differ between the networks; the rest must not.
    return r !== null && typeof r.blockHash === "string" ? { ...r, blockHash: r.blockHash === block.hash ? "latest block" : r.blockHash } : r;
  };
  const unknownHash = `0x${"11".repeat(32)}`;
  return {
    sent,
    counts: [
      await net.rpc("eth_getBlockTransactionCountByNumber", "latest"),
      await net.rpc("eth_getBlockTransactionCountByNumber", block.number),
      await net.rpc("eth_getBlockTransactionCountByNumber", "earliest"),
      await net.rpc("eth_getBlockTransactionCountByNumber", "0x99"),
      await net.rpc("eth_getBlockTransactionCountByHash", block.hash),
      await net.rpc("eth_getBlockTransactionCountByHash", unknownHash),
    ],
    byIndex: [
      await tx("eth_getTransactionByBlockNumberAndIndex", block.number, "0x1"),
      await tx("eth_getTransactionByBlockNumberAndIndex", "latest", "0x00"),
      await tx("eth_getTransactionByBlockNumberAndIndex", "latest", 1),
      await tx("eth_getTransactionByBlockNumberAndIndex", block.number, "0x5"),
      await tx("eth_getTransactionByBlockNumberAndIndex", "0x99", "0x0"),
      await tx("eth_getTransactionByBlockHashAndIndex", block.hash, "0x0"),
      await tx("eth_getTransactionByBlockHashAndIndex", block.hash, "0x7"),
      await tx("eth_getTransactionByBlockHashAndIndex", unknownHash, "0x0"),
    ],
    badParams: [
      await net.rpc("eth_getBlockTransactionCountByNumber"),
      await net.rpc("eth_getBlockTransactionCountByNumber", "0xzz"),
      await net.rpc("eth_getBlockTransactionCountByHash", "0x12"),
      await net.rpc("eth_getTransactionByBlockNumberAndIndex", block.number),
      await net.rpc("eth_getTransactionByBlockNumberAndIndex", "0xzz", "0x0"),
      await net.rpc("eth_getTransactionByBlockHashAndIndex", block.hash, "zz"),
      await net.rpc("web3_sha3", "abc"),
      await net.rpc("hardhat_setCoinbase", "0x12"),
      await net.rpc("hardhat_setPrevRandao", "0x12"),
      await net.rpc("hardhat_setLoggingEnabled", 1),
    ],
    sha3: await net.rpc("web3_sha3", "0x1234"),
    minGasPrice: await net.rpc("hardhat_setMinGasPrice", "0x1"),
    logging: await net.rpc("hardhat_setLoggingEnabled", false),
    // The bad requests changed nothing: still the same coinbase and block.
    coinbaseBefore: await net.rpc("eth_coinbase"),
    height: await net.rpc("eth_blockNumber"),
    setCoinbase: await net.rpc("hardhat_setCoinbase", `0x${"ab".repeat(20)}`),
    coinbase: await net.rpc("eth_coinbase"),
    setPrevRandao: await net.rpc("hardhat_setPrevRandao", `0x${"cd".repeat(32)}`),
    next: await (async () => {
      await net.call("evm_mine");
      const b = await net.call<{ miner: string; mixHash: string }>("eth_getBlockByNumber", "latest", false);
      return { miner: b.miner, mixHash: b.mixHash };
    })(),
  };
}

describe("block and transaction lookups, as on Hardhat's network", function () {
  before(async function () {
    await hre.run("compile", { quiet: true });
  });

  it("answers lookups, small setters and bad parameters as Hardhat's network does", async function () {
    const { edr, parallel } = await onBoth(lookupScript);
    expect(parallel.sent).to.deep.equal(edr.sent);
    expect(edr.counts).to.deep.equal(["0x2", "0x2", "0x0", null, "0x2", null]);
    expect(parallel.counts).to.deep.equal(edr.counts);
    expect((edr.byIndex[0] as { hash: string }).hash).to.equal(edr.sent[1]);
    expect(parallel.byIndex).to.deep.equal(edr.byIndex);
    // Code, message and method (the params echoed in `data` hold each network's own block hash).
    type Failure = { error: { code: number; message: string; data: { method: string } | null } };
    const shape = (r: unknown) => {
      const { code, message, data } = (r as Failure).error;
      return { code, message, method: data?.method };
    };
    expect(parallel.badParams.map(shape)).to.deep.equal(edr.badParams.map(shape));
    for (const key of ["sha3", "minGasPrice", "logging", "coinbaseBefore", "height", "setCoinbase", "coinbase", "setPrevRandao", "next"] as const) {
      expect(parallel[key], key).to.deep.equal(edr[key]);
    }
    expect(edr.next).to.deep.equal({ miner: `0x${"ab".repeat(20)}`, mixHash: `0x${"cd".repeat(32)}` });
  });

  it("answers uncle counts (zero) where Hardhat's network does not know the methods", async function () {
    const { edr, parallel } = await onBoth(async (net) => {
      const head = await net.call<{ hash: string }>("eth_getBlockByNumber", "latest", false);
      return [
        await net.rpc("eth_getUncleCountByBlockNumber", "latest"),
        await net.rpc("eth_getUncleCountByBlockHash", head.hash),
        await net.rpc("eth_getUncleCountByBlockNumber", "0x99"),
        await net.rpc("eth_getUncleCountByBlockHash", `0x${"11".repeat(32)}`),
      ];
    });
    expect(edr[0]).to.have.nested.property("error.code", -32004);
    expect(parallel).to.deep.equal(["0x0", "0x0", null, null]);
  });
});

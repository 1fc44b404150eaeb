/**
 * The transaction types eth_sendTransaction, eth_call and eth_estimateGas
 * build from a request, compared with Hardhat's network: an access list
 * makes a type-1 transaction (with a gas price) or goes into the EIP-1559
 * one; an authorization list makes an EIP-7702 transaction (and an empty one
 * is refused); a blob transaction (type 3) is refused, as Hardhat's network
 * takes those only raw. Transactions, receipts, code and gas are compared.
 */
import { expect } from "chai";
import { HDNodeWallet, Mnemonic } from "ethers";
import hre from "hardhat";

import { GAS, deployToken, normalize, onBoth, recordBlocks, tokenInterface } from "../helpers/two-networks";

/** Hardhat's default accounts' mnemonic (the config's), and the key of account `index`. */
function localWallet(index: number): HDNodeWallet {
  const accounts = hre.config.networks.hardhat.accounts as { mnemonic: string; path: string };
  return HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(accounts.mnemonic), `${accounts.path}/${index}`);
}

const PICK = ["type", "accessList", "authorizationList", "gasPrice", "maxFeePerGas", "maxPriorityFeePerGas", "chainId", "hash"] as const;

describe("parallel network: transaction types built from requests, as on Hardhat's network", function () {
  it("builds type 1, 2 and 4 transactions from access and authorization lists, and refuses blobs and empty authorizations", async function () {
    const { edr, parallel } = await onBoth(async (net) => {
      const [from, other] = await net.call<string[]>("eth_accounts");
      const token = await deployToken(net, from);
      const slot = "0x" + "00".repeat(31) + "02";
      const accessList = [{ address: token, storageKeys: [slot] }];
      const data = tokenInterface().encodeFunctionData("mint", [other, 5n]);
      const out: Record<string, unknown> = {};
      const sent = async (label: string, request: Record<string, unknown>) => {
        const hash = await net.rpc("eth_sendTransaction", { from, ...request });
        if (typeof hash !== "string") return void (out[label] = hash);
        const tx = await net.call<Record<string, unknown>>("eth_getTransactionByHash", hash);
        const receipt = await net.call<Record<string, unknown>>("eth_getTransactionReceipt", hash);
        out[label] = { tx: Object.fromEntries(PICK.map((k) => [k, tx[k]])), receipt: { type: receipt.type, gasUsed: receipt.gasUsed, status: receipt.status } };
      };
      await sent("blob", { to: other, type: "0x3", maxFeePerBlobGas: "0x10", blobVersionedHashes: ["0x01" + "00".repeat(31)], gas: "0x5208" });
      await sent("emptyAuthorizations", { to: other, authorizationList: [], gas: "0x10000" });
      await sent("accessListWithGasPrice", { to: token, data, accessList, gas: "0x20000", gasPrice: "0x77359400" });
      await sent("accessList1559", { to: token, data, accessList, ...GAS });
      await sent("emptyAccessList", { to: token, data, accessList: [], ...GAS });
      out.estimateWithAccessList = await net.rpc("eth_estimateGas", { from, to: token, data, accessList });
      out.estimateWithout = await net.rpc("eth_estimateGas", { from, to: token, data });

      // EIP-7702: `other` delegates its code to the token, signed with its own key.
      const delegate = localWallet(1);
      expect(delegate.address.toLowerCase()).to.equal(other);
      const nonce = BigInt(await net.call<string>("eth_getTransactionCount", other, "latest"));
      const auth = delegate.authorizeSync({ address: token, nonce, chainId: BigInt(await net.call<string>("eth_chainId")) });
      const authorization = { chainId: `0x${auth.chainId.toString(16)}`, address: auth.address, nonce: `0x${auth.nonce.toString(16)}`, yParity: `0x${auth.signature.yParity}`, r: auth.signature.r, s: auth.signature.s };
      // The delegated account then runs the token's code: decimals() answers.
      const decimals = tokenInterface().encodeFunctionData("decimals");
      out.estimateWithAuthorization = await net.rpc("eth_estimateGas", { from, to: other, data: decimals, authorizationList: [authorization] });
      await sent("authorization", { to: other, data: decimals, authorizationList: [authorization], ...GAS });
      out.delegatedCode = await net.call("eth_getCode", other, "latest");
      await recordBlocks(net, 0);
      return normalize(net, out) as Record<string, unknown>;
    });
    for (const key of Object.keys(edr)) {
      // Estimates may differ a little (the compat notes' "known differences": Hardhat's network stops its search within a threshold).
      if (key.startsWith("estimate")) expect(Number(parallel[key]), key).to.be.closeTo(Number(edr[key]), Number(edr[key]) / 100);
      else expect(JSON.stringify(parallel[key]), key).to.equal(JSON.stringify(edr[key]));
    }
    expect((edr.accessListWithGasPrice as { tx: { type: string } }).tx.type).to.equal("0x1");
    expect((edr.authorization as { tx: { type: string } }).tx.type).to.equal("0x4");
    expect(edr.delegatedCode).to.match(/^0xef0100/);
    expect(edr.blob).to.have.nested.property("error.message").that.matches(/only supports them via `eth_sendRawTransaction`/);
  });
});

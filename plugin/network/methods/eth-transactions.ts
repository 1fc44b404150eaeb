/**
 * Sending transactions (raw, or built and signed here for a local or an
 * impersonated account), calls and gas estimates, and the signing methods
 * (eth_sign, personal_sign, eth_signTypedData_v4).
 */
import { createTx, createTxFromRLP } from "@ethereumjs/tx";
import type { TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { getAddress } from "ethers";
import type { TypedDataDomain, TypedDataField } from "ethers";

import { withSender } from "../../engine/prepare";
import { parseCallRequest, typedFields } from "../calls";
import { RpcError, executionFailure } from "../errors";
import { quantity } from "../format";
import type { Handlers, NetworkNode } from "../node";
import { ParamReader, parseData } from "../params";
import { checkGasCap } from "../tx-gas-cap";

/** Hardhat's network's answer to eth_sendTransaction of a blob (type 3) transaction. */
const BLOB_SEND_REFUSED =
  "An EIP-4844 (shard blob) transaction was received, but Hardhat only supports them via `eth_sendRawTransaction`. See https://github.com/NomicFoundation/hardhat/issues/5023";

export function ethTransactionHandlers(node: NetworkNode): Handlers {
  return {
    eth_sendRawTransaction: async (params: unknown[], method: string) => {
      let tx: TypedTransaction;
      const bytes = hexToBytes(new ParamReader(method, params).count(1).bytes(0));
      try {
        tx = createTxFromRLP(bytes, { common: node.txCommon() });
      } catch (e) {
        // @ethereumjs rejects these while decoding; say it as Hardhat's network does.
        const message = (e as Error).message;
        if (/chain ?id/i.test(message)) {
          throw new RpcError(-32602, `Trying to send a raw transaction with an invalid chainId. The expected chainId is ${node.chain.common.chainId()}`);
        }
        const capped = /gas limit (\d+) exceeds the maximum allowed by EIP-7825/.exec(message);
        if (capped !== null) checkGasCap(node.chain.common, BigInt(capped[1]));
        if (/^Invalid Signature/.test(message)) throw new RpcError(-32602, "Invalid Signature");
        const type = /TypedTransaction with ID (\d+) unknown/.exec(message);
        if (type !== null) throw new RpcError(-32602, `Invalid transaction type ${type[1]}.`);
        throw new RpcError(-32602, `Invalid raw transaction: ${message}`);
      }
      return node.miner.submit(tx);
    },
    eth_sendTransaction: async (params: unknown[], method: string) => {
      const r = parseCallRequest(params[0], true, new ParamReader(method, params).count(1));
      if (r.type === 3n) throw new RpcError(-32000, BLOB_SEND_REFUSED);
      if (r.authorizationList?.length === 0) throw new RpcError(-32000, "Invalid EIP-7702 transaction: authorization list is empty.");
      const key = node.accounts.keyOf(r.from);
      if (key === undefined && !node.accounts.impersonated.has(r.from)) throw new RpcError(-32000, `Unknown account ${getAddress(r.from)}`);
      if (r.gas !== undefined) checkGasCap(node.chain.common, r.gas);
      const gasLimit = r.gas ?? (await node.calls.estimate(r, await node.calls.context("pending")));
      const common = { to: r.to, data: r.data, value: r.value, gasLimit, nonce: r.nonce ?? node.mempool.pendingNonce(r.from) };
      // Only a gasPrice: a legacy (EIP-155) transaction, as Hardhat's network sends it; otherwise EIP-1559.
      // Impersonated senders get a placeholder signature (unique per sender, so hashes do not collide) and a given sender.
      const txOptions = { common: node.txCommon(), freeze: key !== undefined };
      // With an access list: type 1 (gas price) or 2 with it; with an authorization list: type 4.
      const typed = typedFields(r);
      const unsigned =
        r.gasPrice !== undefined && r.maxFeePerGas === undefined && typed.type !== 4
          ? createTx({ type: typed.type ?? 0, ...common, ...typed, gasPrice: r.gasPrice, ...(typed.type === 1 ? { chainId: node.chain.common.chainId() } : {}) }, txOptions)
          : createTx(
              {
                type: 2,
                ...typed,
                ...common,
                maxPriorityFeePerGas: r.maxPriorityFeePerGas ?? 1_000_000_000n,
                maxFeePerGas: r.maxFeePerGas ?? node.chain.pendingBaseFee() * 2n + 1_000_000_000n,
                chainId: node.chain.common.chainId(),
              },
              txOptions,
            );
      // Signed here with the sender's own key: recovering the sender again cost a tenth of an automined send.
      if (key !== undefined) return node.miner.submit(node.mempool.knownSender(unsigned.sign(key), r.from));
      const placeholder = withSender(unsigned.addSignature(0n, BigInt(r.from), 1n, true), r.from);
      return node.miner.submit(placeholder);
    },

    eth_call: async (params: unknown[], method: string) => {
      const reader = new ParamReader(method, params).count(1, 3);
      const r = parseCallRequest(params[0], false, reader);
      const tag = params.length > 1 ? reader.callTag(1) : undefined;
      const receipt = await node.calls.simulate(r, r.gas ?? node.options.blockGasLimit, await node.calls.context(tag ?? "latest"));
      node.printLogs(receipt.consoleLogs);
      if (receipt.status === 0 && node.options.throwOnCallFailures !== false) throw await executionFailure(receipt.error, receipt.returnValue, undefined, node.options.errorDecoder, r.to);
      return bytesToHex(receipt.returnValue);
    },
    eth_estimateGas: async (params: unknown[], method: string) => {
      const reader = new ParamReader(method, params).count(1, 2);
      const request = parseCallRequest(params[0], false, reader);
      const tag = params.length > 1 ? reader.callTag(1) : undefined;
      // Hardhat's network estimates at the pending block unless told otherwise.
      return quantity(await node.calls.estimate(request, await node.calls.context(tag ?? "pending")));
    },

    personal_sign: async ([message, address]: unknown[]) => node.accounts.wallet(address).signMessage(hexToBytes(parseData(message, "message"))),
    eth_sign: async ([address, message]: unknown[]) => node.accounts.wallet(address).signMessage(hexToBytes(parseData(message, "message"))),
    eth_signTypedData_v4: async ([address, typedData]: unknown[]) => {
      let data: { domain: TypedDataDomain; types: Record<string, TypedDataField[]>; message: Record<string, unknown> };
      try {
        data = typeof typedData === "string" ? JSON.parse(typedData) : (typedData as typeof data);
      } catch (e) {
        throw new RpcError(-32602, `Invalid typed data: ${(e as Error).message}`);
      }
      // ethers derives the domain type itself and rejects an explicit one.
      const { EIP712Domain: _domain, ...types } = data.types ?? {};
      return node.accounts.wallet(address).signTypedData(data.domain ?? {}, types, data.message ?? {});
    },
  };
}

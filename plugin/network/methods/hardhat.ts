/** The hardhat_ methods: mining runs, impersonation, account edits, reset, the mempool, next-block settings, metadata. */
import { bytesToHex, hexToBytes } from "@ethereumjs/util";

import { keccak256 } from "../../engine/hash";
import { balanceKey, infoKey, storageKey } from "../../engine/location";
import { RpcError } from "../errors";
import type { Handlers, NetworkNode } from "../node";
import { ParamReader, parseAddress, parseQuantity } from "../params";

export function hardhatHandlers(node: NetworkNode): Handlers {
  return {
    // A status query Hardhat's network answers with a constant (its test runner asks at exit).
    hardhat_getStackTraceFailuresCount: () => 0,
    hardhat_mine: async (params: unknown[], method: string) => {
      const r = new ParamReader(method, params).count(0, 2);
      const n = Number(params[0] === undefined ? 1n : r.u64(0));
      const step = params[1] === undefined ? 1n : r.u64(1);
      if (n === 0) return true;
      await node.miner.mineRun(n, step);
      return true;
    },
    hardhat_getAutomine: () => node.miner.automine,
    hardhat_impersonateAccount: (params: unknown[], method: string) => {
      node.accounts.impersonated.add(new ParamReader(method, params).count(1).legacyAddress(0));
      return true;
    },
    hardhat_stopImpersonatingAccount: ([address]: unknown[]) => node.accounts.impersonated.delete(parseAddress(address)),

    hardhat_setBalance: (params: unknown[], method: string) => {
      const r = new ParamReader(method, params).count(2);
      const [address, balance] = [r.legacyAddress(0), r.legacyQuantity(1)];
      node.editAccount(address, (diff, addr) => diff.entries.set(balanceKey(addr), balance));
      return true;
    },
    hardhat_setNonce: (params: unknown[], method: string) => {
      const r = new ParamReader(method, params).count(2);
      const [address, nonce] = [r.legacyAddress(0), r.legacyQuantity(1)];
      node.editAccount(address, (diff, addr, info) => diff.entries.set(infoKey(addr), { ...info, nonce }));
      return true;
    },
    hardhat_setCode: (params: unknown[], method: string) => {
      const r = new ParamReader(method, params).count(2);
      const address = r.legacyAddress(0);
      const bytes = hexToBytes(r.legacyData(1));
      const codeHash = bytesToHex(keccak256(bytes));
      node.editAccount(parseAddress(address), (diff, addr, info) => {
        diff.code.set(codeHash, bytes);
        diff.entries.set(infoKey(addr), { ...info, codeHash });
      });
      return true;
    },
    hardhat_setStorageAt: (params: unknown[], method: string) => {
      const r = new ParamReader(method, params).count(3);
      const [address, slot, v] = [r.legacyAddress(0), r.legacyQuantity(1), r.legacyData(2)];
      if (v.length !== 66) {
        // Hardhat's network answers this one with -32000, after the parser's position.
        const e = r.fail(2, `Storage value must be exactly 32 bytes long. Received ${v}, which is ${(v.length - 2) / 2} bytes long.`, 1);
        throw new RpcError(-32000, e.message, e.data);
      }
      node.editAccount(address, (diff, addr) => diff.entries.set(storageKey(addr, slot.toString(16).padStart(64, "0")), BigInt(v)));
      return true;
    },
    /** A fresh chain from the configured genesis (same accounts, same genesis block), as Hardhat's reset does without forking. */
    hardhat_reset: async ([params]: unknown[]) => {
      if (typeof params === "object" && params !== null && "forking" in params) {
        throw new RpcError(-32602, "hardhat_reset with forking is not supported by the parallel network yet; run without HARDHAT_PARALLEL to fork");
      }
      await node.reset();
      return true;
    },
    /** Removes a transaction from the mempool: true if it was there; mined ones are refused. */
    hardhat_dropTransaction: (params: unknown[], method: string) => {
      const hash = new ParamReader(method, params).count(1).hash(0);
      if (node.mempool.drop(hash)) return true;
      if (node.chain.transaction(hash) !== undefined) throw new RpcError(-32602, `Transaction ${hash} cannot be dropped because it's already mined`);
      return false;
    },
    hardhat_setCoinbase: (params: unknown[], method: string) => {
      node.options.coinbase = new ParamReader(method, params).count(1).address(0);
      return true;
    },
    hardhat_setPrevRandao: (params: unknown[], method: string) => {
      node.chain.setNextPrevRandao(hexToBytes(new ParamReader(method, params).count(1).hash(0)));
      return true;
    },
    hardhat_setMinGasPrice: () => {
      throw new RpcError(-32000, "hardhat_setMinGasPrice is not supported when EIP-1559 is active");
    },
    // Hardhat's RPC logging has no counterpart here; accepted so `hardhat node`-style callers work.
    hardhat_setLoggingEnabled: (params: unknown[], method: string) => {
      new ParamReader(method, params).count(1).boolean(0);
      return true;
    },
    hardhat_setNextBlockBaseFeePerGas: ([fee]: unknown[]) => {
      node.chain.nextBaseFee = parseQuantity(fee, "base fee");
      return true;
    },
    hardhat_metadata: () => ({
      clientVersion: node.options.clientVersion,
      chainId: Number(node.chain.common.chainId()),
      instanceId: bytesToHex(node.chain.hashOf(0)),
      latestBlockNumber: node.chain.height,
      latestBlockHash: node.chain.head.hash,
    }),
  };
}

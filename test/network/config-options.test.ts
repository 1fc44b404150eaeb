/**
 * Every `networks.hardhat` option of Hardhat 2.29 (plugin/hardhat/network-options.ts):
 * each honoured one is set on both networks, Hardhat's own (EDR) and the
 * parallel one, and what it changes is observed on both and compared; each
 * refused one must stop the parallel network at startup with a message
 * naming it. (allowUnlimitedContractSize, allowBlocksWithSameTimestamp,
 * throwOnTransactionFailures and throwOnCallFailures are in
 * config-rules.test.ts, mining.mempool.order in block-gas.test.ts.)
 */
import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";
import type { Eip1193Provider } from "ethers";
import hre from "hardhat";
import { HardhatPluginError } from "hardhat/plugins";
import type { HardhatNetworkConfig } from "hardhat/types";

import { createParallelNetwork } from "../../plugin/hardhat/network-factory";
import { hardhatNetwork, parallelNetwork } from "../helpers/networks";
import { P256_VERIFY, p256CallerCode, p256Inputs, word } from "../helpers/p256";

type Rpc = (method: string, ...params: unknown[]) => Promise<unknown>;

function rpcOf(p: Eip1193Provider): Rpc {
  return (method, ...params) => p.request({ method, params });
}

/** The answer, or the error's message (both networks' errors compare by message). */
async function outcome(r: Promise<unknown>): Promise<unknown> {
  return r.then(
    (ok) => ok,
    (e: Error) => ({ error: e.message }),
  );
}

/** Runs `script` on Hardhat's network and on the parallel network, both built with `overrides`. */
async function onBoth<T>(overrides: Partial<HardhatNetworkConfig>, script: (rpc: Rpc) => Promise<T>): Promise<{ edr: T; parallel: T }> {
  const edr = await script(rpcOf(await hardhatNetwork(overrides)));
  const network = await parallelNetwork(overrides);
  try {
    return { edr, parallel: await script(rpcOf(network)) };
  } finally {
    await network.close();
  }
}

const FEES = { maxFeePerGas: "0x2540be400", maxPriorityFeePerGas: "0x3b9aca00" };
const CALLER = "0x00000000000000000000000000000000000c0de5";

// ---------------------------------------------------------------- P256VERIFY

async function p256Outcomes(rpc: Rpc): Promise<unknown> {
  const accounts = (await rpc("eth_accounts")) as string[];
  await rpc("hardhat_setCode", CALLER, p256CallerCode());
  const inputs = Object.entries(p256Inputs());
  const calls: Record<string, unknown> = {};
  for (const [name, data] of inputs) calls[name] = await outcome(rpc("eth_call", { from: accounts[0], to: P256_VERIFY, data }));
  // One block of as many transactions as the parallel executor needs (it runs blocks of 8 or more on its workers).
  await rpc("evm_setAutomine", false);
  const hashes: string[] = [];
  for (let i = 0; i < 8; i++) {
    const [, data] = inputs[i % inputs.length];
    hashes.push((await rpc("eth_sendTransaction", { from: accounts[i], to: CALLER, data, gas: "0x30000", ...FEES })) as string);
  }
  await rpc("evm_mine");
  const receipts = [];
  for (const hash of hashes) {
    const r = (await rpc("eth_getTransactionReceipt", hash)) as { status: string; gasUsed: string; logs: { data: string }[] };
    receipts.push({ status: r.status, gasUsed: r.gasUsed, returned: r.logs[0].data });
  }
  return { calls, receipts };
}

describe("networks.hardhat options on the parallel network", function () {
  describe("enableRip7212 (P256VERIFY at 0x100)", function () {
    for (const hardfork of ["cancun", "prague", "osaka"]) {
      for (const enableRip7212 of [false, true]) {
        it(`${hardfork}, enableRip7212 ${enableRip7212}: same verdicts and gas as Hardhat's network`, async function () {
          const { edr, parallel } = await onBoth({ hardfork, enableRip7212 }, p256Outcomes);
          expect(parallel).to.deep.equal(edr);
          // The precompile exists on Osaka (EIP-7951) or when asked for, and only then.
          const calls = (edr as { calls: Record<string, unknown> }).calls;
          const present = hardfork === "osaka" || enableRip7212;
          expect(calls.valid).to.equal(present ? bytesToHex(word(1n)) : "0x");
          expect(calls.validHighS).to.equal(calls.valid);
          expect(calls.otherHash).to.equal("0x");
        });
      }
    }
  });

  describe("hardfork", function () {
    /** What tells the hardforks apart: new opcodes, header fields, transaction types. */
    async function hardforkMarks(rpc: Rpc): Promise<unknown> {
      const [from, to] = (await rpc("eth_accounts")) as string[];
      const run = (code: string) => outcome(rpc("eth_call", { from, data: code }));
      const receipt = (await rpc("eth_getTransactionReceipt", await rpc("eth_sendTransaction", { from, to, value: "0x1", ...FEES }))) as Record<string, unknown>;
      const block = (await rpc("eth_getBlockByNumber", "latest", false)) as Record<string, unknown>;
      return {
        push0: await run("0x5f60005260206000f3"), // PUSH0 (Shanghai)
        transient: await run("0x600160005d60005c60005260206000f3"), // TSTORE, TLOAD (Cancun)
        blobBaseFee: await run("0x4a60005260206000f3"), // BLOBBASEFEE (Cancun)
        clz: await run("0x60011e60005260206000f3"), // CLZ (Osaka)
        receipt: { status: receipt.status, gasUsed: receipt.gasUsed, type: receipt.type },
        // Header fields present (mixHash and the beacon root differ between the networks in value on every hardfork).
        blockFields: Object.keys(block).sort(),
        withdrawals: block.withdrawals,
        blobGasUsed: block.blobGasUsed,
        requestsHash: block.requestsHash,
      };
    }

    for (const hardfork of ["merge", "shanghai", "cancun", "prague", "osaka"]) {
      it(`${hardfork}: same opcodes, header fields and outcomes as Hardhat's network`, async function () {
        const { edr, parallel } = await onBoth({ hardfork }, hardforkMarks);
        expect(parallel).to.deep.equal(edr);
      });
    }

    it("an older hardfork is refused at startup, naming the option", async function () {
      for (const hardfork of ["grayGlacier", "london", "berlin", "byzantium"]) {
        await expectRefused({ hardfork }, `networks.hardhat.hardfork is "${hardfork}"`);
      }
    });
  });

  it("enableTransientStorage: TSTORE follows the hardfork, as on Hardhat's network (which does not read the option)", async function () {
    const tstore = async (rpc: Rpc) => outcome(rpc("eth_call", { data: "0x600160005d60005c60005260206000f3" }));
    const old = await onBoth({ hardfork: "shanghai", enableTransientStorage: true }, tstore);
    const current = await onBoth({ hardfork: "osaka", enableTransientStorage: false }, tstore);
    expect(old.parallel).to.deep.equal(old.edr);
    expect(current.parallel).to.deep.equal(current.edr);
    expect(old.edr).to.have.property("error");
    expect(current.edr).to.equal(bytesToHex(word(1n)));
  });

  it("chains: a hardfork history for the local chain id changes nothing without forking, as on Hardhat's network", async function () {
    const chains = new Map([[31337, { hardforkHistory: new Map([["berlin", 0]]) }]]);
    const push0 = async (rpc: Rpc) => [await outcome(rpc("eth_call", { data: "0x5f60005260206000f3" })), await outcome(rpc("eth_call", { data: "0x5f60005260206000f3" }, "0x0"))];
    const { edr, parallel } = await onBoth({ chains }, push0);
    expect(parallel).to.deep.equal(edr);
    expect(edr).to.deep.equal([bytesToHex(word(0n)), bytesToHex(word(0n))]);
  });

  it("chainId: eth_chainId, net_version, CHAINID and signed transactions", async function () {
    const { edr, parallel } = await onBoth({ chainId: 1337 }, async (rpc) => {
      const [from, to] = (await rpc("eth_accounts")) as string[];
      const tx = (await rpc("eth_getTransactionByHash", await rpc("eth_sendTransaction", { from, to, ...FEES }))) as { chainId: string; hash: string };
      return [await rpc("eth_chainId"), await rpc("net_version"), await rpc("eth_call", { data: "0x4660005260206000f3" }), tx.chainId, tx.hash];
    });
    expect(parallel).to.deep.equal(edr);
    expect(edr.slice(0, 2)).to.deep.equal(["0x539", "1337"]);
  });

  it("coinbase: eth_coinbase, the blocks' miner, COINBASE and the tips it earns", async function () {
    const coinbase = "0x00000000000000000000000000000000c0ffee00";
    const { edr, parallel } = await onBoth({ coinbase }, async (rpc) => {
      const [from, to] = (await rpc("eth_accounts")) as string[];
      await rpc("eth_sendTransaction", { from, to, ...FEES });
      const block = (await rpc("eth_getBlockByNumber", "latest", false)) as { miner: string };
      return [await rpc("eth_coinbase"), block.miner, await rpc("eth_call", { data: "0x4160005260206000f3" }), await rpc("eth_getBalance", coinbase, "latest")];
    });
    expect(parallel).to.deep.equal(edr);
    expect(edr[0]).to.equal(coinbase);
  });

  it("blockGasLimit and initialBaseFeePerGas: the genesis block and the base fees after it", async function () {
    const { edr, parallel } = await onBoth({ blockGasLimit: 20_000_000, initialBaseFeePerGas: 7_000_000_000 }, async (rpc) => {
      const [from, to] = (await rpc("eth_accounts")) as string[];
      await rpc("eth_sendTransaction", { from, to, maxFeePerGas: "0x4a817c800", maxPriorityFeePerGas: "0x1" });
      const fields = async (n: string) => {
        const b = (await rpc("eth_getBlockByNumber", n, false)) as { gasLimit: string; baseFeePerGas: string };
        return [b.gasLimit, b.baseFeePerGas];
      };
      return [await fields("0x0"), await fields("0x1"), await rpc("eth_gasPrice")];
    });
    expect(parallel).to.deep.equal(edr);
    expect(edr[0]).to.deep.equal(["0x1312d00", "0x1a13b8600"]);
  });

  it("initialDate: the genesis timestamp, in UTC and in local time", async function () {
    for (const initialDate of ["2021-06-01T12:34:56.789Z", "2021-06-01 10:00:00"]) {
      const { edr, parallel } = await onBoth({ initialDate }, async (rpc) => ((await rpc("eth_getBlockByNumber", "0x0", false)) as { timestamp: string }).timestamp);
      expect(parallel).to.equal(edr);
      expect(Number(edr)).to.equal(Math.floor(new Date(initialDate).getTime() / 1000));
    }
  });

  describe("accounts", function () {
    const accountsView = async (rpc: Rpc) => {
      const accounts = (await rpc("eth_accounts")) as string[];
      const balances = [];
      for (const a of accounts) balances.push(await rpc("eth_getBalance", a, "latest"));
      // The first account signs a transfer to the last: the network holds its key.
      const tx = (await rpc("eth_getTransactionByHash", await rpc("eth_sendTransaction", { from: accounts[0], to: accounts[accounts.length - 1], value: "0x1", ...FEES }))) as { hash: string };
      return { accounts, balances, tx: tx.hash };
    };

    it("an HD wallet with its mnemonic, path, initialIndex, count, passphrase and accountsBalance", async function () {
      const accounts = {
        mnemonic: "candy maple cake sugar pudding cream honey rich smooth crumble sweet treat",
        path: "m/44'/60'/1'/0",
        initialIndex: 3,
        count: 4,
        passphrase: "parallel",
        accountsBalance: "123456789000000000000",
      };
      const { edr, parallel } = await onBoth({ accounts }, accountsView);
      expect(parallel).to.deep.equal(edr);
      expect(edr.accounts).to.have.length(4);
    });

    it("a list of private keys with their balances", async function () {
      const accounts = [
        { privateKey: `0x${"11".repeat(32)}`, balance: "1000000000000000000000" },
        { privateKey: `0x${"22".repeat(32)}`, balance: "5" },
      ];
      const { edr, parallel } = await onBoth({ accounts }, accountsView);
      expect(parallel).to.deep.equal(edr);
      expect(edr.balances[1]).to.equal("0x5");
    });
  });

  describe("from, gas, gasPrice, gasMultiplier (Hardhat's provider wrappers, around both networks)", function () {
    const sent = async (rpc: Rpc) => {
      const [, to] = (await rpc("eth_accounts")) as string[];
      const tx = (await rpc("eth_getTransactionByHash", await rpc("eth_sendTransaction", { to, value: "0x1" }))) as Record<string, string>;
      // The estimates differ by design (docs/hardhat-network-compat.md, known differences): each network's own is what "auto" multiplies.
      const estimate = (await rpc("eth_estimateGas", { from: tx.from, to, value: "0x1" })) as string;
      return { from: tx.from, gas: tx.gas, type: tx.type, gasPrice: tx.type === "0x0" ? tx.gasPrice : undefined, estimate };
    };

    it("from, gas and gasPrice fill what a transaction leaves out", async function () {
      const [, , , third] = (await rpcOf(await hardhatNetwork())("eth_accounts")) as string[];
      const { edr, parallel } = await onBoth({ from: third, gas: 100_000, gasPrice: 3_000_000_000 }, sent);
      expect({ ...parallel, estimate: undefined }).to.deep.equal({ ...edr, estimate: undefined });
      expect(edr).to.include({ from: third, gas: "0x186a0", type: "0x0", gasPrice: "0xb2d05e00" });
    });

    it('gas "auto" with a gasMultiplier: each network\'s own estimate, multiplied', async function () {
      const { edr, parallel } = await onBoth({ gas: "auto", gasMultiplier: 1.5 }, sent);
      for (const r of [edr, parallel]) expect(Number(r.gas)).to.equal(Math.floor(Number(r.estimate) * 1.5));
      expect({ ...parallel, gas: undefined, estimate: undefined }).to.deep.equal({ ...edr, gas: undefined, estimate: undefined });
    });
  });

  for (const interval of [150, [100, 200] as [number, number]]) {
    it(`mining: automine off, interval ${JSON.stringify(interval)}: blocks come on their own and take the mempool, on both`, async function () {
      const { edr, parallel } = await onBoth({ mining: { auto: false, interval, mempool: { order: "priority" } } }, async (rpc) => {
        const [from, to] = (await rpc("eth_accounts")) as string[];
        const hash = await rpc("eth_sendTransaction", { from, to, ...FEES });
        await new Promise((resolve) => setTimeout(resolve, 800));
        await rpc("evm_setIntervalMining", 0);
        const receipt = (await rpc("eth_getTransactionReceipt", hash)) as { status: string } | null;
        return { minedLater: receipt?.status, severalBlocks: Number(await rpc("eth_blockNumber")) >= 2 };
      });
      expect(parallel).to.deep.equal(edr);
      expect(edr).to.deep.equal({ minedLater: "0x1", severalBlocks: true });
    });
  }

  describe("refused options", function () {
    it("minGasPrice other than 0", async function () {
      await expectRefused({ minGasPrice: 5n }, "networks.hardhat.minGasPrice is 5");
    });
    it("loggingEnabled true", async function () {
      await expectRefused({ loggingEnabled: true }, "networks.hardhat.loggingEnabled is true");
    });
    it("forking enabled", async function () {
      await expectRefused({ forking: { enabled: true, url: "http://127.0.0.1:8545" } }, "networks.hardhat.forking is enabled");
    });
    it("solidity-coverage's block gas limit (no EIP-7825 cap on Hardhat's network)", async function () {
      await expectRefused({ blockGasLimit: 0x1fffffffffffff }, `networks.hardhat.blockGasLimit is ${0x1fffffffffffff}`);
    });

    it("none at its default value, or set to what changes nothing", async function () {
      const network = await createParallelNetwork(
        {
          ...hre.config.networks.hardhat,
          minGasPrice: 0n,
          loggingEnabled: false,
          enableRip7212: false,
          enableTransientStorage: true,
          forking: { enabled: false, url: "http://127.0.0.1:8545" },
        },
        hre.config.parallel,
        hre.artifacts,
      );
      try {
        expect(await network.request({ method: "eth_chainId", params: [] })).to.equal("0x7a69");
      } finally {
        await network.close();
      }
    });
  });
});

async function expectRefused(overrides: Partial<HardhatNetworkConfig>, start: string): Promise<void> {
  const error = await createParallelNetwork({ ...hre.config.networks.hardhat, ...overrides }, hre.config.parallel, hre.artifacts).then(
    async (network) => {
      await network.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(error, `${JSON.stringify(overrides, (_k, v) => (typeof v === "bigint" ? String(v) : v))} was accepted`).to.be.instanceOf(HardhatPluginError);
  const message = (error as Error).message;
  expect(message.startsWith(start), message).to.equal(true);
  expect(message).to.contain("HARDHAT_PARALLEL=0");
}

/**
 * The parallel network's first increment, driven through ethers v6 as a user
 * would (BrowserProvider over the EIP-1193 provider): deployments, calls,
 * reverts with their data, automine and manual mining (a block of many
 * transactions executed in parallel and equal to the same block on a
 * sequential-only network), snapshots, state edits, historical reads, and
 * clear errors for bad requests and invalid transactions. Each workload
 * preset mined on it gives the engine's receipts.
 */
import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";
import { BrowserProvider, ContractFactory, Interface, Wallet, getAddress, parseEther, verifyMessage, verifyTypedData } from "ethers";
import type { Contract } from "ethers";
import hre from "hardhat";

import { executeBlockSequential } from "../../plugin/engine/sequential";
import { ExecutionRevertedError } from "../../plugin/network/errors";
import { ParallelNetworkProvider } from "../../plugin/network/provider";
import { testAccounts } from "../../plugin/workloads/accounts";
import { directNetwork, rpcError } from "../helpers/direct-network";
import { PRESET_NAMES, generateWorkload, mineWorkloadOnProvider, prepareWorkloadOnEngine } from "../../plugin/workloads";

const ACCOUNTS = testAccounts(24, 99);

function network(parallel: boolean): ParallelNetworkProvider {
  return directNetwork({ accounts: ACCOUNTS, balance: "10000", parallel: { enabled: parallel, workers: 2, minTxsForParallel: 4, maxReexecutionRatio: 1000 } });
}

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the request to fail");
}


describe("parallel network provider", function () {
  let net: ParallelNetworkProvider;
  let provider: BrowserProvider;
  let token: Contract;

  before(async function () {
    await hre.run("compile", { quiet: true });
    net = network(true);
    provider = new BrowserProvider(net);
    const artifact = hre.artifacts.readArtifactSync("TestToken");
    const deployer = await provider.getSigner(ACCOUNTS[0].address.toString());
    token = (await new ContractFactory(artifact.abi, artifact.bytecode, deployer).deploy("Test USD", "TUSD", 6)) as Contract;
    await token.waitForDeployment();
    await (await token.getFunction("batchMint")(ACCOUNTS.map((a) => a.address.toString()), 1_000_000n)).wait();
  });

  after(async function () {
    await net.close();
  });

  it("answers chain queries and serves a deployed contract through ethers", async function () {
    expect((await provider.getNetwork()).chainId).to.equal(31337n);
    expect(await net.request({ method: "eth_blockNumber" })).to.equal("0x2");
    expect(await token.getFunction("symbol")()).to.equal("TUSD");
    expect(await token.getFunction("balanceOf")(ACCOUNTS[5].address.toString())).to.equal(1_000_000n);
    const block = await provider.getBlock(2);
    expect(block!.transactions).to.have.length(1);
    expect(block!.parentHash).to.equal((await provider.getBlock(1))!.hash);
  });

  it("mines a transfer with its receipt and event, and reads balances at earlier blocks", async function () {
    const alice = await provider.getSigner(ACCOUNTS[1].address.toString());
    const before = Number(await net.request({ method: "eth_blockNumber" }));
    const tx = await (token.connect(alice) as Contract).getFunction("transfer")(ACCOUNTS[2].address.toString(), 250n);
    const receipt = await tx.wait();
    expect(receipt!.status).to.equal(1);
    const [log] = receipt!.logs;
    const parsed = token.interface.parseLog(log)!;
    expect(parsed.name).to.equal("Transfer");
    expect(parsed.args[2]).to.equal(250n);
    expect(await token.getFunction("balanceOf")(ACCOUNTS[2].address.toString())).to.equal(1_000_250n);
    expect(await token.getFunction("balanceOf")(ACCOUNTS[2].address.toString(), { blockTag: before })).to.equal(1_000_000n);
    const eth = await provider.getBalance(ACCOUNTS[1].address.toString(), before);
    expect(await provider.getBalance(ACCOUNTS[1].address.toString())).to.be.lessThan(eth);
  });

  it("reports reverts of calls and gas estimates with the revert data", async function () {
    const carol = await provider.getSigner(ACCOUNTS[3].address.toString());
    const error = (await failure(net.request({ method: "eth_call", params: [{ from: ACCOUNTS[3].address.toString(), to: await token.getAddress(), data: token.interface.encodeFunctionData("transfer", [ACCOUNTS[4].address.toString(), 5_000_000n]) }] }))) as ExecutionRevertedError;
    // As on Hardhat's network: no code, the revert data as hex, and a message naming the failure.
    expect(error).to.be.instanceOf(ExecutionRevertedError);
    expect((error as unknown as { code?: number }).code).to.equal(undefined);
    const data = error.data;
    expect(error.message).to.equal(`VM Exception while processing transaction: reverted with an unrecognized custom error (return data: ${data})`);
    const decoded = new Interface(hre.artifacts.readArtifactSync("TestToken").abi).parseError(data)!;
    expect(decoded.name).to.equal("ERC20InsufficientBalance");
    expect(decoded.args[2]).to.equal(5_000_000n);
    const estimateError = (await failure(net.request({ method: "eth_estimateGas", params: [{ from: ACCOUNTS[3].address.toString(), to: await token.getAddress(), data: token.interface.encodeFunctionData("transfer", [ACCOUNTS[4].address.toString(), 5_000_000n]) }] }))) as ExecutionRevertedError;
    expect(estimateError.data).to.equal(data);
    const gas = await (token.connect(carol) as Contract).getFunction("transfer").estimateGas(ACCOUNTS[4].address.toString(), 1n);
    expect(gas).to.be.within(30_000n, 80_000n);
  });

  it("mines the mempool as one parallel block, equal to the same block on a sequential network", async function () {
    const seq = network(false);
    try {
      const nets = [net, seq];
      // The sequential network gets the same history first: deployment and mint.
      for (let n = 1; n <= 2; n++) {
        const mined = net.chain.blockByNumber(n)!;
        for (const tx of mined.block.transactions) await seq.request({ method: "eth_sendRawTransaction", params: [bytesToHex(tx.serialize())] });
      }
      const tokenAddress = await token.getAddress();
      const iface = token.interface;
      const raws: string[] = [];
      for (let i = 4; i < 24; i++) {
        const wallet = new Wallet(bytesToHex(ACCOUNTS[i].privateKey));
        const nonce = Number(await net.request({ method: "eth_getTransactionCount", params: [wallet.address, "pending"] }));
        raws.push(
          await wallet.signTransaction({
            to: tokenAddress,
            data: iface.encodeFunctionData("transfer", [ACCOUNTS[(i + 7) % 24].address.toString(), BigInt(i)]),
            gasLimit: 100_000n,
            maxFeePerGas: 10_000_000_000n,
            maxPriorityFeePerGas: 1_000_000_000n,
            nonce,
            chainId: 31337n,
            type: 2,
          }),
        );
      }
      // Line the sequential network up to the same height first (the transfer test mined one block on `net`).
      const extra = net.chain.blockByNumber(3)!;
      for (const tx of extra.block.transactions) await seq.request({ method: "eth_sendRawTransaction", params: [bytesToHex(tx.serialize())] });
      for (const n of nets) {
        await n.request({ method: "evm_setAutomine", params: [false] });
        await n.request({ method: "evm_setNextBlockTimestamp", params: [`0x${(2_000_000_000).toString(16)}`] });
        for (const raw of raws) await n.request({ method: "eth_sendRawTransaction", params: [raw] });
        await n.request({ method: "evm_mine", params: [] });
        await n.request({ method: "evm_setAutomine", params: [true] });
      }
      const [a, b] = (await Promise.all(nets.map((n) => n.request({ method: "eth_getBlockByNumber", params: ["latest", false] })))) as { transactions: string[]; stateRoot: string; receiptsRoot: string; hash: string }[];
      expect(a.transactions).to.have.length(20);
      expect(a.stateRoot).to.equal(b.stateRoot);
      expect(a.receiptsRoot).to.equal(b.receiptsRoot);
      // (Block hashes differ: automined blocks took their timestamps from the clock.)
      const report = (await net.request({ method: "parallel_getBlockReport", params: ["latest"] })) as { mode: string; workers: number; transactions: unknown[] };
      expect(report.mode).to.equal("parallel");
      expect(report.workers).to.equal(2);
      expect(report.transactions).to.have.length(20);
    } finally {
      await seq.close();
    }
  });

  it("reports fee history, and sends a legacy transaction when only a gas price is given", async function () {
    const history = (await net.request({ method: "eth_feeHistory", params: ["0x2", "latest", [10, 90]] })) as { oldestBlock: string; baseFeePerGas: string[]; gasUsedRatio: number[]; reward: string[][] };
    const height = Number(await net.request({ method: "eth_blockNumber" }));
    expect(history.oldestBlock).to.equal(`0x${(height - 1).toString(16)}`);
    // One base fee per block plus the next block's.
    expect(history.baseFeePerGas).to.have.length(3);
    expect(history.gasUsedRatio).to.have.length(2);
    expect(history.reward.map((r) => r.length)).to.deep.equal([2, 2]);
    expect((await rpcError(net.request({ method: "eth_feeHistory", params: ["0x1", "latest", [90, 10]] }))).code).to.equal(-32602);
    const from = ACCOUNTS[2].address.toString();
    const hash = (await net.request({ method: "eth_sendTransaction", params: [{ from, to: ACCOUNTS[3].address.toString(), value: "0x1", gas: "0x5208", gasPrice: "0x77359400" }] })) as string;
    const tx = (await net.request({ method: "eth_getTransactionByHash", params: [hash] })) as { type: string; gasPrice: string; chainId?: string };
    expect([tx.type, tx.gasPrice]).to.deep.equal(["0x0", "0x77359400"]);
  });

  it("sends from impersonated accounts, alone and in a parallel block", async function () {
    const rpc = (method: string, ...params: unknown[]) => net.request({ method, params });
    const whales = Array.from({ length: 6 }, (_, i) => `0x${(0xabc0 + i).toString(16).padStart(40, "0")}`);
    const to = ACCOUNTS[20].address.toString();
    const refused = await rpcError(rpc("eth_sendTransaction", { from: whales[0], to, value: "0x1" }));
    expect(refused.message).to.equal(`Unknown account ${getAddress(whales[0])}`);
    for (const w of whales) {
      await rpc("hardhat_setBalance", w, "0xde0b6b3a7640000");
      expect(await rpc("hardhat_impersonateAccount", w)).to.equal(true);
    }
    const hash = (await rpc("eth_sendTransaction", { from: whales[0], to, value: "0x5", gas: "0x5208" })) as string;
    const receipt = (await rpc("eth_getTransactionReceipt", hash)) as { from: string; status: string };
    expect([receipt.from, receipt.status]).to.deep.equal([whales[0], "0x1"]);
    // Several impersonated senders in one manually mined block: executed in parallel.
    const before = BigInt((await rpc("eth_getBalance", to, "latest")) as string);
    await rpc("evm_setAutomine", false);
    for (const w of whales) await rpc("eth_sendTransaction", { from: w, to, value: "0x7", gas: "0x5208" });
    await rpc("evm_mine");
    await rpc("evm_setAutomine", true);
    const report = (await rpc("parallel_getBlockReport", "latest")) as { mode: string; transactions: unknown[] };
    expect([report.mode, report.transactions.length]).to.deep.equal(["parallel", 6]);
    expect(BigInt((await rpc("eth_getBalance", to, "latest")) as string) - before).to.equal(42n);
    expect(await rpc("hardhat_stopImpersonatingAccount", whales[0])).to.equal(true);
    expect((await rpcError(rpc("eth_sendTransaction", { from: whales[0], to, value: "0x1" }))).message).to.match(/Unknown account/);
  });

  it("signs messages and typed data with local accounts, and sets the next block's base fee", async function () {
    const rpc = (method: string, ...params: unknown[]) => net.request({ method, params });
    const address = ACCOUNTS[7].address.toString();
    const signer = await provider.getSigner(address);
    const signature = await signer.signMessage("hello parallel");
    expect(verifyMessage("hello parallel", signature).toLowerCase()).to.equal(address);
    const domain = { name: "Probe", version: "1", chainId: 31337, verifyingContract: ACCOUNTS[8].address.toString() };
    const types = { Mail: [{ name: "to", type: "address" }, { name: "amount", type: "uint256" }] };
    const value = { to: ACCOUNTS[9].address.toString(), amount: 5n };
    const typed = await signer.signTypedData(domain, types, value);
    expect(verifyTypedData(domain, types, value, typed).toLowerCase()).to.equal(address);
    expect((await rpcError(rpc("personal_sign", "0x1234", "0x000000000000000000000000000000000000dead"))).message).to.equal("Unknown account 0x000000000000000000000000000000000000dEaD");
    await rpc("hardhat_setNextBlockBaseFeePerGas", "0x12345");
    await rpc("evm_mine");
    const block = (await rpc("eth_getBlockByNumber", "latest", false)) as { baseFeePerGas: string };
    expect(block.baseFeePerGas).to.equal("0x12345");
    await rpc("evm_mine");
    const next = (await rpc("eth_getBlockByNumber", "latest", false)) as { baseFeePerGas: string };
    // Back to the usual progression: an empty block lowers the base fee by an eighth.
    expect(BigInt(next.baseFeePerGas)).to.equal(0x12345n - 0x12345n / 8n);
  });

  it("resets to the configured genesis", async function () {
    const fresh = network(true);
    try {
      const rpc = (method: string, ...params: unknown[]) => fresh.request({ method, params });
      const genesis = ((await rpc("eth_getBlockByNumber", "0x0", false)) as { hash: string }).hash;
      const who = ACCOUNTS[1].address.toString();
      await rpc("eth_sendTransaction", { from: who, to: ACCOUNTS[2].address.toString(), value: "0x10", gas: "0x5208" });
      await rpc("evm_setBlockGasLimit", "0x989680");
      await rpc("hardhat_mine", "0x64");
      expect(Number(await rpc("eth_blockNumber"))).to.equal(101);
      expect(await rpc("hardhat_reset")).to.equal(true);
      expect(await rpc("eth_blockNumber")).to.equal("0x0");
      expect(((await rpc("eth_getBlockByNumber", "0x0", false)) as { hash: string }).hash).to.equal(genesis);
      expect(BigInt((await rpc("eth_getBalance", who, "latest")) as string)).to.equal(parseEther("10000"));
      expect(Number(await rpc("eth_getTransactionCount", who, "latest"))).to.equal(0);
      await rpc("evm_mine");
      expect(((await rpc("eth_getBlockByNumber", "latest", false)) as { gasLimit: string }).gasLimit).to.equal("0x1c9c380");
      expect((await rpcError(rpc("hardhat_reset", { forking: { jsonRpcUrl: "http://localhost:8545" } }))).code).to.equal(-32602);
    } finally {
      await fresh.close();
    }
  });

  it("mines on an interval when asked, and stops when told", async function () {
    const rpc = (method: string, ...params: unknown[]) => net.request({ method, params });
    await rpc("evm_setAutomine", false);
    const start = Number(await rpc("eth_blockNumber"));
    const hash = (await rpc("eth_sendTransaction", { from: ACCOUNTS[5].address.toString(), to: ACCOUNTS[6].address.toString(), value: "0x1", gas: "0x5208" })) as string;
    expect(await rpc("eth_getTransactionReceipt", hash)).to.equal(null);
    expect((await rpcError(rpc("evm_setIntervalMining", -5))).code).to.equal(-32602);
    await rpc("evm_setIntervalMining", 40);
    const deadline = Date.now() + 5000;
    while ((await rpc("eth_getTransactionReceipt", hash)) === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await rpc("evm_setIntervalMining", 0);
    await rpc("evm_setAutomine", true);
    expect(((await rpc("eth_getTransactionReceipt", hash)) as { status: string }).status).to.equal("0x1");
    const stopped = Number(await rpc("eth_blockNumber"));
    expect(stopped).to.be.greaterThan(start);
    await new Promise((r) => setTimeout(r, 150));
    expect(Number(await rpc("eth_blockNumber"))).to.equal(stopped);
  });

  it("reverts to snapshots, undoing blocks, state edits and the mempool", async function () {
    const who = ACCOUNTS[10].address.toString();
    const blockNumber = async () => Number(await net.request({ method: "eth_blockNumber" }));
    // Direct requests: ethers' provider caches identical reads for 250 ms.
    const rpc = (method: string, ...params: unknown[]) => net.request({ method, params });
    const blockBefore = await blockNumber();
    const nonceBefore = Number(await rpc("eth_getTransactionCount", who, "latest"));
    const balanceBefore = BigInt((await rpc("eth_getBalance", who, "latest")) as string);
    const id = await net.request({ method: "evm_snapshot", params: [] });
    await net.request({ method: "hardhat_setBalance", params: [who, "0x1234"] });
    await net.request({ method: "hardhat_setCode", params: [who, "0x6001600055"] });
    await net.request({ method: "hardhat_setStorageAt", params: [who, "0x1", `0x${"ab".repeat(32)}`] });
    await net.request({ method: "hardhat_setNonce", params: [who, "0x9"] });
    expect(BigInt((await rpc("eth_getBalance", who, "latest")) as string)).to.equal(0x1234n);
    expect(await rpc("eth_getCode", who, "latest")).to.equal("0x6001600055");
    expect(await rpc("eth_getStorageAt", who, "0x1", "latest")).to.equal(`0x${"ab".repeat(32)}`);
    expect(Number(await rpc("eth_getTransactionCount", who, "latest"))).to.equal(9);
    const sender = await provider.getSigner(ACCOUNTS[11].address.toString());
    await (await sender.sendTransaction({ to: who, value: 1n })).wait();
    expect(await blockNumber()).to.equal(blockBefore + 1);
    expect(await net.request({ method: "evm_revert", params: [id] })).to.equal(true);
    expect(await blockNumber()).to.equal(blockBefore);
    expect(BigInt((await rpc("eth_getBalance", who, "latest")) as string)).to.equal(balanceBefore);
    expect(await rpc("eth_getCode", who, "latest")).to.equal("0x");
    expect(await rpc("eth_getStorageAt", who, "0x1", "latest")).to.equal(`0x${"00".repeat(32)}`);
    expect(Number(await rpc("eth_getTransactionCount", who, "latest"))).to.equal(nonceBefore);
    // A snapshot is single-use.
    expect(await net.request({ method: "evm_revert", params: [id] })).to.equal(false);
  });

  it("rejects bad requests and invalid transactions with a code and a message that names the problem, changing nothing", async function () {
    const height = Number(await net.request({ method: "eth_blockNumber" }));
    const unknown = await rpcError(net.request({ method: "eth_teleport", params: [] }));
    expect([unknown.code, unknown.message]).to.deep.equal([-32004, "Method eth_teleport is not supported"]);
    const badAddress = await rpcError(net.request({ method: "eth_getBalance", params: ["0x1234", "latest"] }));
    // Hardhat's parser message, with the column where it stopped (bad-input.test.ts compares these with Hardhat's network).
    expect([badAddress.code, badAddress.message]).to.deep.equal([-32602, 'invalid value "0x1234" supplied to : ADDRESS at line 1 column 46']);
    expect((await rpcError(net.request({ method: "eth_getStorageAt", params: [ACCOUNTS[0].address.toString(), "zz", "latest"] }))).code).to.equal(-32602);
    const wallet = new Wallet(bytesToHex(ACCOUNTS[12].privateKey));
    const base = { to: ACCOUNTS[13].address.toString(), value: 1n, gasLimit: 21_000n, maxFeePerGas: 10_000_000_000n, maxPriorityFeePerGas: 1n, chainId: 31337n, type: 2 };
    const n = Number(await net.request({ method: "eth_getTransactionCount", params: [wallet.address, "pending"] }));
    await net.request({ method: "eth_sendRawTransaction", params: [await wallet.signTransaction({ ...base, nonce: n })] });
    expect((await rpcError(net.request({ method: "eth_sendRawTransaction", params: ["0xzz"] }))).code).to.equal(-32602);
    const again = await rpcError(net.request({ method: "eth_sendRawTransaction", params: [await wallet.signTransaction({ ...base, nonce: n })] }));
    expect(again.message).to.equal(`Nonce too low. Expected nonce to be ${n + 1} but got ${n}. Note that transactions can't be queued when automining.`);
    const poor = Wallet.createRandom();
    const broke = await rpcError(net.request({ method: "eth_sendRawTransaction", params: [await poor.signTransaction({ ...base, nonce: 0 })] }));
    expect(broke.message).to.match(/doesn't have enough funds/);
    const wrongChain = await rpcError(net.request({ method: "eth_sendRawTransaction", params: [await wallet.signTransaction({ ...base, nonce: n + 1, chainId: 1n })] }));
    expect([wrongChain.code, wrongChain.message]).to.deep.equal([-32602, "Trying to send a raw transaction with an invalid chainId. The expected chainId is 31337"]);
    await net.request({ method: "evm_setBlockGasLimit", params: ["0x989680"] });
    const tooBig = await rpcError(net.request({ method: "eth_sendRawTransaction", params: [await wallet.signTransaction({ ...base, nonce: n + 1, gasLimit: 12_000_000n })] }));
    expect(tooBig.message).to.equal("Transaction gas limit is 12000000 and exceeds block gas limit of 10000000");
    await net.request({ method: "evm_setBlockGasLimit", params: ["0x1c9c380"] });
    // Osaka caps every transaction at 2^24 gas (EIP-7825).
    const overCap = await rpcError(net.request({ method: "eth_sendRawTransaction", params: [await wallet.signTransaction({ ...base, nonce: n + 1, gasLimit: 20_000_000n })] }));
    expect(overCap.message).to.equal("Transaction gas limit is 20000000 and exceeds transaction gas cap of 16777216");
    const intrinsic = await rpcError(net.request({ method: "eth_sendRawTransaction", params: [await wallet.signTransaction({ ...base, nonce: n + 1, gasLimit: 20_000n })] }));
    expect(intrinsic.message).to.match(/requires at least 21000 gas but got 20000/);
    // Only the one valid transfer was mined.
    expect(Number(await net.request({ method: "eth_blockNumber" }))).to.equal(height + 1);
  });

  it("mines every workload preset's block in parallel with the engine's receipts", async function () {
    const artifacts = (name: string) => hre.artifacts.readArtifactSync(name);
    for (const preset of PRESET_NAMES) {
      const fresh = network(true);
      try {
        const w = generateWorkload(preset, { txs: 30, accounts: 80, seed: 3 }, artifacts);
        const mined = await mineWorkloadOnProvider(fresh, w);
        const engine = await prepareWorkloadOnEngine(w);
        const expected = await executeBlockSequential(engine);
        expect(mined.block.receipts.map((r) => [r.status, r.gasUsed]), preset).to.deep.equal(expected.receipts.map((r) => [`0x${r.status}`, `0x${r.gasUsed.toString(16)}`]));
        const report = (await fresh.request({ method: "parallel_getBlockReport", params: ["latest"] })) as { mode: string };
        expect(report.mode, preset).to.equal("parallel");
      } finally {
        await fresh.close();
      }
    }
  });
});

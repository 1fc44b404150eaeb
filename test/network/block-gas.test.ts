/**
 * Which pending transactions a mined block takes, and in which order.
 * - The rule is on gas used, not on gas limits: a transaction fits when its
 *   gas limit is at most what the transactions before it left of the block
 *   gas limit. One that does not fit waits for the next block, with its
 *   sender's later transactions, while other senders' transactions still go in.
 * - Order: by miner tip ("priority", the default) or by arrival ("fifo"),
 *   each sender's nonce order kept.
 * Checked against Hardhat's own network with the same transactions.
 */
import { expect } from "chai";
import type { Eip1193Provider } from "ethers";
import hre from "hardhat";

import { hardhatNetwork, parallelNetwork } from "../helpers/networks";

/** Init code of a contract whose code loops until it runs out of gas (JUMPDEST PUSH1 0 JUMP). */
const BURNER_INITCODE = "0x635b6000566000526004601cf3";
/** Gas limit of each burner, and a block gas limit that takes three of them plus a plain transfer. */
const BURNER_GAS = 1_000_000n;
const BLOCK_GAS_LIMIT = 3_100_000;

async function send(p: Eip1193Provider, tx: Record<string, string>): Promise<string> {
  return (await p.request({ method: "eth_sendTransaction", params: [tx] })) as string;
}

/** Mines two blocks out of one mempool; returns the hashes in each, as positions in the send order. */
async function exercise(p: Eip1193Provider): Promise<{ first: number[]; second: number[]; gasUsed: string[] }> {
  const accounts = (await p.request({ method: "eth_accounts" })) as string[];
  const deployed = await send(p, { from: accounts[0], data: BURNER_INITCODE, gas: "0x186a0" });
  const burner = ((await p.request({ method: "eth_getTransactionReceipt", params: [deployed] })) as { contractAddress: string }).contractAddress;
  const limit = BigInt(((await p.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as { gasLimit: string }).gasLimit);
  await p.request({ method: "evm_setAutomine", params: [false] });
  const hashes: string[] = [];
  // Burners use their whole gas limit: as many as fit.
  const burners = Number(limit / BURNER_GAS);
  const gas = `0x${BURNER_GAS.toString(16)}`;
  for (let i = 0; i < burners; i++) hashes.push(await send(p, { from: accounts[1 + i], to: burner, gas }));
  // A transfer whose limit no longer fits, its sender's next one, and another sender's small one that does.
  const late = accounts[1 + burners];
  hashes.push(await send(p, { from: late, to: accounts[0], value: "0x1", gas }));
  hashes.push(await send(p, { from: late, to: accounts[0], value: "0x1", gas: "0x5208" }));
  hashes.push(await send(p, { from: accounts[2 + burners], to: accounts[0], value: "0x1", gas: "0x5208" }));
  const positions = async () => {
    await p.request({ method: "evm_mine", params: [] });
    const block = (await p.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as { transactions: string[]; gasUsed: string };
    return { positions: block.transactions.map((h) => hashes.indexOf(h)), gasUsed: block.gasUsed };
  };
  const first = await positions();
  const second = await positions();
  await p.request({ method: "evm_setAutomine", params: [true] });
  return { first: first.positions, second: second.positions, gasUsed: [first.gasUsed, second.gasUsed] };
}

/** Sends five transactions with different tips (one sender twice) and mines them; returns the senders' labels in block order. */
async function mempoolOrder(p: Eip1193Provider): Promise<string[]> {
  const accounts = (await p.request({ method: "eth_accounts" })) as string[];
  const baseFee = BigInt(((await p.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as { baseFeePerGas: string }).baseFeePerGas);
  const gwei = 1_000_000_000n;
  const hex = (n: bigint) => `0x${n.toString(16)}`;
  const eip1559 = (from: number, tip: bigint) => ({ from: accounts[from], to: accounts[9], value: "0x1", gas: "0x5208", maxFeePerGas: hex(baseFee + 20n * gwei), maxPriorityFeePerGas: hex(tip * gwei) });
  await p.request({ method: "evm_setAutomine", params: [false] });
  const sent: [string, Record<string, string>][] = [
    ["a0 n0 tip 1", eip1559(0, 1n)],
    ["a1 tip 5", eip1559(1, 5n)],
    ["a2 tip 3", eip1559(2, 3n)],
    ["a0 n1 tip 10", eip1559(0, 10n)],
    // Legacy: its tip is the gas price above the next block's base fee (under 1 gwei here): between 3 and 4 gwei.
    ["a3 legacy", { from: accounts[3], to: accounts[9], value: "0x1", gas: "0x5208", gasPrice: hex(4n * gwei) }],
  ];
  const labels = new Map<string, string>();
  for (const [label, tx] of sent) labels.set((await p.request({ method: "eth_sendTransaction", params: [tx] })) as string, label);
  await p.request({ method: "evm_mine", params: [] });
  await p.request({ method: "evm_setAutomine", params: [true] });
  const block = (await p.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as { transactions: string[] };
  return block.transactions.map((h) => labels.get(h)!);
}

describe("parallel network: which pending transactions a block takes", function () {
  for (const order of ["priority", "fifo"] as const) {
    it(`orders a block's transactions as Hardhat's network does (mempool order ${order})`, async function () {
      const mining = { ...hre.config.networks.hardhat.mining, mempool: { order } };
      const expected = await mempoolOrder(await hardhatNetwork({ mining }));
      const parallel = await parallelNetwork({ mining });
      try {
        expect(await mempoolOrder(parallel)).to.deep.equal(expected);
        expect(expected).to.deep.equal(
          order === "priority" ? ["a1 tip 5", "a3 legacy", "a2 tip 3", "a0 n0 tip 1", "a0 n1 tip 10"] : ["a0 n0 tip 1", "a1 tip 5", "a2 tip 3", "a0 n1 tip 10", "a3 legacy"],
        );
      } finally {
        await parallel.close();
      }
    });
  }

  it("fills blocks by gas used, deferring a transaction that does not fit and its sender's next, as Hardhat's network does", async function () {
    const expected = await exercise(await hardhatNetwork({ blockGasLimit: BLOCK_GAS_LIMIT }));
    const parallel = await parallelNetwork({ blockGasLimit: BLOCK_GAS_LIMIT });
    try {
      const got = await exercise(parallel);
      // Three burners and the other sender's transfer; the deferred pair next.
      expect(expected.first).to.deep.equal([0, 1, 2, 5]);
      expect(expected.second).to.deep.equal([3, 4]);
      expect(got).to.deep.equal(expected);
    } finally {
      await parallel.close();
    }
  });
});

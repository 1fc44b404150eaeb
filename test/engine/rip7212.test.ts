/**
 * ExecutionRules.rip7212P256Verify reaches every executor: the sequential
 * one, the calling thread of the parallel one and its worker threads (which
 * get the rules in their session config). A Cancun block of P256VERIFY calls
 * must give the same receipts on all of them, with the precompile present
 * (a valid signature verifies) only when the rule is on.
 */
import { Address, bytesToHex, createAddressFromString, hexToBytes } from "@ethereumjs/util";
import { createBlock } from "@ethereumjs/block";
import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { expect } from "chai";
import hre from "hardhat";

import { FlatState } from "../../plugin/engine/flat-state";
import type { ParallelBlockInput } from "../../plugin/engine/parallel";
import { testAccounts } from "../../plugin/workloads/accounts";
import { COINBASE, erc20TransferBlock, workloadCommon } from "../../plugin/workloads/erc20";
import { assertParallelMatchesSequential, closeExecutors, makeExecutors, warmUpExecutors } from "../helpers/oracle";
import { p256CallerCode, p256Inputs, word } from "../helpers/p256";

const CALLER = "00000000000000000000000000000000000c0de5";
const TXS = 24;

function p256Block(rip7212P256Verify: boolean): ParallelBlockInput {
  const common = workloadCommon();
  const senders = testAccounts(TXS, 7);
  const state = new FlatState();
  for (const a of senders) state.setAccount(a.hex, { balance: 10n ** 20n });
  state.setAccount(COINBASE, { balance: 1n });
  const code = hexToBytes(p256CallerCode() as `0x${string}`);
  state.setAccount(CALLER, { nonce: 1n, code, codeHash: bytesToHex(keccak_256(code)) });
  const inputs = Object.values(p256Inputs());
  const txs = senders.map((sender, i) =>
    createFeeMarket1559Tx(
      {
        nonce: 0n,
        maxFeePerGas: 20_000_000_000n,
        maxPriorityFeePerGas: 1_000_000_000n,
        gasLimit: 200_000n,
        to: createAddressFromString(`0x${CALLER}`),
        data: hexToBytes(inputs[i % inputs.length] as `0x${string}`),
        chainId: common.chainId(),
      },
      { common },
    ).sign(sender.privateKey),
  );
  const block = createBlock(
    {
      header: {
        number: 1n,
        coinbase: new Address(hexToBytes(`0x${COINBASE}`)),
        gasLimit: 30_000_000n,
        baseFeePerGas: 7n,
        timestamp: 1_700_000_000n,
        excessBlobGas: 0n,
        blobGasUsed: 0n,
        parentBeaconBlockRoot: new Uint8Array(32),
      },
      transactions: txs,
    },
    { common },
  );
  return { block, preState: state, senders: senders.map((s) => `0x${s.hex}`), rules: { rip7212P256Verify } };
}

describe("engine: the RIP-7212 P256VERIFY rule on every executor", function () {
  const executors = makeExecutors([2]);
  after(() => closeExecutors(executors));

  for (const rule of [true, false]) {
    it(`rule ${rule}: sequential, calling thread and worker thread agree`, async function () {
      this.timeout(60_000);
      const artifact = await hre.artifacts.readArtifact("TestToken");
      const warm = erc20TransferBlock({ txs: 64, accounts: 65, oneRecipient: true, tokenRuntimeCode: hexToBytes(artifact.deployedBytecode as `0x${string}`) });
      await warmUpExecutors(executors, { block: warm.block, preState: warm.preState, senders: warm.senders });
      const input = p256Block(rule);
      let workerRan = false;
      for (let attempt = 0; attempt < 5 && !workerRan; attempt++) {
        const { sequential, parallel } = await assertParallelMatchesSequential(input, { workers: [2], executors, label: `attempt ${attempt}` });
        const returned = sequential.receipts.map((r) => bytesToHex(r.logs[0][2]));
        // Input 0 of p256Inputs is a valid signature: only the precompile says so.
        expect(returned[0]).to.equal(rule ? bytesToHex(word(1n)) : "0x");
        workerRan = (parallel[0].result.stats.executedBy?.[1] ?? 0) > 0;
      }
      expect(workerRan, "the worker thread never executed a transaction").to.equal(true);
    });
  }
});

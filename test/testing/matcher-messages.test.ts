/**
 * The parallel-friendliness matchers (plugin/testing/matchers.ts) as chai
 * matchers are tested: each one passing and failing, plain and negated, with
 * the exact AssertionError message, and refusing bad arguments with a
 * TypeError that says what to pass. The batches are real blocks mined on a
 * parallel network built here (so this file runs on Hardhat's network too,
 * in the first half of `npm test`); the messages are checked against the
 * batches' own conflict reports.
 */
import { AssertionError, expect } from "chai";
import { Interface, getAddress } from "ethers";
import hre from "hardhat";

import { createParallelNetwork } from "../../plugin/hardhat/network-factory";
import type { ParallelNetworkProvider } from "../../plugin/network/provider";
import { ParallelNetworkNeededError, mineBatch } from "../../plugin/testing";
import type { Batch } from "../../plugin/testing";

/** The message of the `kind` error `fn` throws (failing the test if it throws nothing or anything else). */
function thrown(kind: new (...args: never[]) => Error, fn: () => void): string {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(kind);
    return (e as Error).message;
  }
  expect.fail(`no ${kind.name}: the assertion passed`);
}

/** The AssertionError `assertion` throws. */
const failure = (assertion: () => void): string => thrown(AssertionError, assertion);
/** The TypeError a misuse throws. */
const typeError = (misuse: () => void): string => thrown(TypeError, misuse);

/** How the failure messages list a batch's first three hotspots. */
function listed(batch: Batch): string {
  return batch.conflicts.hotspots
    .slice(0, 3)
    .map((h) => `${h.display} (${h.dependentTxs} dependent txs)`)
    .join("; ");
}

const NOT_A_BATCH = "works on what mineBatch returns (a batch mined as one block on the parallel network), got";
const HOTSPOT_NAME = 'hotspot takes "Contract.variable" or "variable" (a struct member as "Contract.variable.member"), e.g. "AmmPair.reserve0", got';

describe("parallel-friendliness matchers: pass and fail messages", function () {
  const MIN_TXS = 4;
  let net: ParallelNetworkProvider;
  let accounts: string[];
  /** 10 transfers between distinct accounts. */
  let free: Batch;
  /** 10 transfers to one recipient: 9 depend on the one before. */
  let hot: Batch;
  /** 10 transfers, 5 of them to one recipient: 4 of 10 depend on an earlier one. */
  let mixed: Batch;
  /** 12 transfers to 4 recipients, 3 each: four hotspots. */
  let spread: Batch;
  /** 2 transfers, fewer than minTxsForParallel: run sequentially, not verified. */
  let small: Batch;
  let hotRecipient: string;
  const rpc = (method: string, ...params: unknown[]) => net.request({ method, params });

  before(async function () {
    await hre.run("compile", { quiet: true });
    net = await createParallelNetwork(hre.network.config as never, { ...hre.config.parallel, workers: 2, minTxsForParallel: MIN_TXS }, hre.artifacts);
    accounts = (await rpc("eth_accounts")) as string[];
    const artifact = await hre.artifacts.readArtifact("TestToken");
    const iface = new Interface(artifact.abi);
    const hash = await rpc("eth_sendTransaction", { from: accounts[0], data: artifact.bytecode + iface.encodeDeploy(["T", "T", 18]).slice(2) });
    const token = ((await rpc("eth_getTransactionReceipt", hash)) as { contractAddress: string }).contractAddress;
    await rpc("eth_sendTransaction", { from: accounts[0], to: token, data: iface.encodeFunctionData("batchMint", [accounts.slice(1, 13), 1000n]) });
    const fresh = (i: number) => getAddress(`0x${(0xfee000 + i).toString(16).padStart(40, "0")}`);
    /** One transfer of 1 from accounts[i] to recipient(i) per sender index. */
    const batchOf = (senders: number, recipient: (i: number) => string): Promise<Batch> =>
      mineBatch(net, async () => {
        for (let i = 1; i <= senders; i++) {
          await rpc("eth_sendTransaction", { from: accounts[i], to: token, data: iface.encodeFunctionData("transfer", [recipient(i), 1n]), gas: "0x30000" });
        }
      });
    hotRecipient = fresh(0);
    free = await batchOf(10, fresh);
    hot = await batchOf(10, () => hotRecipient);
    mixed = await batchOf(10, (i) => (i <= 5 ? fresh(100) : fresh(100 + i)));
    spread = await batchOf(12, (i) => fresh(200 + (i % 4)));
    small = await batchOf(2, (i) => fresh(300 + i));
  });

  after(async function () {
    await net?.close();
  });

  it("the batches are what the messages below describe", function () {
    expect([free.txs, free.conflicts.dependentTxs, free.mode, free.verified]).to.deep.equal([10, 0, "parallel", true]);
    expect([hot.txs, hot.conflicts.dependentTxs, hot.conflicts.hotspots.length]).to.deep.equal([10, 9, 1]);
    expect(hot.conflicts.hotspots[0].display).to.match(new RegExp(`^TestToken\\._balances\\[${hotRecipient}\\] \\(slot 0x`, "i"));
    expect([mixed.txs, mixed.conflicts.dependentTxs]).to.deep.equal([10, 4]);
    expect([spread.txs, spread.conflicts.hotspots.length]).to.deep.equal([12, 4]);
    expect([small.txs, small.mode, small.verified]).to.deep.equal([2, "sequential", false]);
  });

  describe("conflictFree", function () {
    it("passes on a batch with no dependency, and negated on one with", function () {
      expect(free).to.be.conflictFree();
      expect(hot).not.to.be.conflictFree();
    });

    it("fails naming how many txs depend on an earlier one and the hotspots", function () {
      expect(failure(() => expect(hot).to.be.conflictFree())).to.equal(
        `expected the batch of 10 txs to be conflict-free, but 9 depend on an earlier one; hotspots: ${listed(hot)}`,
      );
      expect(listed(hot)).to.match(/^TestToken\._balances\[0x[0-9a-fA-F]{40}\] \(slot 0x\w+…\w+\) \(9 dependent txs\)$/);
    });

    it("lists at most three hotspots, the report's first", function () {
      const message = failure(() => expect(spread).to.be.conflictFree());
      expect(message).to.equal(`expected the batch of 12 txs to be conflict-free, but 8 depend on an earlier one; hotspots: ${listed(spread)}`);
      expect(message.match(/TestToken\._balances\[/g)).to.have.length(3);
    });

    it("negated, fails on a conflict-free batch", function () {
      expect(failure(() => expect(free).not.to.be.conflictFree())).to.equal("expected the batch of 10 txs to have conflicts, but none depends on another");
    });

    it("refuses anything but a batch with a TypeError", function () {
      expect(typeError(() => expect({ txs: 3 }).to.be.conflictFree())).to.equal(`conflictFree ${NOT_A_BATCH} { txs: 3 }`);
      expect(typeError(() => expect(undefined).to.be.conflictFree())).to.equal(`conflictFree ${NOT_A_BATCH} undefined`);
      expect(typeError(() => expect(null).not.to.be.conflictFree())).to.equal(`conflictFree ${NOT_A_BATCH} null`);
      expect(typeError(() => expect(7).to.be.conflictFree())).to.equal(`conflictFree ${NOT_A_BATCH} 7`);
    });
  });

  describe("conflictRateBelow", function () {
    it("passes below the share and fails at it (the bound is exclusive)", function () {
      expect(free).to.have.conflictRateBelow(0.01);
      expect(mixed).to.have.conflictRateBelow(0.41);
      expect(failure(() => expect(mixed).to.have.conflictRateBelow(0.4))).to.equal(
        `expected under 40.0% of the batch's txs to depend on an earlier one, but 40.0% do (4 of 10); hotspots: ${listed(mixed)}`,
      );
    });

    it("fails naming the share, the count and the hotspots", function () {
      expect(failure(() => expect(hot).to.have.conflictRateBelow(0.5))).to.equal(
        `expected under 50.0% of the batch's txs to depend on an earlier one, but 90.0% do (9 of 10); hotspots: ${listed(hot)}`,
      );
      // No hotspot to name: the message ends after the count.
      expect(failure(() => expect(free).to.have.conflictRateBelow(0))).to.equal("expected under 0.0% of the batch's txs to depend on an earlier one, but 0.0% do (0 of 10)");
    });

    it("negated, passes at or above the share and fails below it", function () {
      expect(hot).not.to.have.conflictRateBelow(0.5);
      expect(mixed).not.to.have.conflictRateBelow(0.4);
      expect(failure(() => expect(free).not.to.have.conflictRateBelow(0.5))).to.equal("expected at least 50.0% of the batch's txs to depend on an earlier one, but 0.0% do");
      expect(failure(() => expect(hot).not.to.have.conflictRateBelow(1))).to.equal("expected at least 100.0% of the batch's txs to depend on an earlier one, but 90.0% do");
    });

    it("refuses a share outside 0..1 or not a number, and anything but a batch, with a TypeError", function () {
      for (const [bound, shown] of [[2, "2"], [-0.1, "-0.1"], [NaN, "NaN"], ["0.5", "'0.5'"], [undefined, "undefined"]] as const) {
        expect(typeError(() => expect(free).to.have.conflictRateBelow(bound as number))).to.equal(`conflictRateBelow takes a share from 0 to 1, got ${shown}`);
      }
      expect(typeError(() => expect({ conflicts: undefined }).to.have.conflictRateBelow(0.5))).to.equal(`conflictRateBelow ${NOT_A_BATCH} { conflicts: undefined }`);
    });
  });

  describe("hotspot", function () {
    it("passes on a hotspot named Contract.variable or variable, and negated on any other", function () {
      expect(hot).to.have.hotspot("TestToken._balances");
      expect(hot).to.have.hotspot("_balances");
      expect(free).not.to.have.hotspot("TestToken._balances");
    });

    it("refuses, negated or not, a variable the batch never read or wrote (a typo must not pass), listing those it did", function () {
      const untouched = (name: string) => `hotspot("${name}"): the batch's transactions read or wrote no variable of that name; they touched TestToken._balances`;
      expect(typeError(() => expect(hot).not.to.have.hotspot("TestToken._totalSupply"))).to.equal(untouched("TestToken._totalSupply"));
      expect(typeError(() => expect(hot).to.have.hotspot("TestToken._totalSupply"))).to.equal(untouched("TestToken._totalSupply"));
      // The right variable of another contract.
      expect(typeError(() => expect(hot).not.to.have.hotspot("AmmPair._balances"))).to.equal(untouched("AmmPair._balances"));
    });

    it("fails naming the batch's hotspots, or none", function () {
      expect(failure(() => expect(free).to.have.hotspot("_balances"))).to.equal("expected _balances to be a hotspot of the batch");
    });

    it("negated, fails naming the hotspot found, its pattern and the remedy", function () {
      const [found] = hot.conflicts.hotspots;
      expect(found.pattern).to.equal("hot-balance");
      expect(failure(() => expect(hot).not.to.have.hotspot("TestToken._balances"))).to.equal(
        `expected TestToken._balances not to be a hotspot of the batch, but it is: ${found.display} (9 dependent txs, hot-balance). ${found.remedy}`,
      );
    });

    it("refuses a name that is not Contract.variable or variable, and anything but a batch, with a TypeError", function () {
      for (const [name, shown] of [["Token balances", "'Token balances'"], ["", "''"], ["A..b", "'A..b'"], ["_balances[0x1]", "'_balances[0x1]'"], [42, "42"], [undefined, "undefined"]] as const) {
        expect(typeError(() => expect(hot).to.have.hotspot(name as string))).to.equal(`${HOTSPOT_NAME} ${shown}`);
      }
      expect(typeError(() => expect([]).to.have.hotspot("_balances"))).to.equal(`hotspot ${NOT_A_BATCH} []`);
    });
  });

  describe("matchSequentialExecution", function () {
    it("passes on a batch run in parallel and verified, and negated on one run sequentially", function () {
      expect(free).to.matchSequentialExecution();
      expect(hot).to.matchSequentialExecution(); // conflicts do not matter, only that the results matched
      expect(small).not.to.matchSequentialExecution();
    });

    it("fails on a batch too small for the parallel executor, saying why it ran sequentially", function () {
      expect(failure(() => expect(small).to.matchSequentialExecution())).to.equal(
        "expected the batch to have run in parallel and matched sequential execution, but it ran sequential (fewer txs than parallel.minTxsForParallel, or a nonce chain)",
      );
    });

    it("negated, fails on a verified batch", function () {
      expect(failure(() => expect(free).not.to.matchSequentialExecution())).to.equal("expected the batch not to have been verified against sequential execution, but it was");
    });

    it("refuses anything but a batch with a TypeError", function () {
      expect(typeError(() => expect("batch").to.matchSequentialExecution())).to.equal(`matchSequentialExecution ${NOT_A_BATCH} 'batch'`);
    });
  });

  describe("mineBatch", function () {
    before(async function () {
      await hre.network.provider.request({ method: "eth_chainId" }); // Hardhat's network starts on its first request (2 to 3 s here), not the refusal's time
    });

    it("refuses a batch that sent nothing, saying how to send", async function () {
      let error: unknown;
      await mineBatch(net, async () => {}).catch((e: unknown) => (error = e));
      expect((error as Error).message).to.equal(
        "mineBatch: the batch sent no transaction (send them without waiting for receipts: automine is off while it runs)",
      );
      expect(await rpc("hardhat_getAutomine")).to.equal(true);
    });

    it("refuses Hardhat's own network with how to enable the parallel one", async function () {
      const provider = hre.network.provider;
      if (String(await provider.request({ method: "web3_clientVersion" })).includes("hardhat-parallel")) {
        console.log("      skipped: this run's network is the parallel one (HARDHAT_PARALLEL=1); the refusal shows on Hardhat's own (plain `npx hardhat test`)");
        this.skip();
      }
      let error: unknown;
      await mineBatch(provider, async () => expect.fail("the batch ran on Hardhat's network")).catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(ParallelNetworkNeededError);
      expect((error as Error).message).to.equal(
        "mineBatch needs the parallel network: run the tests with HARDHAT_PARALLEL=1 (npx hardhat test), or set parallel: { enabled: true } in the hardhat config (networks.hardhat, the in-process network)",
      );
      // Refused before anything changed.
      expect(await provider.request({ method: "hardhat_getAutomine" })).to.equal(true);
    });
  });
});

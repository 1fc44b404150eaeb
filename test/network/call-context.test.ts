/**
 * The block a call sees, compared with Hardhat's network: eth_call and
 * eth_estimateGas at every block tag run in that block's own context
 * (number, timestamp, base fee, coinbase, PREVRANDAO, gas limit, blob base
 * fee, chain id) with the state right after it, "pending" in the next
 * block's; BLOCKHASH inside calls sees the chain's recent hashes; and the
 * contracts whose answers depend on that context (OpenZeppelin's
 * checkpointed votes, governor, vesting wallet and timelock) answer alike.
 * Also the per-block PREVRANDAO and beacon roots, which calls and blocks
 * expose, through hardhat_mine runs, hardhat_setPrevRandao and evm_revert.
 */
import { expect } from "chai";
import { Interface, id } from "ethers";
import hre from "hardhat";

import { GAS, normalize, onBoth, recordBlocks } from "../helpers/two-networks";
import type { Net } from "../helpers/two-networks";

/** A start far ahead of the wall clock, so both networks' timestamps are set, never read from the clock. */
const T0 = 3_000_000_000;

const hex = (n: number | bigint) => `0x${n.toString(16)}`;

function contract(name: string): { iface: Interface; bytecode: string } {
  const artifact = hre.artifacts.readArtifactSync(name);
  return { iface: new Interface(artifact.abi), bytecode: artifact.bytecode };
}

async function deploy(net: Net, from: string, name: string, args: unknown[] = [], value = "0x0"): Promise<string> {
  const { iface, bytecode } = contract(name);
  const hash = await net.call<string>("eth_sendTransaction", { from, data: bytecode + iface.encodeDeploy(args).slice(2), value, ...GAS, gas: "0x1000000" });
  return (await net.call<{ contractAddress: string }>("eth_getTransactionReceipt", hash)).contractAddress;
}

/** Calls `fn` at `tag` and decodes the result; a failure gives the error as both networks shape it. */
async function read(net: Net, name: string, to: string, fn: string, args: unknown[], tag?: unknown): Promise<unknown> {
  const { iface } = contract(name);
  const params: unknown[] = [{ to, data: iface.encodeFunctionData(fn, args) }];
  if (tag !== undefined) params.push(tag);
  const out = await net.rpc("eth_call", ...params);
  if (typeof out !== "string") return out;
  if (out === "0x") return "no code";
  return iface.decodeFunctionResult(fn, out).toArray().map((v: unknown) => (Array.isArray(v) ? v.map(String) : String(v)));
}

async function send(net: Net, from: string, name: string, to: string, fn: string, args: unknown[]): Promise<string> {
  return net.call<string>("eth_sendTransaction", { from, to, data: contract(name).iface.encodeFunctionData(fn, args), ...GAS });
}

async function mineAt(net: Net, timestamp: number): Promise<void> {
  await net.call("evm_mine", timestamp);
}

/** Runs `script` on both networks; the answers must be identical once block hashes are named by number. */
async function compare(script: (net: Net, accounts: string[]) => Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
  const { edr, parallel } = await onBoth(async (net) => {
    const accounts = await net.call<string[]>("eth_accounts");
    await mineAt(net, T0);
    const out = await script(net, accounts);
    await recordBlocks(net, 0);
    return normalize(net, out) as Record<string, unknown>;
  });
  for (const key of Object.keys(edr)) expect(parallel[key], key).to.deep.equal(edr[key]);
  expect(Object.keys(parallel)).to.deep.equal(Object.keys(edr));
  return edr;
}

describe("parallel network: the block context of calls, as on Hardhat's network", function () {
  it("runs eth_call at every block tag with that block's header and state", async function () {
    const seen = await compare(async (net, [from]) => {
      const probe = await deploy(net, from, "BlockContextProbe");
      await net.call("hardhat_mine", "0x4", "0x10");
      const env = (tag?: unknown) => read(net, "BlockContextProbe", probe, "env", [], tag);
      const latest = await net.call<{ hash: string; number: string }>("eth_getBlockByNumber", "latest", false);
      const third = await net.call<{ hash: string }>("eth_getBlockByNumber", "0x3", false);
      // Set for the next block, not mined: calls at latest must not see it.
      await net.call("evm_setNextBlockTimestamp", T0 + 1000);
      await net.call("evm_increaseTime", 5000);
      const out: Record<string, unknown> = {
        noTag: await env(),
        latest: await env("latest"),
        pending: await env("pending"),
        safe: await env("safe"),
        finalized: await env("finalized"),
        earliest: await env("earliest"),
        number: await env("0x3"),
        numberOfLatest: await env(latest.number),
        // A bare hash is refused by Hardhat's parser (it must come as { blockHash }); the message quotes it.
        hash: JSON.parse(JSON.stringify(await env(third.hash)).replaceAll(third.hash, "HASH")),
        eip1898Number: await env({ blockNumber: "0x2" }),
        eip1898Hash: await env({ blockHash: third.hash }),
        beforeDeployment: await env("0x0"),
        beyondLatest: await env("0x99"),
      };
      // A call that names a fee: BASEFEE and GASPRICE as Hardhat's network sets them then.
      const { iface } = contract("BlockContextProbe");
      for (const [label, fees] of Object.entries({ gasPrice: { gasPrice: "0x3b9aca00" }, eip1559: { maxFeePerGas: "0x77359400", maxPriorityFeePerGas: "0x5" } })) {
        const raw = await net.rpc("eth_call", { from, to: probe, data: iface.encodeFunctionData("env"), ...fees }, "latest");
        out[`priced ${label}`] = typeof raw === "string" ? iface.decodeFunctionResult("env", raw).toArray().map(String) : raw;
      }
      // A transaction waiting in the mempool: the pending block holds it.
      await net.call("evm_setAutomine", false);
      await send(net, from, "BlockContextProbe", probe, "touch", []);
      out.pendingWithTransaction = await env("pending");
      out.seenPending = await read(net, "BlockContextProbe", probe, "seen", [], "pending");
      out.seenLatest = await read(net, "BlockContextProbe", probe, "seen", [], "latest");
      await net.call("evm_mine");
      out.afterMining = await env("latest");
      return out;
    });
    // Not vacuous: latest, pending and a past block differ where they should.
    const [latest, pending, past] = [seen.latest, seen.pending, seen.number] as string[][];
    expect(Number(pending[0])).to.equal(Number(latest[0]) + 1);
    expect(pending[1]).to.equal(String(T0 + 1000));
    expect(past[0]).to.equal("3");
    expect(latest[4]).to.not.equal(past[4], "each block has its own PREVRANDAO");
  });

  it("lets BLOCKHASH inside calls see the chain's recent block hashes at every tag", async function () {
    const seen = await compare(async (net, [from]) => {
      const probe = await deploy(net, from, "BlockContextProbe");
      await net.call("hardhat_mine", "0x6");
      const distances = [0, 1, 2, 5, 8, 256, 257];
      const hashes = (tag: unknown) => read(net, "BlockContextProbe", probe, "hashes", [distances], tag);
      return { latest: await hashes("latest"), pending: await hashes("pending"), past: await hashes("0x4"), genesis: await hashes("earliest") };
    });
    expect((seen.latest as string[][])[0][1]).to.match(/^block \d+$/);
  });

  it("estimates gas in the pending block by default, and at the tag given", async function () {
    const seen = await compare(async (net, [from]) => {
      const probe = await deploy(net, from, "BlockContextProbe");
      await net.call("evm_setNextBlockTimestamp", T0 + 500);
      const data = contract("BlockContextProbe").iface.encodeFunctionData("requireTime", [T0 + 500]);
      return {
        noTag: await net.rpc("eth_estimateGas", { from, to: probe, data }),
        pending: await net.rpc("eth_estimateGas", { from, to: probe, data }, "pending"),
        latest: await net.rpc("eth_estimateGas", { from, to: probe, data }, "latest"),
        callLatest: await net.rpc("eth_call", { from, to: probe, data }, "latest"),
        callPending: await net.rpc("eth_call", { from, to: probe, data }, "pending"),
      };
    });
    expect(seen.latest).to.have.property("error");
    expect(seen.noTag).to.be.a("string");
  });

  it("answers OpenZeppelin checkpoints (ERC-6372 clock, past votes, future lookups) at every tag", async function () {
    const seen = await compare(async (net, [owner, alice]) => {
      const out: Record<string, unknown> = {};
      for (const name of ["VotesToken", "TimestampVotesToken"]) {
        const token = await deploy(net, owner, name, [1_000_000n]);
        await send(net, owner, name, token, "delegate", [owner]);
        await net.call("hardhat_mine", "0x3", "0xc");
        await send(net, owner, name, token, "transfer", [alice, 250_000n]);
        await send(net, alice, name, token, "delegate", [alice]);
        await net.call("hardhat_mine", "0x2", "0xc");
        const clock = Number((await read(net, name, token, "clock", [], "latest")) as string[]);
        const at = (fn: string, args: unknown[], tag?: unknown) => read(net, name, token, fn, args, tag);
        out[name] = {
          mode: await at("CLOCK_MODE", []),
          clockLatest: clock,
          clockPending: await at("clock", [], "pending"),
          clockPast: await at("clock", [], "0x2"),
          pastVotes: await at("getPastVotes", [owner, clock - 1], "latest"),
          pastVotesAlice: await at("getPastVotes", [alice, clock - 1], "latest"),
          pastSupply: await at("getPastTotalSupply", [clock - 1], "latest"),
          // The current timepoint is a future lookup at latest, a past one at pending.
          futureLookup: await at("getPastVotes", [owner, clock], "latest"),
          lookupAtPending: await at("getPastVotes", [owner, clock], "pending"),
          votesAtOldBlock: await at("getVotes", [alice], "0x3"),
        };
      }
      return out;
    });
    expect((seen.VotesToken as Record<string, unknown>).futureLookup).to.have.property("error");
  });

  it("walks a governor proposal through its states by calls at latest and at past blocks", async function () {
    const seen = await compare(async (net, [owner, alice]) => {
      const token = await deploy(net, owner, "VotesToken", [1_000_000n]);
      await send(net, owner, "VotesToken", token, "delegate", [owner]);
      const governor = await deploy(net, owner, "ProbeGovernor", [token]);
      const targets = [alice];
      const values = [0];
      const calldatas = ["0x"];
      const description = "send nothing to alice";
      await send(net, owner, "ProbeGovernor", governor, "propose", [targets, values, calldatas, description]);
      const proposal = ((await read(net, "ProbeGovernor", governor, "hashProposal", [targets, values, calldatas, id(description)])) as string[])[0];
      const state = (tag: unknown) => read(net, "ProbeGovernor", governor, "state", [proposal], tag);
      const states: Record<string, unknown> = { proposed: await state("latest"), proposedPending: await state("pending") };
      await net.call("evm_mine");
      states.delayOver = await state("latest");
      states.delayOverPending = await state("pending");
      await send(net, owner, "ProbeGovernor", governor, "castVote", [proposal, 1]);
      states.voted = await state("latest");
      await net.call("hardhat_mine", "0x5");
      states.ended = await state("latest");
      states.endedPending = await state("pending");
      states.atVote = await state("0x" + (Number(await net.call<string>("eth_blockNumber")) - 5).toString(16));
      states.snapshot = await read(net, "ProbeGovernor", governor, "proposalSnapshot", [proposal], "latest");
      states.deadline = await read(net, "ProbeGovernor", governor, "proposalDeadline", [proposal], "latest");
      return states;
    });
    expect(seen.proposed).to.not.deep.equal(seen.ended);
  });

  it("computes vesting and timelock readiness from the timestamp of the block called", async function () {
    const seen = await compare(async (net, [owner, alice]) => {
      const start = T0 + 100;
      const wallet = await deploy(net, owner, "ProbeVestingWallet", [alice, start, 1000], "0x3e8");
      const timelock = await deploy(net, owner, "ProbeTimelock", [60, [owner], [owner]]);
      const salt = "0x" + "00".repeat(32);
      const op = [alice, 0, "0x", "0x" + "00".repeat(32), salt] as const;
      await send(net, owner, "ProbeTimelock", timelock, "schedule", [...op, 60]);
      const id = ((await read(net, "ProbeTimelock", timelock, "hashOperation", [...op])) as string[])[0];
      const out: Record<string, unknown> = {};
      const snapshotOf = async (label: string) => {
        // 1000 wei over 1000 s vest a wei a second; blocks after evm_increaseTime take the wall clock's
        // seconds too, which differ between the two runs, so the amounts are compared in 50-wei steps.
        const vested = async (tag: string) => Math.floor(Number(((await read(net, "ProbeVestingWallet", wallet, "releasable()", [], tag)) as string[])[0]) / 50) * 50;
        out[label] = {
          releasableLatest: await vested("latest"),
          releasablePending: await vested("pending"),
          readyLatest: await read(net, "ProbeTimelock", timelock, "isOperationReady", [id], "latest"),
          readyPending: await read(net, "ProbeTimelock", timelock, "isOperationReady", [id], "pending"),
        };
      };
      await snapshotOf("scheduled");
      await net.call("evm_increaseTime", 400);
      await snapshotOf("timeIncreasedNotMined");
      await net.call("evm_mine");
      await snapshotOf("mined");
      await net.call("evm_setNextBlockTimestamp", T0 + 2000);
      await snapshotOf("nextTimestampSet");
      await net.call("evm_mine");
      await snapshotOf("end");
      return out;
    });
    const scheduled = seen.scheduled as Record<string, unknown>;
    const end = seen.end as Record<string, unknown>;
    expect(scheduled.readyLatest).to.not.deep.equal(end.readyLatest);
  });
});

describe("parallel network: PREVRANDAO and beacon roots of blocks, as on Hardhat's network", function () {
  const fields = async (net: Net) => {
    const height = Number(await net.call<string>("eth_blockNumber"));
    const out: unknown[] = [];
    for (let n = 0; n <= height; n++) {
      const b = await net.call<Record<string, string>>("eth_getBlockByNumber", hex(n), false);
      out.push([b.number, b.timestamp, b.baseFeePerGas, b.mixHash, b.parentBeaconBlockRoot ?? null]);
    }
    const pending = await net.call<Record<string, string>>("eth_getBlockByNumber", "pending", false);
    out.push(["pending", pending.mixHash, pending.parentBeaconBlockRoot ?? null]);
    return out;
  };

  for (const n of [1, 2, 7, 8, 9, 20]) {
    it(`gives the blocks of hardhat_mine(${n}) Hardhat's values`, async function () {
      const seen = await compare(async (net) => {
        await net.call("hardhat_mine", hex(n), "0x7");
        await net.call("evm_mine");
        return { blocks: await fields(net) };
      });
      expect((seen.blocks as unknown[]).length).to.equal(n + 4);
    });
  }

  it("continues from hardhat_setPrevRandao and puts the sequences back on evm_revert", async function () {
    await compare(async (net) => {
      const snapshot = await net.call<string>("evm_snapshot");
      await net.call("evm_mine");
      await net.call("evm_mine");
      await net.call("evm_revert", snapshot);
      await net.call("hardhat_setPrevRandao", "0x" + "11".repeat(32));
      await net.call("evm_mine");
      await net.call("evm_mine");
      return { blocks: await fields(net) };
    });
  });
});

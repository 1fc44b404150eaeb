/**
 * Shared pieces of the toolbox compatibility suite: a fresh chain per file,
 * the fixtures, and the observable parts of receipts and errors that the
 * tests record (see outcomes.ts).
 */
import { loadFixture, reset } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { ethers } from "hardhat";
import type { BaseContract, Contract, Signer, TransactionReceipt, TransactionResponse } from "ethers";

import { record } from "./outcomes";

export const E18 = 10n ** 18n;
/** Every genesis account's balance (Hardhat's default accountsBalance). */
export const GENESIS_BALANCE = 10_000n * E18;

/**
 * Starts the file from the configured genesis (hardhat_reset, which also
 * clears loadFixture's snapshots), so block numbers, nonces and contract
 * addresses do not depend on which test files ran before on this network.
 */
export function freshChainPerFile(): void {
  before(async function () {
    await reset();
    await loadFixture(noContracts);
  });
}

/** `contract` as sent by `signer`, with its ABI's methods (ethers types connect() as a bare BaseContract). */
export function by(contract: BaseContract, signer: Signer): Contract {
  return contract.connect(signer) as Contract;
}

/**
 * The state right after the reset, as a fixture (first loaded by freshChainPerFile). Every fixture
 * starts from it, and a test that deploys nothing loads it: so what a test sees never depends on what
 * the tests before it did, even when one of them is skipped on one network only.
 */
export async function noContracts() {
  const [owner, alice, bob, carol] = await ethers.getSigners();
  return { owner, alice, bob, carol };
}

/** Fixture: the reset state plus a CompatProbe (5 ETH, unlocking an hour after its deployment). */
export async function deployProbe() {
  await loadFixture(noContracts);
  return buildProbe();
}

/** Fixture: the reset state plus a TestToken with balances. */
export async function deployToken() {
  await loadFixture(noContracts);
  return buildToken();
}

/** Fixture: the reset state plus the token, then the probe (one fixture: loading one reverts what another deployed later). */
export async function deployProbeAndToken() {
  await loadFixture(noContracts);
  return { ...(await buildToken()), ...(await buildProbe()) };
}

/** Fixture: the reset state plus the token, the probe and a WETH. */
export async function deployAll() {
  await loadFixture(noContracts);
  return { ...(await buildToken()), ...(await buildProbe()), weth: await ethers.deployContract("WETH") };
}

async function buildProbe(unlockIn = 3600n) {
  const [owner, alice, bob, carol] = await ethers.getSigners();
  const probe = await ethers.deployContract("CompatProbe", [unlockIn], { value: 5n * E18 });
  await probe.waitForDeployment();
  const unlockTime: bigint = await probe.unlockTime();
  return { probe, owner, alice, bob, carol, unlockTime };
}

async function buildToken() {
  const [owner, alice, bob, carol] = await ethers.getSigners();
  const token = await ethers.deployContract("TestToken", ["Compat Token", "CMP", 18]);
  await token.mint(alice.address, 1_000n * E18);
  await token.mint(bob.address, 500n * E18);
  return { token, owner, alice, bob, carol };
}

/** The parts of a receipt both networks must agree on (no hashes: they cover timestamps). */
export function receiptOutcome(receipt: TransactionReceipt) {
  return {
    status: receipt.status,
    blockNumber: receipt.blockNumber,
    index: receipt.index,
    from: receipt.from,
    to: receipt.to,
    contractAddress: receipt.contractAddress,
    gasUsed: receipt.gasUsed,
    cumulativeGasUsed: receipt.cumulativeGasUsed,
    gasPrice: receipt.gasPrice,
    fee: receipt.fee,
    logs: receipt.logs.map((l) => ({ address: l.address, topics: l.topics, data: l.data, index: l.index })),
  };
}

/** Waits for a transaction and records its receipt under `label`; returns the receipt. */
export async function recordTx(label: string, sent: TransactionResponse | Promise<TransactionResponse>): Promise<TransactionReceipt> {
  const tx = await sent;
  const receipt = (await tx.wait())!;
  record(label, { nonce: tx.nonce, gasLimit: tx.gasLimit, type: tx.type, value: tx.value, receipt: receiptOutcome(receipt) });
  return receipt;
}

/** What a rejected promise carried: the error's message and its revert data (as the chai matchers read it). */
export async function caught(promise: Promise<unknown>): Promise<{ message: string; data: unknown }> {
  try {
    await promise;
  } catch (e) {
    const err = e as { message: string; data?: unknown; error?: { data?: unknown } };
    return { message: err.message, data: err.data ?? err.error?.data ?? null };
  }
  throw new Error("expected the promise to be rejected");
}

/** The receipt of the transaction a reverted send left behind (automine mines it with status 0, then throws). */
export async function receiptOfFailedSend(promise: Promise<unknown>): Promise<TransactionReceipt> {
  try {
    await promise;
  } catch (e) {
    const hash = (e as { transactionHash?: string }).transactionHash;
    if (hash === undefined) throw new Error(`the failed send carries no transactionHash: ${(e as Error).message}`);
    return (await ethers.provider.getTransactionReceipt(hash))!;
  }
  throw new Error("expected the send to fail");
}

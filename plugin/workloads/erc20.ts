/**
 * ERC-20 transfer workloads on the bundled TestToken (OpenZeppelin ERC20):
 * one block of N transfers from N distinct senders, with the pre-state built
 * directly in a FlatState (no setup blocks needed: balances are written into
 * the token's `_balances` mapping at slot 0 and `_totalSupply` at slot 2, as
 * the contract's storage layout says).
 *
 * - `erc20-independent`: every transfer goes to its own recipient, so no two
 *   transactions touch the same location (except the beneficiary's fees,
 *   which the engine treats as commutative deltas): the conflict-free case.
 * - `erc20-one-recipient`: every transfer goes to the same recipient, so each
 *   transaction reads and writes `_balances[recipient]`: a full dependency chain.
 */
import type { Block } from "@ethereumjs/block";
import { createBlock } from "@ethereumjs/block";
import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { Address, bigIntToHex, bytesToHex, hexToBytes, setLengthLeft } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";

import { FlatState } from "../engine/flat-state";
import { testAccounts } from "./accounts";
import type { TestAccount } from "./accounts";
import { prng } from "./prng";
import { nativeSigning } from "./signer";

export interface Erc20WorkloadOptions {
  /** Transactions in the block (distinct senders). */
  txs: number;
  /** Accounts in the pre-state; must be at least txs + 1 for the independent case. */
  accounts: number;
  /** All transfers to one recipient (the contended case). */
  oneRecipient: boolean;
  /** Only the first this many transfers go to one recipient (a contended start, then independent transfers). */
  contendedPrefix?: number;
  /** Runtime bytecode of TestToken (artifact deployedBytecode). */
  tokenRuntimeCode: Uint8Array;
  seed?: number;
}

export interface GeneratedBlock {
  name: string;
  block: Block;
  preState: FlatState;
  senders: string[];
  common: Common;
}

export const TOKEN_ADDRESS = "00000000000000000000000000000000000e2c20";
export const COINBASE = "c0ffee0000000000000000000000000000000001";
const TRANSFER_SELECTOR = "a9059cbb";
const ONE_ETH = 10n ** 18n;

/** Storage slot of `_balances[holder]` for a mapping at slot 0. */
export function balanceSlot(holderHex: string): string {
  const key = new Uint8Array(64);
  key.set(hexToBytes(`0x${holderHex}`), 12);
  return Buffer.from(keccak_256(key)).toString("hex");
}

export function workloadCommon(): Common {
  return new Common({ chain: Mainnet, hardfork: Hardfork.Cancun });
}

export function erc20TransferBlock(opts: Erc20WorkloadOptions): GeneratedBlock {
  if (!Number.isInteger(opts.txs) || opts.txs < 1) throw new RangeError(`txs must be a positive integer, got ${opts.txs}`);
  const needed = opts.oneRecipient ? opts.txs + 1 : opts.txs * 2;
  if (!Number.isInteger(opts.accounts) || opts.accounts < needed) {
    throw new RangeError(`accounts must be at least ${needed} for ${opts.txs} ${opts.oneRecipient ? "transfers to one recipient" : "independent transfers"}, got ${opts.accounts}`);
  }
  const rand = prng(opts.seed ?? 1);
  // Signed natively: 2,000 pure-JS signatures take seconds (signer.ts); the transactions are the same.
  const common = new Common({ chain: Mainnet, hardfork: Hardfork.Cancun, customCrypto: nativeSigning() });
  const accounts = testAccounts(opts.accounts, opts.seed ?? 1);
  const state = new FlatState();
  const tokenStorage = new Map<string, bigint>();
  const perAccount = 1_000_000n * ONE_ETH;
  for (const a of accounts) {
    state.setAccount(a.hex, { balance: 100n * ONE_ETH });
    tokenStorage.set(balanceSlot(a.hex), perAccount);
  }
  // The beneficiary exists, as on any live chain.
  state.setAccount(COINBASE, { balance: ONE_ETH });
  tokenStorage.set((2n).toString(16).padStart(64, "0"), perAccount * BigInt(accounts.length));
  state.setAccount(TOKEN_ADDRESS, {
    nonce: 1n,
    code: opts.tokenRuntimeCode,
    codeHash: bytesToHex(keccak_256(opts.tokenRuntimeCode)),
    storage: tokenStorage,
  });

  // Senders are the first txs accounts; recipients come from the rest.
  const senders = accounts.slice(0, opts.txs);
  const pool = accounts.slice(opts.txs);
  const txs = senders.map((sender: TestAccount, i) => {
    const recipient = opts.oneRecipient || i < (opts.contendedPrefix ?? 0) ? pool[0] : pool[i % pool.length];
    const amount = BigInt(1 + Math.floor(rand() * 1000)) * 10n ** 15n;
    const data = hexToBytes(`0x${TRANSFER_SELECTOR}${"0".repeat(24)}${recipient.hex}${amount.toString(16).padStart(64, "0")}`);
    return createFeeMarket1559Tx(
      {
        nonce: 0n,
        maxFeePerGas: 20_000_000_000n,
        maxPriorityFeePerGas: 1_000_000_000n,
        gasLimit: 100_000n,
        to: new Address(hexToBytes(`0x${TOKEN_ADDRESS}`)),
        value: 0n,
        data,
        chainId: common.chainId(),
      },
      { common },
    ).sign(sender.privateKey);
  });
  const block = createBlock(
    {
      header: {
        number: 1n,
        coinbase: new Address(hexToBytes(`0x${COINBASE}`)),
        gasLimit: 30_000_000n + BigInt(opts.txs) * 100_000n,
        baseFeePerGas: 7n,
        timestamp: 1_700_000_000n,
        excessBlobGas: 0n,
        blobGasUsed: 0n,
        parentBeaconBlockRoot: setLengthLeft(hexToBytes(bigIntToHex(1n)), 32),
      },
      transactions: txs,
    },
    { common },
  );
  return {
    name: opts.oneRecipient ? "erc20-one-recipient" : "erc20-independent",
    block,
    preState: state,
    senders: senders.map((s) => `0x${s.hex}`),
    common,
  };
}

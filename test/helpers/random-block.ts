/**
 * Random blocks for the differential tests and the fuzz script
 * (scripts/fuzz-engine.ts): a deliberately tiny key space (a handful of EOAs,
 * a few contracts with 4 storage slots, a beneficiary that is often also a
 * sender or a contract), so that transactions conflict constantly. Blocks are
 * built directly with @ethereumjs (no Hardhat network) and are reproducible
 * from their seed: `randomBlock(seed)` rebuilds the block a failure names.
 *
 * The contracts are raw EVM bytecode assembled below; each opcode sequence is
 * written out with the stack after each step, since the whole point is which
 * slots and balances they read and write.
 */
import type { Block } from "@ethereumjs/block";
import { createBlock } from "@ethereumjs/block";
import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import type { TypedTransaction } from "@ethereumjs/tx";
import { createFeeMarket1559Tx, createLegacyTx } from "@ethereumjs/tx";
import { Address, bytesToHex, bytesToUnprefixedHex, concatBytes, createAddressFromPrivateKey, createContractAddress, hexToBytes, intToBytes, utf8ToBytes } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";

import { FlatState } from "../../plugin/engine/flat-state";
import type { ParallelBlockInput } from "../../plugin/engine/parallel";

// ---- a tiny seeded PRNG ---------------------------------------------------------

/**
 * xorshift32 over a seed scrambled by one multiply-xorshift round. Quality is
 * irrelevant here; reproducibility from a small integer seed is what matters.
 */
export class Rng {
  private s: number;
  constructor(seed: number) {
    let h = Math.imul((seed ^ 0x5bd1e995) >>> 0, 0x2c1b3c6d) >>> 0;
    h ^= h >>> 13;
    this.s = h === 0 ? 0x1234567 : h;
    for (let i = 0; i < 4; i++) this.u32();
  }
  u32(): number {
    let x = this.s;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + (this.u32() % (hi - lo + 1));
  }
  big(lo: bigint, hi: bigint): bigint {
    const r = (BigInt(this.u32()) << 32n) | BigInt(this.u32());
    return lo + (r % (hi - lo + 1n));
  }
  chance(p: number): boolean {
    return this.u32() / 4294967296 < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.u32() % items.length];
  }
  /** Picks a key of `weights` with probability proportional to its weight. */
  weighted<K extends string>(weights: Record<K, number>): K {
    const entries = Object.entries(weights) as [K, number][];
    let r = (this.u32() / 4294967296) * entries.reduce((sum, [, w]) => sum + w, 0);
    for (const [k, w] of entries) {
      r -= w;
      if (r < 0) return k;
    }
    return entries[entries.length - 1][0];
  }
}

// ---- a minimal EVM assembler --------------------------------------------------

export const OP = {
  STOP: 0x00, ADD: 0x01, MUL: 0x02, SUB: 0x03, EQ: 0x14, ISZERO: 0x15, AND: 0x16, OR: 0x17, SHR: 0x1c,
  ADDRESS: 0x30, BALANCE: 0x31, CALLER: 0x33, CALLVALUE: 0x34, CALLDATALOAD: 0x35, CODECOPY: 0x39,
  COINBASE: 0x41, SELFBALANCE: 0x47,
  POP: 0x50, MSTORE: 0x52, SLOAD: 0x54, SSTORE: 0x55, JUMPI: 0x57, GAS: 0x5a, JUMPDEST: 0x5b,
  TLOAD: 0x5c, TSTORE: 0x5d, PUSH0: 0x5f, PUSH1: 0x60, PUSH2: 0x61,
  DUP1: 0x80, DUP2: 0x81, SWAP1: 0x90, LOG1: 0xa1,
  CALL: 0xf1, RETURN: 0xf3, REVERT: 0xfd, SELFDESTRUCT: 0xff,
} as const;

/**
 * An opcode; a number (assembled as the shortest PUSH, PUSH0 for 0); a jump
 * target `{ label }` (emits JUMPDEST); a position `{ mark }` (emits nothing);
 * `{ ref }` (PUSH2 of a label's or mark's offset); or raw bytes.
 */
export type Asm = keyof typeof OP | number | { label: string } | { mark: string } | { ref: string } | Uint8Array;

export function assemble(items: Asm[]): Uint8Array {
  const size = (it: Asm): number => {
    if (typeof it === "string") return 1;
    if (typeof it === "number") return it === 0 ? 1 : 1 + Math.ceil(it.toString(16).length / 2);
    if (it instanceof Uint8Array) return it.length;
    if ("label" in it) return 1;
    if ("mark" in it) return 0;
    return 3;
  };
  const offsets = new Map<string, number>();
  let pc = 0;
  for (const it of items) {
    if (typeof it === "object" && !(it instanceof Uint8Array) && ("label" in it || "mark" in it)) offsets.set("label" in it ? it.label : it.mark, pc);
    pc += size(it);
  }
  const out: number[] = [];
  for (const it of items) {
    if (typeof it === "string") out.push(OP[it]);
    else if (typeof it === "number") {
      if (it === 0) out.push(OP.PUSH0);
      else {
        const bytes = hexToBytes(`0x${it.toString(16).padStart(2 * (size(it) - 1), "0")}`);
        out.push(OP.PUSH1 + bytes.length - 1, ...bytes);
      }
    } else if (it instanceof Uint8Array) out.push(...it);
    else if ("label" in it) out.push(OP.JUMPDEST);
    else if ("ref" in it) {
      const at = offsets.get(it.ref);
      if (at === undefined) throw new Error(`assemble: unknown label ${it.ref}`);
      out.push(OP.PUSH2, at >> 8, at & 0xff);
    }
  }
  return Uint8Array.from(out);
}

// ---- the contracts ----------------------------------------------------------------

/**
 * STORE: read-modify-write over 4 slots. Calldata word w:
 *   slot = w & 3, mode = (w >> 8) & 3, inc = (w >> 16) + 1
 *   mode 0, 3: storage[slot] += inc, LOG1(topic = slot, data = new value)
 *   mode 1:    return storage[slot] (read only)
 *   mode 2:    storage[slot] = 0 (a refund when it was non-zero)
 * A plain transfer (no calldata) is mode 0 on slot 0.
 */
export const STORE_RUNTIME = assemble([
  0, "CALLDATALOAD", //                           w
  "DUP1", 3, "AND", //                            w slot
  "SWAP1", //                                     slot w
  "DUP1", 8, "SHR", 3, "AND", //                  slot w mode
  "DUP1", 1, "EQ", { ref: "read" }, "JUMPI", //   slot w mode
  2, "EQ", { ref: "clear" }, "JUMPI", //          slot w
  16, "SHR", 1, "ADD", //                         slot inc
  "DUP2", "SLOAD", "ADD", //                      slot new
  "DUP1", 0, "MSTORE", //                         slot new            mem[0..32) = new
  "DUP2", 32, 0, "LOG1", //                       slot new            log(mem[0..32), topic0 = slot)
  "SWAP1", "SSTORE", "STOP", //                   storage[slot] = new
  { label: "read" }, //                           slot w mode
  "POP", "POP", "SLOAD", 0, "MSTORE", //          mem[0..32) = storage[slot]
  32, 0, "RETURN",
  { label: "clear" }, //                          slot w
  "POP", 0, "SWAP1", "SSTORE", "STOP", //         storage[slot] = 0
]);

/**
 * FORWARDER: calldata words (target, payload, flags). CALLs target with
 * the 32-byte payload and value = flags bit 1 ? its whole balance : CALLVALUE,
 * stores the call's success flag in slot 1, then REVERTs (returning the
 * payload) when flags bit 0 is set, undoing the inner call.
 */
export const FORWARDER_RUNTIME = assemble([
  32, "CALLDATALOAD", 0, "MSTORE", //             mem[0..32) = payload
  0, 0, 32, 0, //                                 retSize=0 retOffset=0 argsSize=32 argsOffset=0
  "CALLVALUE", //                                 .. cv
  64, "CALLDATALOAD", 1, "SHR", 1, "AND", //      .. cv b          b = flags bit 1
  "CALLVALUE", "SELFBALANCE", "SUB", //           .. cv b (selfbalance - cv)
  "MUL", "ADD", //                                .. value         cv + b * (selfbalance - cv)
  0, "CALLDATALOAD", //                           .. value target
  "GAS", "CALL", //                               success
  1, "SSTORE", //                                 storage[1] = success
  64, "CALLDATALOAD", 1, "AND", { ref: "revert" }, "JUMPI",
  "STOP",
  { label: "revert" },
  32, 0, "REVERT", //                             revert(mem[0..32))
]);

/**
 * DESTRUCT: storage[0] = CALLVALUE, then SELFDESTRUCT to the address in
 * calldata word 0. Under Cancun (EIP-6780) a pre-existing contract only
 * sends its balance away; one created in the same tx is deleted.
 */
export const DESTRUCT_RUNTIME = assemble([
  "CALLVALUE", 0, "SSTORE", //                    storage[0] = callvalue
  0, "CALLDATALOAD", "SELFDESTRUCT", //           selfdestruct(beneficiary = word 0)
]);

/**
 * READER: makes balances part of the state, so any wrong balance shows in
 * the diff. storage[0] = BALANCE(COINBASE) (an explicit beneficiary read),
 * storage[1] = BALANCE(calldata word 0), storage[2] = SELFBALANCE.
 */
export const READER_RUNTIME = assemble([
  "COINBASE", "BALANCE", 0, "SSTORE", //          storage[0] = coinbase balance
  0, "CALLDATALOAD", "BALANCE", 1, "SSTORE", //   storage[1] = balance(word 0)
  "SELFBALANCE", 2, "SSTORE", //                  storage[2] = own balance
  "STOP",
]);

/**
 * TRANSIENT: EIP-1153. The outer frame sets t[0] = word0 | 1 and calls
 * itself; the inner frame (t[0] != 0) adds t[0] to storage[1]; the outer frame
 * then copies t[0] to storage[0]. Transient storage leaking from an earlier tx
 * into this one (same worker, same VM) would send the outer frame down the
 * inner path and show in the diff.
 */
export const TRANSIENT_RUNTIME = assemble([
  0, "TLOAD", "ISZERO", { ref: "outer" }, "JUMPI",
  0, "TLOAD", 1, "SLOAD", "ADD", 1, "SSTORE", //  inner: storage[1] += t[0]
  "STOP",
  { label: "outer" },
  0, "CALLDATALOAD", 1, "OR", 0, "TSTORE", //     t[0] = word0 | 1
  0, 0, 0, 0, 0, "ADDRESS", "GAS", "CALL", "POP", // call self, no data, no value
  0, "TLOAD", 0, "SSTORE", //                     storage[0] = t[0]
  "STOP",
]);

/** Init code that runs `constructor` and then deploys `runtime`. */
export function deployer(constructor: Asm[], runtime: Uint8Array): Uint8Array {
  return assemble([
    ...constructor,
    runtime.length, "DUP1", { ref: "runtime" }, 0, "CODECOPY", // len; mem[0..len) = runtime
    0, "RETURN", //                                              return mem[0..len)
    { mark: "runtime" },
    runtime,
  ]);
}

export const INIT_CODES = {
  /** storage[0] = CALLVALUE + 1, storage[2] = SELFBALANCE (a pre-funded address shows), deploys STORE. */
  store: deployer(["CALLVALUE", 1, "ADD", 0, "SSTORE", "SELFBALANCE", 2, "SSTORE"], STORE_RUNTIME),
  destruct: deployer([], DESTRUCT_RUNTIME),
  reader: deployer([], READER_RUNTIME),
  /** Writes storage, then self-destructs to the coinbase: created and deleted in one tx. */
  ephemeral: assemble([1, 0, "SSTORE", "COINBASE", "SELFDESTRUCT"]),
  /** Writes storage, then reverts: the creation fails, the nonce is still used. */
  failing: assemble([1, 0, "SSTORE", 0, 0, "REVERT"]),
} as const;
type InitKind = keyof typeof INIT_CODES;
const RUNTIME_OF: Partial<Record<InitKind, "store" | "destruct" | "reader">> = { store: "store", destruct: "destruct", reader: "reader" };

export const CONTRACTS = {
  store1: { addr: "c000000000000000000000000000000000000001", code: STORE_RUNTIME },
  store2: { addr: "c000000000000000000000000000000000000002", code: STORE_RUNTIME },
  forwarder1: { addr: "c000000000000000000000000000000000000003", code: FORWARDER_RUNTIME },
  forwarder2: { addr: "c000000000000000000000000000000000000004", code: FORWARDER_RUNTIME },
  destruct: { addr: "c000000000000000000000000000000000000005", code: DESTRUCT_RUNTIME },
  reader: { addr: "c000000000000000000000000000000000000006", code: READER_RUNTIME },
  transient: { addr: "c000000000000000000000000000000000000007", code: TRANSIENT_RUNTIME },
} as const;

// ---- random blocks ------------------------------------------------------------------

export const ETHER = 10n ** 18n;
export const GWEI = 10n ** 9n;

export function word(v: bigint | string): Uint8Array {
  const hex = typeof v === "bigint" ? v.toString(16) : v;
  return hexToBytes(`0x${hex.padStart(64, "0")}`);
}

export function codeHashOf(code: Uint8Array): string {
  return bytesToHex(keccak_256(code));
}

interface Sender {
  key: Uint8Array;
  hex: string;
  address: Address;
  nonce: bigint;
}

export interface RandomBlock {
  input: ParallelBlockInput & { senders: string[] };
  /** For coverage checks and failure reports. */
  summary: { txs: number; coinbase: string; coinbaseKind: string; kinds: Record<string, number> };
}

/** Deterministic private key for account `i` of block `seed`. */
export function privateKey(seed: number, i: number): Uint8Array {
  return keccak_256(concatBytes(utf8ToBytes("hardhat-parallel random-differential"), intToBytes(seed), intToBytes(i + 1)));
}

export const common = new Common({ chain: Mainnet, hardfork: Hardfork.Cancun });

export function randomBlock(seed: number, opts: { txs?: [number, number] } = {}): RandomBlock {
  const rng = new Rng(seed);
  const pre = new FlatState();

  // Funded EOAs, all of them senders; a few start at a non-zero nonce.
  const senders: Sender[] = [];
  for (let i = 0, n = rng.int(6, 10); i < n; i++) {
    const key = privateKey(seed, i);
    const address = createAddressFromPrivateKey(key);
    const nonce = rng.chance(0.3) ? BigInt(rng.int(1, 5)) : 0n;
    senders.push({ key, address, hex: bytesToUnprefixedHex(address.bytes), nonce });
    pre.setAccount(senders[i].hex, { balance: 100n * ETHER + rng.big(0n, ETHER), nonce });
  }
  // Funded EOAs that never send, and addresses that do not exist yet.
  const bystanders = [0, 1].map((i) => bytesToUnprefixedHex(createAddressFromPrivateKey(privateKey(seed, 100 + i)).bytes));
  for (const b of bystanders) pre.setAccount(b, { balance: rng.big(1n, ETHER) });
  const fresh = [0, 1, 2].map(() => rng.u32().toString(16).padStart(8, "0").repeat(5));

  // The contracts, with some non-zero slots (so clears refund and increments start high).
  for (const [name, c] of Object.entries(CONTRACTS)) {
    const storage = new Map<string, bigint>();
    if (name.startsWith("store")) for (let s = 0; s < 4; s++) if (rng.chance(0.5)) storage.set(bytesToUnprefixedHex(word(BigInt(s))), BigInt(rng.int(1, 1000)));
    const balance = name === "destruct" || name.startsWith("forwarder") ? rng.big(0n, ETHER) : 0n;
    pre.setAccount(c.addr, { balance, nonce: 1n, code: c.code, codeHash: codeHashOf(c.code), storage });
  }

  // Where each sender's next creations will land; some hold a balance already.
  const predicted: string[] = [];
  for (const s of senders) {
    for (let j = 0n; j < 3n; j++) {
      const addr = bytesToUnprefixedHex(createContractAddress(s.address, s.nonce + j).bytes);
      predicted.push(addr);
      if (rng.chance(0.3)) pre.setAccount(addr, { balance: rng.big(1n, 10n ** 15n) });
    }
  }

  const coinbaseKind = rng.weighted({ fresh: 2, sender: 3, reader: 2, store: 1, destruct: 1, bystander: 1 });
  const coinbase = {
    fresh: fresh[0],
    sender: rng.pick(senders).hex,
    reader: CONTRACTS.reader.addr,
    store: CONTRACTS.store1.addr,
    destruct: CONTRACTS.destruct.addr,
    bystander: bystanders[0],
  }[coinbaseKind];

  const eoas = [...senders.map((s) => s.hex), ...bystanders, ...fresh];
  const precompiles = ["0000000000000000000000000000000000000001", "0000000000000000000000000000000000000004"];
  // The coinbase is listed twice: value sent to it is the interesting case.
  const anyAddress = [...eoas, coinbase, coinbase, ...predicted, ...Object.values(CONTRACTS).map((c) => c.addr), ...precompiles];

  const baseFee = BigInt(rng.int(1, 20)) * 10n ** 8n;
  const created: { addr: string; runtime: "store" | "destruct" | "reader" }[] = [];
  const txs: TypedTransaction[] = [];
  const txSenders: string[] = [];
  const kinds: Record<string, number> = {};
  const [minTxs, maxTxs] = opts.txs ?? [20, 60];

  const value = (): bigint => {
    const r = rng.int(0, 9);
    return r < 3 ? 0n : r < 7 ? rng.big(1n, 1_000_000n) : rng.big(1n, 10n ** 16n);
  };
  /** A calldata word for a contract of the given runtime. */
  const argFor = (runtime: string): Uint8Array => {
    switch (runtime) {
      case "store":
        return word((BigInt(rng.int(0, 3)) << 16n) | (BigInt(rng.weighted({ 0: 5, 1: 2, 2: 1, 3: 1 })) << 8n) | BigInt(rng.int(0, 3)));
      case "destruct":
        return word(rng.chance(0.4) ? coinbase : rng.pick(anyAddress));
      case "reader":
        return word(rng.pick(anyAddress));
      default:
        return word(BigInt(rng.int(0, 1000)));
    }
  };
  const runtimeAt = (addr: string): string => {
    for (const [name, c] of Object.entries(CONTRACTS)) if (c.addr === addr) return name.replace(/\d$/, "");
    return created.find((c) => c.addr === addr)?.runtime ?? "eoa";
  };

  for (let i = 0, n = rng.int(minTxs, maxTxs); i < n; i++) {
    const sender = rng.pick(senders);
    const kind = rng.weighted({ transfer: 25, store: 20, forward: 15, destruct: 6, reader: 8, transient: 7, create: 10, created: 9 });
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    let to: string | undefined;
    let data: Uint8Array = new Uint8Array(0);
    let gasLimit = 250_000n;
    let txValue = value();
    switch (kind) {
      case "transfer":
        to = rng.pick(anyAddress);
        // Exactly 21000 runs out of gas if the recipient is a contract: a failed tx that still pays.
        gasLimit = rng.chance(0.7) ? 21_000n : 100_000n;
        break;
      case "store":
        to = rng.pick([CONTRACTS.store1.addr, CONTRACTS.store2.addr]);
        data = argFor("store");
        if (rng.chance(0.1)) gasLimit = 30_000n; // often out of gas half way
        break;
      case "forward": {
        to = rng.pick([CONTRACTS.forwarder1.addr, CONTRACTS.forwarder2.addr]);
        const target = rng.pick(anyAddress);
        const flags = BigInt((rng.chance(0.25) ? 1 : 0) | (rng.chance(0.2) ? 2 : 0));
        data = concatBytes(word(target), argFor(runtimeAt(target)), word(flags));
        break;
      }
      case "destruct":
        to = CONTRACTS.destruct.addr;
        data = argFor("destruct");
        break;
      case "reader":
        to = CONTRACTS.reader.addr;
        data = argFor("reader");
        break;
      case "transient":
        to = CONTRACTS.transient.addr;
        data = argFor("transient");
        txValue = 0n;
        break;
      case "create": {
        const init = rng.weighted({ store: 4, destruct: 2, reader: 2, ephemeral: 2, failing: 1 } satisfies Record<InitKind, number>);
        data = INIT_CODES[init];
        gasLimit = rng.chance(0.1) ? 60_000n : 300_000n;
        const runtime = RUNTIME_OF[init];
        if (runtime !== undefined) created.push({ addr: bytesToUnprefixedHex(createContractAddress(sender.address, sender.nonce).bytes), runtime });
        break;
      }
      case "created": {
        // Call code created earlier in this block (or an empty account, if that creation failed).
        const target = created.length > 0 ? rng.pick(created) : { addr: rng.pick(predicted), runtime: "store" };
        to = target.addr;
        data = argFor(target.runtime);
        break;
      }
    }
    const tip = rng.chance(0.25) ? 0n : rng.big(1n, 2n * GWEI);
    const base = {
      nonce: sender.nonce,
      gasLimit,
      to: to === undefined ? undefined : (`0x${to}` as const),
      value: txValue,
      data,
    } as const;
    let tx: TypedTransaction;
    if (rng.chance(0.4)) {
      tx = createLegacyTx({ ...base, gasPrice: baseFee + tip }, { common }).sign(sender.key);
    } else {
      const accessList =
        rng.chance(0.2) && to !== undefined && gasLimit > 21_000n ? [{ address: `0x${to}` as `0x${string}`, storageKeys: [bytesToHex(word(BigInt(rng.int(0, 3))))] }] : [];
      tx = createFeeMarket1559Tx(
        { ...base, maxPriorityFeePerGas: tip, maxFeePerGas: baseFee + tip + rng.big(0n, GWEI), accessList },
        { common },
      ).sign(sender.key);
    }
    sender.nonce++;
    txs.push(tx);
    txSenders.push(`0x${sender.hex}`);
  }

  const withdrawals = Array.from({ length: rng.int(0, 2) }, (_, i) => ({
    index: BigInt(i),
    validatorIndex: BigInt(rng.int(0, 100)),
    address: `0x${rng.pick([coinbase, ...eoas])}` as `0x${string}`,
    amount: rng.big(1n, 10n ** 9n),
  }));
  const block: Block = createBlock(
    {
      header: {
        number: 20_000_000n,
        timestamp: 1_750_000_000n,
        gasLimit: 30_000_000n,
        baseFeePerGas: baseFee,
        coinbase: `0x${coinbase}`,
        parentBeaconBlockRoot: word(BigInt(seed) + 1n),
        excessBlobGas: 0n,
        blobGasUsed: 0n,
        mixHash: word(BigInt(rng.u32())),
      },
      transactions: txs,
      withdrawals,
    },
    { common },
  );
  return {
    input: { block, preState: pre, senders: txSenders },
    summary: { txs: txs.length, coinbase, coinbaseKind, kinds },
  };
}


/** A funded EOA per tx, each sending one tx (a creation where `to` is undefined): no nonce chains, only the conflicts the calls make. */
export function oneTxPerSender(label: string, pre: FlatState, calls: { to: string | undefined; data?: Uint8Array; value?: bigint; gasLimit?: bigint }[]): ParallelBlockInput {
  const txs = calls.map((c, i) => {
    const key = keccak_256(concatBytes(utf8ToBytes(label), intToBytes(i + 1)));
    pre.setAccount(bytesToUnprefixedHex(createAddressFromPrivateKey(key).bytes), { balance: ETHER });
    const data = { nonce: 0n, gasLimit: c.gasLimit ?? 200_000n, to: c.to === undefined ? undefined : (`0x${c.to}` as const), value: c.value ?? 0n, data: c.data ?? new Uint8Array(0) };
    return createFeeMarket1559Tx({ ...data, maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: GWEI }, { common }).sign(key);
  });
  const header = { number: 1n, timestamp: 1_750_000_000n, gasLimit: 30_000_000n, baseFeePerGas: GWEI, parentBeaconBlockRoot: word(1n), excessBlobGas: 0n, blobGasUsed: 0n };
  return { block: createBlock({ header, transactions: txs, withdrawals: [] }, { common }), preState: pre };
}

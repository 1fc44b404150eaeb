/**
 * Errors in the shapes Hardhat's network gives them, because ethers and the
 * chai matchers parse them:
 *
 * - RpcError: a JSON-RPC error with an EIP-1474 code (bad request, invalid
 *   transaction, out of gas);
 * - ExecutionRevertedError: a call or transaction that reverted. Like
 *   Hardhat's own, it has no `code`, and `data` is the revert data as hex
 *   (the matchers decode reasons, panics and custom errors from it).
 */
import { bytesToHex } from "@ethereumjs/util";
import { AbiCoder, Interface } from "ethers";
import type { ErrorFragment, InterfaceAbi } from "ethers";

import { keccak256 } from "../engine/hash";

/** Revert data whose descriptions CustomErrorDecoder keeps (the latest ones). */
const MAX_DESCRIBED = 1024;

/**
 * Custom errors by selector, from the ABIs of the project's contracts, so a
 * revert names its error as Hardhat's network does: `reverted with custom
 * error 'InsufficientCash("0x…", 10, 20)'` (tests match on it).
 *
 * The ABIs come from a loader, called once, when the first revert with data
 * that is neither a reason string nor a panic needs a name: reading every
 * artifact took about 12 s on a project of 700 contracts, too much to pay at
 * startup for runs that may never see a custom error.
 */
export class CustomErrorDecoder {
  private readonly bySelector = new Map<string, { iface: Interface; fragment: ErrorFragment }>();
  private loading?: Promise<void>;
  /** Error entries already added, as JSON: most ABIs repeat their libraries' errors (OpenZeppelin's ERC-20 errors in every token). */
  private readonly seenEntries = new Set<string>();
  /** Descriptions by revert data: a test suite reverts the same way again and again, and decoding takes a few hundred microseconds. */
  private readonly described = new Map<string, string | undefined>();

  constructor(private readonly loadAbis?: () => Promise<InterfaceAbi[]>) {}

  add(abi: InterfaceAbi): void {
    // Only the error entries not seen before: an Interface of a whole ABI parses every
    // function and event too, most of the cost of the first decoding.
    const errors =
      typeof abi === "string"
        ? abi
        : abi.filter((entry) => {
            if (typeof entry === "object" && entry !== null && (entry as { type?: unknown }).type !== "error") return false;
            const json = JSON.stringify(entry);
            if (this.seenEntries.has(json)) return false;
            this.seenEntries.add(json);
            return true;
          });
    if (errors.length === 0) return;
    const iface = new Interface(errors);
    iface.forEachError((fragment) => {
      // ethers' fragment.selector hashes with its pure-JS keccak: a visible share of loading a project's errors.
      const selector = bytesToHex(keccak256(new TextEncoder().encode(fragment.format("sighash")))).slice(0, 10);
      if (!this.bySelector.has(selector)) this.bySelector.set(selector, { iface, fragment });
    });
    // A selector unknown before may be known now.
    this.described.clear();
  }

  /** `Name(arg, "string arg")`, or undefined when the selector is unknown or the data does not decode. */
  async describe(data: string): Promise<string | undefined> {
    if (this.loadAbis !== undefined) {
      // Concurrent reverts share one load; a failed load (an unreadable artifact) fails every decoding, as it used to fail startup.
      await (this.loading ??= this.loadAbis().then((abis) => abis.forEach((abi) => this.add(abi))));
    }
    if (this.described.has(data)) return this.described.get(data);
    const described = this.decode(data);
    // Bounded: a long run with ever-different revert data keeps only the latest ones.
    if (this.described.size >= MAX_DESCRIBED) this.described.delete(this.described.keys().next().value!);
    this.described.set(data, described);
    return described;
  }

  private decode(data: string): string | undefined {
    const hit = this.bySelector.get(data.slice(0, 10));
    if (hit === undefined) return undefined;
    const args = staticErrorArgs(hit.fragment, data) ?? ethersErrorArgs(hit.iface, hit.fragment, data);
    return args === undefined ? undefined : `${hit.fragment.name}(${args.join(", ")})`;
  }
}

/** The error's arguments as the revert message shows them, decoded by ethers; undefined when the data does not decode. */
export function ethersErrorArgs(iface: Interface, fragment: ErrorFragment, data: string): string[] | undefined {
  try {
    return [...iface.decodeErrorResult(fragment, data)].map(formatArg);
  } catch {
    return undefined;
  }
}

/** Elementary types that fill one ABI word: what most custom errors take (OpenZeppelin's ERC20InsufficientBalance(address, uint256, uint256)). */
const ONE_WORD_TYPE = /^(address|bool|u?int(\d+)|bytes(\d+))$/;

/**
 * The arguments of an error whose parameters all fill one word each, read
 * straight from the words, with what ethers makes of them (an address
 * checksummed, a uintN masked to N bits, an intN in two's complement, any
 * non-zero bool true, the leading N bytes of a bytesN): ethers' decoder
 * took a few hundred microseconds per revert, a test suite's every expected
 * revert. Undefined (decode with ethers) for any other error, or data that
 * ethers might judge otherwise (too short, an address word with high bits).
 */
export function staticErrorArgs(fragment: ErrorFragment, data: string): string[] | undefined {
  const inputs = fragment.inputs;
  if (data.length < 10 + 64 * inputs.length || !/^0x[0-9a-fA-F]*$/.test(data)) return undefined;
  const args: string[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const m = ONE_WORD_TYPE.exec(inputs[i].type);
    if (m === null) return undefined;
    const word = data.slice(10 + 64 * i, 74 + 64 * i).toLowerCase();
    if (m[1] === "address") {
      if (!/^0{24}/.test(word)) return undefined;
      args.push(JSON.stringify(checksummed(word.slice(24))));
    } else if (m[1] === "bool") {
      args.push(String(BigInt(`0x${word}`) !== 0n));
    } else if (m[2] !== undefined) {
      const bits = BigInt(m[2]);
      let value = BigInt(`0x${word}`) & ((1n << bits) - 1n);
      if (m[1].startsWith("int") && value >> (bits - 1n) === 1n) value -= 1n << bits;
      args.push(String(value));
    } else {
      args.push(JSON.stringify(`0x${word.slice(0, 2 * Number(m[3]))}`));
    }
  }
  return args;
}

/** EIP-55 checksum of 40 lowercase hex digits. */
function checksummed(hex: string): string {
  const hash = keccak256(new TextEncoder().encode(hex));
  let out = "0x";
  for (let i = 0; i < 40; i++) {
    const nibble = (hash[i >> 1] >> (i % 2 === 0 ? 4 : 0)) & 0xf;
    out += nibble >= 8 ? hex[i].toUpperCase() : hex[i];
  }
  return out;
}

function formatArg(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(formatArg).join(", ")}]`;
  return String(v);
}

export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = "ProviderError";
  }
}

/** JSON-RPC "internal error": a bug of the engine surfaced while mining. */
export const INTERNAL_ERROR = -32603;
/** Code of the error a block refused by verification gives (an internal error too). */
export const VERIFICATION_FAILED = INTERNAL_ERROR;

export class ExecutionRevertedError extends Error {
  constructor(
    message: string,
    /** The revert data, 0x-prefixed ("0x" when empty). */
    readonly data: string,
    readonly transactionHash?: string,
  ) {
    super(message);
    this.name = "ExecutionRevertedError";
  }
}

const ERROR_STRING = "0x08c379a0";
const PANIC = "0x4e487b71";

/** What Solidity's panic codes mean. */
const PANIC_REASONS: Record<number, string> = {
  0x00: "Generic compiler panic",
  0x01: "Assertion error",
  0x11: "Arithmetic operation overflowed outside of an unchecked block",
  0x12: "Division or modulo division by zero",
  0x21: "Tried to convert a value into an enum, but the value was too big or negative",
  0x22: "Incorrectly encoded storage byte array",
  0x31: ".pop() was called on an empty array",
  0x32: "Array accessed at an out-of-bounds or negative index",
  0x41: "Too much memory was allocated, or an array was created that is too large",
  0x51: "Called a zero-initialized variable of internal function type",
};

const PREFIX = "VM Exception while processing transaction:";

/** The precompile number of an address (1 to 0x11, and 0x100 for P256), or undefined. */
function precompileNumber(to: string | undefined): number | undefined {
  if (to === undefined || !/^0x0{36}[0-9a-f]{4}$/i.test(to)) return undefined;
  const n = Number.parseInt(to.slice(-4), 16);
  return (n >= 1 && n <= 0x11) || n === 0x100 ? n : undefined;
}

/**
 * The error for a failed execution, from the EVM's error and return data;
 * `to` is the call's target (a failed call straight to a precompile is
 * reported as Hardhat's network reports it).
 */
export async function executionFailure(evmError: string | undefined, returnValue: Uint8Array, transactionHash?: string, decoder?: CustomErrorDecoder, to?: string): Promise<Error> {
  const data = bytesToHex(returnValue);
  if (evmError === "out of gas") {
    return new RpcError(-32000, "Transaction ran out of gas", { data: "0x", transactionHash: transactionHash ?? null });
  }
  const precompile = precompileNumber(to);
  if (precompile !== undefined && evmError !== undefined && evmError !== "revert") {
    return new ExecutionRevertedError(`Transaction reverted: call to precompile ${precompile} failed`, data, transactionHash);
  }
  if (evmError === "code size to deposit exceeds maximum code size") {
    return new ExecutionRevertedError("Transaction reverted: trying to deploy a contract whose code is too large", data, transactionHash);
  }
  if (evmError !== undefined && evmError !== "revert") return new ExecutionRevertedError(`${PREFIX} ${evmError}`, data, transactionHash);
  if (returnValue.length === 0) return new ExecutionRevertedError("Transaction reverted without a reason string", data, transactionHash);
  try {
    if (data.startsWith(ERROR_STRING)) {
      const [reason] = AbiCoder.defaultAbiCoder().decode(["string"], `0x${data.slice(10)}`);
      return new ExecutionRevertedError(`${PREFIX} reverted with reason string '${reason}'`, data, transactionHash);
    }
    if (data.startsWith(PANIC) && data.length === 74) {
      const code = Number(BigInt(`0x${data.slice(10)}`));
      const reason = PANIC_REASONS[code] ?? "Unknown panic code";
      return new ExecutionRevertedError(`${PREFIX} reverted with panic code 0x${code.toString(16)} (${reason})`, data, transactionHash);
    }
  } catch {
    // Malformed reason data: reported as unrecognized below.
  }
  const custom = await decoder?.describe(data);
  if (custom !== undefined) return new ExecutionRevertedError(`${PREFIX} reverted with custom error '${custom}'`, data, transactionHash);
  return new ExecutionRevertedError(`${PREFIX} reverted with an unrecognized custom error (return data: ${data})`, data, transactionHash);
}

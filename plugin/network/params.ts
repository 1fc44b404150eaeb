/**
 * Parsing of JSON-RPC parameters, and the errors for bad ones.
 *
 * Hardhat's network parses a request's JSON and, when a parameter does not
 * fit, answers -32602 with the parser's message followed by the position in
 * the request text where parsing stopped ("… at line 1 column 48"), where the
 * text is `{"method":…,"params":[…]}` exactly as JSON.stringify writes it.
 * ParamReader gives the methods that check their parameters that way the same
 * messages; the older helpers below (parseAddress, …) keep their own, more
 * descriptive texts with the same code.
 */
import { RpcError } from "./errors";

export type Hex = `0x${string}`;

export function parseAddress(v: unknown): Hex {
  if (typeof v !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(v)) throw new RpcError(-32602, `Invalid address ${JSON.stringify(v)}: expected 0x followed by 40 hex digits`);
  return v.toLowerCase() as Hex;
}

export function parseData(v: unknown, what: string): Hex {
  if (typeof v !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(v)) throw new RpcError(-32602, `Invalid ${what} ${JSON.stringify(v)}: expected 0x-prefixed hex bytes`);
  return v.toLowerCase() as Hex;
}

export function parseQuantity(v: unknown, what: string): bigint {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v !== "string" || !/^0x[0-9a-fA-F]+$/.test(v)) throw new RpcError(-32602, `Invalid ${what} ${JSON.stringify(v)}: expected a 0x-prefixed hex quantity`);
  return BigInt(v);
}

/** How a value appears in a parser message: strings quoted, numbers as "integer `5`". */
export function describe(v: unknown): string {
  if (typeof v === "string") return `string ${JSON.stringify(v)}`;
  if (typeof v === "number") return Number.isInteger(v) ? `integer \`${v}\`` : `floating point \`${v}\``;
  if (typeof v === "boolean") return `boolean \`${v}\``;
  if (v === null) return "null";
  return Array.isArray(v) ? "sequence" : "map";
}

/** Reads one request's parameters, failing as Hardhat's network's parser does. */
export class ParamReader {
  constructor(
    readonly method: string,
    readonly params: unknown[],
  ) {}

  private get prefix(): string {
    return `{"method":${JSON.stringify(this.method)},"params":[`;
  }

  /** -32602 with the column where the parser stands after parameter `index` (plus `lookahead` characters). */
  fail(index: number, message: string, lookahead = 0): RpcError {
    return this.failAt(index, (JSON.stringify(this.params[index]) ?? "null").length + lookahead, message);
  }

  /** -32602 with the column `offset` characters into parameter `index`'s JSON text. */
  failAt(index: number, offset: number, message: string): RpcError {
    let column = this.prefix.length + offset;
    for (let i = 0; i < index && i < this.params.length; i++) column += (JSON.stringify(this.params[i]) ?? "null").length + 1;
    return new RpcError(-32602, `${message} at line 1 column ${column}`, { method: this.method, params: this.params });
  }

  /** What Hardhat's network answers when a request does not parse as any method (some malformed values get this). */
  unsupported(): RpcError {
    return new RpcError(-32004, `Method ${this.method} is not supported`, { method: this.method, params: this.params });
  }

  /** Checks the number of parameters: `min` required, up to `max`. */
  count(min: number, max = min): this {
    const n = this.params.length;
    if (n >= min && n <= max) return this;
    const all = JSON.stringify({ method: this.method, params: this.params }).length;
    if (max === 0) return this.failExtra();
    // One-parameter methods are read as a sequence (the column is the end of the text), longer ones as a tuple.
    if (max === 1) throw new RpcError(-32602, `expected params sequence with length 1 but got ${n} at line 1 column ${all}`, { method: this.method, params: this.params });
    const variant = this.method.replace(/^[a-z0-9]+_/, "").replace(/^./, (c) => c.toUpperCase());
    throw new RpcError(-32602, `invalid length ${n}, expected tuple variant MethodInvocation::${variant} with ${max} elements at line 1 column ${all - 1}`, {
      method: this.method,
      params: this.params,
    });
  }

  private failExtra(): never {
    throw this.fail(0, `invalid type: ${describe(this.params[0])}, expected unit`);
  }

  /** true or false. */
  boolean(index: number): boolean {
    const v = this.params[index];
    if (typeof v === "boolean") return v;
    throw this.fail(index, `invalid type: ${describe(v)}, expected a boolean`);
  }

  /** A 32-byte hash (0x + 64 hex digits). */
  hash(index: number): Hex {
    const v = this.params[index];
    if (typeof v === "string" && /^0x[0-9a-fA-F]{64}$/.test(v)) return v.toLowerCase() as Hex;
    if (typeof v === "string" && /^0x[0-9a-fA-F]*$/.test(v)) throw this.fail(index, "Invalid string length");
    throw this.fail(index, `invalid type: ${describe(v)}, expected 32 bytes, represented as a hex string of length 64, an array of u8, or raw bytes`);
  }

  /** A filter or subscription id: a quantity of up to 32 bytes, hex with or without leading zeros, or a JSON number. */
  filterId(index: number): bigint {
    const v = this.params[index];
    if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
    if (typeof v === "string" && /^0x[0-9a-fA-F]{1,64}$/.test(v)) return BigInt(v);
    throw this.fail(index, `invalid value: ${describe(v)}, expected a 32 byte hex string`);
  }

  /** A hex quantity (an index). */
  quantity(index: number): bigint {
    const v = this.params[index];
    if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
    if (typeof v === "string" && /^0x[0-9a-fA-F]{1,64}$/.test(v)) return BigInt(v);
    throw this.fail(index, `invalid value: ${describe(v)}, expected a 32 byte hex string`);
  }

  /** A 20-byte address. */
  address(index: number): Hex {
    const v = this.params[index];
    if (typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v)) return v.toLowerCase() as Hex;
    if (typeof v === "string" && /^0x[0-9a-fA-F]*$/.test(v)) throw this.fail(index, "Invalid string length");
    throw this.fail(index, `invalid type: ${describe(v)}, expected a 0x-prefixed hex string with length of 40`);
  }

  /** Hex bytes of any length. */
  bytes(index: number): Hex {
    const v = this.params[index];
    if (typeof v === "string" && /^0x([0-9a-fA-F]{2})*$/.test(v)) return v.toLowerCase() as Hex;
    throw this.fail(index, `invalid value: ${describe(v)}, expected a valid hex string`);
  }

  /**
   * Hardhat's older validators (still in front of several methods on its
   * network): a string of the given form, else "invalid value … supplied to : TYPE".
   */
  private legacy(index: number, type: "ADDRESS" | "QUANTITY" | "DATA", valid: RegExp): Hex {
    const v = this.params[index];
    if (typeof v === "string" && valid.test(v)) return v.toLowerCase() as Hex;
    if (typeof v !== "string") throw this.fail(index, `This method only supports strings but input was: ${JSON.stringify(v)}`, 1);
    throw this.fail(index, `invalid value ${JSON.stringify(v)} supplied to : ${type}`, 1);
  }

  legacyAddress(index: number): Hex {
    return this.legacy(index, "ADDRESS", /^0x[0-9a-fA-F]{40}$/);
  }

  legacyQuantity(index: number): bigint {
    return BigInt(this.legacy(index, "QUANTITY", /^0x[0-9a-fA-F]+$/));
  }

  legacyData(index: number): Hex {
    return this.legacy(index, "DATA", /^0x([0-9a-fA-F]{2})*$/);
  }

  /** A block count or interval for hardhat_mine: an 8-byte hex quantity. */
  u64(index: number): bigint {
    const v = this.params[index];
    if (typeof v === "string" && /^0x[0-9a-fA-F]{1,16}$/.test(v)) return BigInt(v);
    if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
    throw this.fail(index, `invalid value: ${describe(v)}, expected a 8 byte hex string`);
  }

  /** A timestamp or a number of seconds (evm_increaseTime): a JSON number or a hex quantity below 2^64. */
  seconds(index: number): bigint {
    const v = this.params[index];
    if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
    if (typeof v === "string" && /^0x[0-9a-fA-F]{1,16}$/.test(v)) return BigInt(v);
    throw this.fail(index, "Timestamp must be a non-negative number not exceeding 2^64 - 1", 1);
  }

  /** A storage slot (eth_getStorageAt): hex, up to 32 bytes. */
  slot(index: number): bigint {
    const v = this.params[index];
    if (typeof v === "string" && /^0x[0-9a-fA-F]{1,64}$/.test(v)) return BigInt(v);
    throw this.fail(index, `Storage slot argument must be a valid hexadecimal, got '${typeof v === "string" ? v : JSON.stringify(v)}'`, 1);
  }

  /** A block tag for state reads; a string that is neither a name nor hex does not parse as the method at all. */
  stateTag(index: number): unknown {
    const v = this.params[index];
    if (typeof v === "string" && !/^(latest|earliest|pending|safe|finalized|0x[0-9a-fA-F]*)$/.test(v)) throw this.unsupported();
    return v;
  }

  /**
   * The block of eth_call / eth_estimateGas: a name, a number of up to 8
   * bytes or an EIP-1898 object; a block hash must come inside the object
   * ({ blockHash }), as Hardhat's network's parser requires.
   */
  callTag(index: number): unknown {
    const v = this.stateTag(index);
    if (typeof v === "string" && /^0x[0-9a-fA-F]{17,}$/.test(v)) throw this.fail(index, `invalid value: ${describe(v)}, expected a 8 byte hex string`);
    return v;
  }

  /** An address field of a transaction object (eth_call, eth_estimateGas, eth_sendTransaction). */
  objectAddress(index: number, field: string): Hex | undefined {
    const obj = this.params[index] as Record<string, unknown>;
    const v = obj[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v)) return v.toLowerCase() as Hex;
    if (typeof v === "string" && /^0x[0-9a-fA-F]*$/.test(v)) {
      // The parser stands right after the field's value in the object's JSON text.
      const text = JSON.stringify(obj);
      const key = `${JSON.stringify(field)}:`;
      throw this.failAt(index, text.indexOf(key) + key.length + JSON.stringify(v).length, "Invalid string length");
    }
    return parseAddress(v);
  }

  /** A block tag without the EIP-1898 object form: a number or latest/earliest/pending/safe/finalized. */
  blockTag(index: number): bigint | "latest" | "earliest" | "pending" | "safe" | "finalized" {
    const v = this.params[index];
    if (v === "latest" || v === "earliest" || v === "pending" || v === "safe" || v === "finalized") return v;
    if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
    if (typeof v === "string" && /^0x[0-9a-fA-F]{1,16}$/.test(v)) return BigInt(v);
    // A value that may be of several types is read whole first: the parser has seen the next character when it fails.
    throw this.fail(index, "data did not match any variant of untagged enum PreEip1898BlockSpec", 1);
  }
}

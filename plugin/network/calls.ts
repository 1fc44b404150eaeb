/**
 * Calls and gas estimates (eth_call, eth_estimateGas, eth_sendTransaction
 * without a gas limit): a message run in a block's context, its effects
 * thrown away.
 */
import type { Block } from "@ethereumjs/block";
import { createTx } from "@ethereumjs/tx";

import { BlockOverlay } from "../engine/block-overlay";
import type { FlatState } from "../engine/flat-state";
import { infoKey } from "../engine/location";
import { withSender } from "../engine/prepare";
import { TxExecutor } from "../engine/tx-executor";
import type { AccountInfo } from "../engine/types";
import { Chain } from "./chain";
import { INTERNAL_ERROR, RpcError, executionFailure } from "./errors";
import { EMPTY_ACCOUNT } from "./accounts";
import type { NetworkNode } from "./node";
import { parseAddress, parseData, parseQuantity } from "./params";
import type { Hex, ParamReader } from "./params";
import { capTxGas } from "./tx-gas-cap";

/** Where a call runs: its block (header fields, zero base fee) and the state it reads. */
export interface CallContext {
  block: Block;
  state: FlatState;
}

/** An EIP-2930 access list entry, as JSON-RPC gives it. */
export interface AccessListEntry {
  address: Hex;
  storageKeys: Hex[];
}

/** A signed EIP-7702 authorization, as JSON-RPC gives it (every field hex). */
export interface Authorization {
  chainId: Hex;
  address: Hex;
  nonce: Hex;
  yParity: Hex;
  r: Hex;
  s: Hex;
}

export interface CallRequest {
  from: Hex;
  /** The transaction type the caller named, if any (only 3, blob, changes anything: it is refused for sends). */
  type?: bigint;
  accessList?: AccessListEntry[];
  authorizationList?: Authorization[];
  to?: Hex;
  data?: Hex;
  value?: bigint;
  gas?: bigint;
  nonce?: bigint;
  gasPrice?: bigint;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
}

export class Calls {
  private executor?: Promise<TxExecutor>;

  constructor(private readonly node: NetworkNode) {}

  /**
   * The block a call or a gas estimate runs in and the state it reads, by
   * Hardhat's rules: at "pending", the block the mempool would make now
   * (next number, next timestamp, the pending state); at "latest", a number,
   * a hash or an EIP-1898 object, that block itself, with its own header
   * (number, timestamp, base fee, coinbase, PREVRANDAO, gas limit, blob gas)
   * and the state right after it.
   */
  async context(tag: unknown): Promise<CallContext> {
    if (tag === "pending") {
      const state = this.node.mempool.length > 0 ? (await this.node.miner.pendingBlock()).state : this.node.chain.state;
      return { block: this.node.chain.callBlock("pending", this.node.clock.peekTimestamp()), state };
    }
    const n = this.node.blockNumberOf(tag ?? "latest");
    return { block: this.node.chain.callBlock(n, 0n), state: this.node.chain.stateAt(n) };
  }

  /** BLOCKHASH inside calls: any block of the chain (the EVM keeps to the 256 below the call's block). */
  private readonly blockHashes = (n: bigint): Uint8Array | undefined => (n <= BigInt(this.node.chain.height) ? this.node.chain.hashOf(Number(n)) : undefined);

  /** Runs a message in a block context without keeping its effects (eth_call, eth_estimateGas). */
  async simulate(call: CallRequest, requestedGas: bigint, context: CallContext) {
    // Osaka caps a transaction's gas (EIP-7825); a call with more would not even parse.
    const gasLimit = capTxGas(this.node.chain.common, requestedGas);
    const executor = await (this.executor ??= TxExecutor.create(this.node.chain.common, this.blockHashes, this.node.options.rules));
    const from = Chain.engineAddress(call.from);
    const nonce = ((context.state.read(infoKey(from)) as AccountInfo | null) ?? EMPTY_ACCOUNT).nonce;
    const tx = createTx(
      // GASPRICE as on Hardhat's network: the price the call names (a legacy gas price, or the priority
      // fee capped by the fee cap over a zero base fee), else 0.
      // Its access list and authorizations too; always with EIP-1559 fee fields (callFees covers a gas price).
      { ...typedFields(call), type: call.authorizationList === undefined ? 2 : 4, to: call.to, data: call.data, value: call.value, gasLimit, nonce, ...callFees(call) },
      { common: this.node.txCommon(), freeze: false },
    );
    withSender(tx, call.from);
    const overlay = new BlockOverlay(context.state);
    const outcome = await executor.run(context.block, tx, 0, 0, overlay.sourceFor(), { skipNonce: true, skipBalance: true });
    if (outcome.kind === "invalid" && outcome.internal === true) {
      throw new RpcError(INTERNAL_ERROR, `hardhat-parallel internal error while running the call: ${outcome.error}. This is a bug in hardhat-parallel, not in the call; please report it with this message.`);
    }
    if (outcome.kind !== "executed") throw new RpcError(-32000, outcome.kind === "invalid" ? outcome.error : "call could not run");
    return outcome.receipt;
  }

  async estimate(r: CallRequest, context: CallContext): Promise<bigint> {
    const requested = r.gas ?? this.node.options.blockGasLimit;
    const cap = capTxGas(this.node.chain.common, requested);
    const first = await this.simulate(r, cap, context);
    // Like Hardhat: an estimate prints its console.log output only when it fails.
    if (first.status === 0) this.node.printLogs(first.consoleLogs);
    if (first.status === 0) throw await executionFailure(first.error, first.returnValue, undefined, this.node.options.errorDecoder, r.to);
    // The smallest limit that still succeeds: refunds and the 63/64 rule make gasUsed alone too low.
    // Refunds (EIP-7702 authorizations to existing accounts among them) can take gasUsed below the
    // intrinsic gas: a limit the transaction cannot even start with fails like one it runs out of.
    const succeeds = async (gas: bigint): Promise<boolean> => {
      try {
        return (await this.simulate(r, gas, context)).status === 1;
      } catch (e) {
        if (e instanceof RpcError && /INTRINSIC_GAS_TOO_LOW/.test(e.message)) return false;
        throw e;
      }
    };
    let low = first.gasUsed - 1n;
    let high = cap;
    if (await succeeds(first.gasUsed)) return first.gasUsed;
    while (high - low > 1n) {
      const mid = (low + high) / 2n;
      if (await succeeds(mid)) high = mid;
      else low = mid;
    }
    return high;
  }
}

/** The fee fields of a call's transaction, over a block whose base fee is 0. */
function callFees(call: CallRequest): { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } {
  if (call.gasPrice !== undefined && call.maxFeePerGas === undefined) return { maxFeePerGas: call.gasPrice, maxPriorityFeePerGas: call.gasPrice };
  const maxFeePerGas = call.maxFeePerGas ?? 0n;
  const tip = call.maxPriorityFeePerGas ?? 0n;
  return { maxFeePerGas, maxPriorityFeePerGas: tip < maxFeePerGas ? tip : maxFeePerGas };
}

const ZERO_ADDRESS: Hex = "0x0000000000000000000000000000000000000000";

/** A transaction object (eth_call, eth_estimateGas, eth_sendTransaction); with a reader, address fields fail as Hardhat's parser does. */
export function parseCallRequest(request: unknown, needFrom: boolean, reader?: ParamReader): CallRequest {
  if (typeof request !== "object" || request === null) throw new RpcError(-32602, "Invalid transaction request: expected an object");
  const r = request as Record<string, unknown>;
  if (needFrom && r.from === undefined) throw new RpcError(-32602, "Missing \"from\" field in the transaction request");
  const address = (field: "from" | "to") => (reader !== undefined ? reader.objectAddress(0, field) : r[field] === undefined || r[field] === null ? undefined : parseAddress(r[field]));
  return {
    from: address("from") ?? ZERO_ADDRESS,
    to: address("to"),
    data: r.data !== undefined ? parseData(r.data, "data") : r.input !== undefined ? parseData(r.input, "input") : undefined,
    value: r.value === undefined ? undefined : parseQuantity(r.value, "value"),
    gas: r.gas === undefined ? undefined : parseQuantity(r.gas, "gas"),
    nonce: r.nonce === undefined ? undefined : parseQuantity(r.nonce, "nonce"),
    gasPrice: r.gasPrice === undefined ? undefined : parseQuantity(r.gasPrice, "gasPrice"),
    maxFeePerGas: r.maxFeePerGas === undefined ? undefined : parseQuantity(r.maxFeePerGas, "maxFeePerGas"),
    maxPriorityFeePerGas: r.maxPriorityFeePerGas === undefined ? undefined : parseQuantity(r.maxPriorityFeePerGas, "maxPriorityFeePerGas"),
    type: r.type === undefined || r.type === null ? undefined : parseQuantity(r.type, "type"),
    accessList: r.accessList === undefined || r.accessList === null ? undefined : parseAccessList(r.accessList),
    authorizationList: r.authorizationList === undefined || r.authorizationList === null ? undefined : parseAuthorizationList(r.authorizationList),
  };
}

function parseAccessList(v: unknown): AccessListEntry[] {
  if (!Array.isArray(v)) throw new RpcError(-32602, `Invalid accessList ${JSON.stringify(v)}: expected an array of { address, storageKeys }`);
  return v.map((entry: unknown) => {
    const e = entry as { address?: unknown; storageKeys?: unknown };
    if (typeof e !== "object" || e === null || !Array.isArray(e.storageKeys)) {
      throw new RpcError(-32602, `Invalid accessList entry ${JSON.stringify(entry)}: expected { address, storageKeys: [32-byte hex] }`);
    }
    return { address: parseAddress(e.address), storageKeys: e.storageKeys.map((k) => parseHash(k, "accessList storage key")) };
  });
}

function parseAuthorizationList(v: unknown): Authorization[] {
  if (!Array.isArray(v)) throw new RpcError(-32602, `Invalid authorizationList ${JSON.stringify(v)}: expected an array of signed authorizations`);
  return v.map((item: unknown) => {
    const a = item as Record<string, unknown>;
    if (typeof a !== "object" || a === null) throw new RpcError(-32602, `Invalid authorization ${JSON.stringify(item)}: expected { chainId, address, nonce, yParity, r, s }`);
    const hex = (field: string) => `0x${parseQuantity(a[field], `authorization ${field}`).toString(16)}` as Hex;
    return { chainId: hex("chainId"), address: parseAddress(a.address), nonce: hex("nonce"), yParity: hex("yParity"), r: hex("r"), s: hex("s") };
  });
}

function parseHash(v: unknown, what: string): Hex {
  if (typeof v === "string" && /^0x[0-9a-fA-F]{64}$/.test(v)) return v.toLowerCase() as Hex;
  throw new RpcError(-32602, `Invalid ${what} ${JSON.stringify(v)}: expected 32 bytes as 0x-prefixed hex`);
}

/**
 * The typed fields of a transaction built from a request: an EIP-7702 one
 * when it carries an authorization list, else its access list (EIP-2930
 * fields on an EIP-1559 transaction, or on a type-1 one when only a gas
 * price is given), as Hardhat's network builds them.
 */
export function typedFields(r: CallRequest): { type?: 1 | 4; accessList?: AccessListEntry[]; authorizationList?: Authorization[] } {
  if (r.authorizationList !== undefined) return { type: 4, accessList: r.accessList, authorizationList: r.authorizationList };
  if (r.accessList === undefined || r.accessList.length === 0) return {};
  return r.gasPrice !== undefined && r.maxFeePerGas === undefined ? { type: 1, accessList: r.accessList } : { accessList: r.accessList };
}

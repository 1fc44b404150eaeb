/**
 * Runs one transaction with @ethereumjs `runTx` over a TxStateManager and
 * turns the result into an ExecutionOutcome. Both executors (and every
 * worker) go through here, so transaction semantics live in one place.
 */
import type { Block } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import type { TypedTransaction } from "@ethereumjs/tx";
import { EthereumJSError, bytesToUnprefixedHex, hexToBytes } from "@ethereumjs/util";
import { createVM, runTx } from "@ethereumjs/vm";
import type { VM } from "@ethereumjs/vm";
import type { EVM } from "@ethereumjs/evm";
import { performance } from "node:perf_hooks";

import { keccakReady } from "./hash";
import { P256_VERIFY_ADDRESS, rip7212P256Verify } from "./p256-verify";
import type { ExecutionRules } from "./prepare";
import { EstimateHit, TxStateManager } from "./tx-state";
import { installFastEipLookup, installJumpAnalysisCache } from "./vm-internals";

installJumpAnalysisCache();
import type { ReadSource } from "./tx-state";
import type { ExecutionOutcome, Incarnation, TxIndex, TxReceiptData } from "./types";

/**
 * Solidity's `console.log` (hardhat/console.sol) calls this code-less
 * address; the calldata is the log. The engine only collects it: printing is
 * the network's business.
 */
const CONSOLE_ADDRESS = hexToBytes("0x000000000000000000636f6e736f6c652e6c6f67");

function isConsoleAddress(bytes: Uint8Array): boolean {
  for (let i = 19; i >= 0; i--) if (bytes[i] !== CONSOLE_ADDRESS[i]) return false;
  return true;
}

/** Block hashes by number, for BLOCKHASH. */
export type BlockHashes = Map<bigint, Uint8Array>;

/**
 * Block hashes looked up when BLOCKHASH asks (undefined: unknown). A chain
 * whose calls run at any of its blocks answers from its own history instead
 * of copying 256 hashes into a map for every call.
 */
export type BlockHashLookup = (n: bigint) => Uint8Array | undefined;

export class MissingBlockHashError extends Error {}

/**
 * Whether runTx threw because the transaction is invalid (nonce, funds, gas,
 * fees, signature, type): @ethereumjs raises those, and only those here, as
 * EthereumJSError. Anything else (a TypeError, an error of this engine) is a
 * bug, not the transaction's fault.
 */
function isValidityError(e: unknown): boolean {
  return e instanceof EthereumJSError || (e instanceof Error && e.constructor.name === "EthereumJSError");
}

/** The first frames of a stack, for a bug report. */
function stackTop(e: Error): string {
  const frames = (e.stack ?? "").split("\n").slice(1, 4).map((l) => l.trim());
  return frames.length > 0 ? ` (${frames.join("; ")})` : "";
}

/** What BLOCKHASH reads: the hashes of the block being executed, replaceable for the next block. */
export interface BlockHashSource {
  hashes: BlockHashes | BlockHashLookup;
}

export function blockchainFor(source: BlockHashSource) {
  return {
    async getBlock(n: number | bigint) {
      const { hashes } = source;
      const hash = typeof hashes === "function" ? hashes(BigInt(n)) : hashes.get(BigInt(n));
      if (hash === undefined) {
        throw new MissingBlockHashError(`BLOCKHASH needs the hash of block ${n}, which was not provided (pass it in the block hashes)`);
      }
      return { hash: () => hash };
    },
    async putBlock() {},
    shallowCopy() {
      return this;
    },
  };
}

export class TxExecutor {
  private depth = 0;
  /** Calldata of the calls this run made to Hardhat's console.log address. */
  private consoleCalls: Uint8Array[] = [];

  private constructor(
    readonly vm: VM,
    readonly state: TxStateManager,
    readonly rules: ExecutionRules,
    private readonly blockHashes: BlockHashSource,
  ) {
    // The fee phase starts when the top-level message returns (tx-state.ts).
    vm.evm.events!.on("beforeMessage", (message: { to?: { bytes: Uint8Array }; data: Uint8Array }) => {
      this.depth++;
      if (message.to !== undefined && isConsoleAddress(message.to.bytes)) this.consoleCalls.push(message.data);
    });
    vm.evm.events!.on("afterMessage", () => {
      if (--this.depth === 0) state.feePhase = true;
    });
  }

  static async create(common: Common, hashes: BlockHashes | BlockHashLookup, rules: ExecutionRules = {}): Promise<TxExecutor> {
    await keccakReady;
    const state = new TxStateManager();
    const unlimited = rules.allowUnlimitedContractSize === true;
    const rip7212 = rules.rip7212P256Verify === true && !common.isActivatedEIP(7951);
    const blockHashes: BlockHashSource = { hashes };
    const vm = await createVM({
      common,
      stateManager: state,
      blockchain: blockchainFor(blockHashes) as never,
      evmOpts: {
        allowUnlimitedContractSize: unlimited,
        allowUnlimitedInitCodeSize: unlimited,
        // runTx warms every precompile, custom ones included (EIP-2929), as revm does.
        customPrecompiles: rip7212 ? [{ address: P256_VERIFY_ADDRESS, function: rip7212P256Verify }] : undefined,
      },
    });
    installFastEipLookup(vm.common);
    installFastEipLookup(vm.evm.common);
    return new TxExecutor(vm, state, rules, blockHashes);
  }

  /**
   * Points BLOCKHASH at another block's hashes, so one executor serves block
   * after block of the same chain: creating the VM and EVM (opcode and
   * precompile tables) cost about 1 ms, as much as running a transfer.
   */
  useBlockHashes(hashes: BlockHashes): void {
    this.blockHashes.hashes = hashes;
  }

  /**
   * `checks` relaxes runTx's nonce and balance checks, for calls and gas
   * estimates (eth_call, eth_estimateGas) that are never part of a block.
   */
  async run(
    block: Block,
    tx: TypedTransaction,
    index: TxIndex,
    incarnation: Incarnation,
    source: ReadSource,
    checks: { skipNonce?: boolean; skipBalance?: boolean } = {},
  ): Promise<ExecutionOutcome> {
    const started = performance.now();
    const coinbase = bytesToUnprefixedHex(block.header.coinbase.bytes);
    this.state.begin(index, source, coinbase);
    this.state.maskSenderCode(this.rules.allowSendersWithCode === true ? bytesToUnprefixedHex(tx.getSenderAddress().bytes) : undefined);
    this.depth = 0;
    this.consoleCalls = [];
    // runTx clears transient storage when a transaction ends normally; one that
    // was stopped by an EstimateHit left its TSTOREs behind.
    (this.vm.evm as EVM).transientStorage.clear();
    const micros = () => Math.round((performance.now() - started) * 1000);
    try {
      const result = await runTx(this.vm, { tx, block, skipBlockGasLimitValidation: true, blockGasUsed: 0n, ...checks });
      if (this.state.blockedOn !== undefined) {
        return { kind: "blocked", tx: index, incarnation, dependency: this.state.blockedOn, key: this.state.blockedKey, micros: micros() };
      }
      const receipt: TxReceiptData = {
        status: result.execResult.exceptionError === undefined ? 1 : 0,
        gasUsed: result.totalGasSpent,
        blockGasUsed: result.blockGasSpent ?? result.totalGasSpent,
        logs: (result.execResult.logs ?? []) as TxReceiptData["logs"],
        bloom: result.bloom.bitvector,
        blobGasUsed: result.blobGasUsed,
        createdAddress: result.createdAddress?.toString(),
        error: result.execResult.exceptionError?.error,
        returnValue: result.execResult.returnValue,
        sender: tx.getSenderAddress().toString(),
        minerValue: result.minerValue,
      };
      if (this.consoleCalls.length > 0) receipt.consoleLogs = this.consoleCalls;
      return {
        kind: "executed",
        tx: index,
        incarnation,
        reads: this.state.readSet(),
        writeSet: this.state.writeSet(),
        receipt,
        micros: micros(),
      };
    } catch (e) {
      if (this.state.blockedOn !== undefined || e instanceof EstimateHit) {
        const dependency = this.state.blockedOn ?? (e as EstimateHit).dependency;
        return { kind: "blocked", tx: index, incarnation, dependency, key: this.state.blockedKey, micros: micros() };
      }
      if (e instanceof MissingBlockHashError) throw e;
      let sender: string | undefined;
      try {
        sender = tx.getSenderAddress().toString();
      } catch {
        sender = undefined;
      }
      // A transaction is judged invalid before its first message runs; a throw
      // from inside a message (a precompile, the interpreter) is the engine's
      // or the EVM library's failure, whatever class the error has
      // (@ethereumjs threw "kzg not initialized" as an EthereumJSError).
      const internal = !isValidityError(e) || this.depth > 0;
      return {
        kind: "invalid",
        tx: index,
        incarnation,
        reads: this.state.readSet(),
        // A bug keeps its stack: the report must say where it broke.
        error: e instanceof Error ? (internal ? `${e.name}: ${e.message}${stackTop(e)}` : e.message) : String(e),
        ...(internal ? { internal } : {}),
        sender,
        micros: micros(),
      };
    }
  }
}

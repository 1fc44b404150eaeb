/**
 * Block-level helpers that @ethereumjs/vm 10.1 implements in runBlock.js and
 * requests.js but does not re-export from its entry point. Its package
 * `exports` map blocks deep imports, so they are loaded by absolute path next
 * to the resolved entry. Pinned @ethereumjs versions keep these stable; if a
 * newer version moves them, this file is the one place to change.
 */
import path from "node:path";
import type { CLRequest, CLRequestType, Account, Address } from "@ethereumjs/util";
import type { Common } from "@ethereumjs/common";
import type { VM } from "@ethereumjs/vm";

const dir = path.dirname(require.resolve("@ethereumjs/vm"));

interface RunBlockInternals {
  accumulateParentBeaconBlockRoot(vm: VM, root: Uint8Array, timestamp: bigint): Promise<void>;
  accumulateParentBlockHash(vm: VM, number: bigint, parentHash: Uint8Array): Promise<void>;
  calculateMinerReward(minerReward: bigint, ommers: number): bigint;
  rewardAccount(evm: VM["evm"], address: Address, reward: bigint, common: Common): Promise<Account>;
}
interface RequestsInternals {
  accumulateRequests(vm: VM, txResults: unknown[], blockGasLimit: bigint): Promise<CLRequest<CLRequestType>[]>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const runBlockInternals = require(path.join(dir, "runBlock.js")) as RunBlockInternals;
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const requestsInternals = require(path.join(dir, "requests.js")) as RequestsInternals;

interface JumpAnalysis {
  jumps: Uint8Array;
  pushes: Record<number, bigint>;
  opcodesCached: unknown[];
}
interface InterpreterPrototype {
  _getValidJumpDestinations(this: { _evm: object }, code: Uint8Array): JumpAnalysis;
}

/**
 * The interpreter analyses a contract's jump destinations every time a
 * message runs its code: for a token called by every transaction of a block,
 * that was 5% of a worker's time. The analysis depends only on the code and
 * the EVM's opcode table, so it is cached per EVM instance (one per block and
 * thread here) and per code array (the engine hands out one array per code
 * hash). The cached tables are only read by the interpreter.
 */
export function installJumpAnalysisCache(): void {
  const evmDir = path.dirname(require.resolve("@ethereumjs/evm"));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Interpreter } = require(path.join(evmDir, "interpreter.js")) as { Interpreter: { prototype: InterpreterPrototype } };
  const proto = Interpreter.prototype;
  if ((proto as { __hardhatParallelCache?: boolean }).__hardhatParallelCache === true) return;
  const analyse = proto._getValidJumpDestinations;
  const perEvm = new WeakMap<object, WeakMap<Uint8Array, JumpAnalysis>>();
  proto._getValidJumpDestinations = function (code) {
    let cache = perEvm.get(this._evm);
    if (cache === undefined) perEvm.set(this._evm, (cache = new WeakMap()));
    let result = cache.get(code);
    if (result === undefined) cache.set(code, (result = analyse.call(this, code)));
    return result;
  };
  (proto as { __hardhatParallelCache?: boolean }).__hardhatParallelCache = true;
}

interface EipLookup {
  _activatedEIPsCache: number[];
  isActivatedEIP(eip: number): boolean;
  __eipSource?: number[];
  __eipSet?: Set<number>;
}

/** Same answer as Common's own method; `this`-based so that `common.copy()` (an Object.assign) keeps working per copy. */
function fastIsActivatedEIP(this: EipLookup, eip: number): boolean {
  if (this._activatedEIPsCache !== this.__eipSource) {
    this.__eipSource = this._activatedEIPsCache;
    this.__eipSet = new Set(this._activatedEIPsCache);
  }
  return this.__eipSet!.has(eip);
}

/**
 * `Common.isActivatedEIP` scans an array of the fork's EIPs (about 80 at
 * Osaka), and the interpreter asks it on every step: 7% of a swap-heavy
 * block's time. This answers from a Set built from the same array, rebuilt
 * whenever Common replaces the array (it never mutates it in place: a
 * hardfork or EIP change assigns a new one).
 */
export function installFastEipLookup(common: Common): void {
  (common as unknown as EipLookup).isActivatedEIP = fastIsActivatedEIP;
}

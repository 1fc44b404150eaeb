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

/**
 * The accounts Hardhat's network puts into genesis before the configured
 * ones: for Cancun and later, the EIP-4788 beacon-roots contract; from
 * Prague, also a stub at the EIP-2935 history address that reverts with
 * "EIP2935 is not supported in Hardhat yet". They are asked of Hardhat's own
 * EDR (`l1GenesisState`), exactly as Hardhat's provider asks for them, rather
 * than written out here: the stub is compiled Solidity with a metadata hash,
 * so only EDR's own bytes give the same eth_getCode and the same state roots,
 * and the genesis then follows EDR for every hardfork it knows.
 */
import { bytesToHex } from "@ethereumjs/util";

import type { GenesisAccount } from "../network/chain";
import { pluginError } from "./errors";

/** EDR's description of one genesis account (`AccountOverride` in @nomicfoundation/edr). */
interface EdrAccountOverride {
  address: Uint8Array;
  balance?: bigint;
  nonce?: bigint;
  code?: Uint8Array;
  storage?: { index: bigint; value: bigint }[];
}

interface EdrGenesisApi {
  l1GenesisState(hardfork: unknown): EdrAccountOverride[];
  l1HardforkFromString(name: string): unknown;
}

/** The system contracts of Hardhat's genesis for `hardfork` (Hardhat's name, e.g. "cancun"), as EDR builds them. */
export function hardhatGenesisContracts(hardfork: string): GenesisAccount[] {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { getHardforkName } = require("hardhat/internal/util/hardforks") as { getHardforkName(name: string): string };
  const { ethereumsjsHardforkToEdrSpecId } = require("hardhat/internal/hardhat-network/provider/utils/convertToEdr") as {
    ethereumsjsHardforkToEdrSpecId(name: string): string;
  };
  const { requireNapiRsModule } = require("hardhat/common/napi-rs") as { requireNapiRsModule(id: string): Partial<EdrGenesisApi> };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const edr = requireNapiRsModule("@nomicfoundation/edr");
  if (typeof edr.l1GenesisState !== "function" || typeof edr.l1HardforkFromString !== "function") {
    throw pluginError(
      "the installed Hardhat's EDR has no l1GenesisState, from which the parallel network takes Hardhat's genesis system contracts: install hardhat 2.29 (the version this plugin follows), or run on Hardhat's own network (HARDHAT_PARALLEL=0)",
    );
  }
  const state = edr.l1GenesisState(edr.l1HardforkFromString(ethereumsjsHardforkToEdrSpecId(getHardforkName(hardfork))));
  return state.map((account) => {
    const address = bytesToHex(Uint8Array.from(account.address));
    // EDR itself does not apply genesis storage yet (its AccountOverride says so); a non-empty one would be a new EDR.
    if (account.storage !== undefined && account.storage.length > 0) {
      throw pluginError(`Hardhat's genesis state gives storage to ${address}, which the parallel network does not copy yet: run on Hardhat's own network (HARDHAT_PARALLEL=0)`);
    }
    return {
      address,
      balance: account.balance ?? 0n,
      nonce: account.nonce,
      code: account.code === undefined ? undefined : Uint8Array.from(account.code),
    };
  });
}

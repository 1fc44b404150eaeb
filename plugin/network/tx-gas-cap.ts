/** EIP-7825 (Osaka): the per-transaction gas cap, for sends (refused above it) and calls (held to it). */
import type { Common } from "@ethereumjs/common";

import { RpcError } from "./errors";

/** EIP-7825's per-transaction gas cap (Osaka). */
export const MAX_TX_GAS = 16_777_216n;

/** `gas`, held to the cap where EIP-7825 is active. */
export function capTxGas(common: Common, gas: bigint): bigint {
  return common.isActivatedEIP(7825) && gas > MAX_TX_GAS ? MAX_TX_GAS : gas;
}

/** EIP-7825 (Osaka): no transaction may have a gas limit above 2^24. */
export function checkGasCap(common: Common, gasLimit: bigint): void {
  if (common.isActivatedEIP(7825) && gasLimit > MAX_TX_GAS) {
    throw new RpcError(-32000, `Transaction gas limit is ${gasLimit} and exceeds transaction gas cap of ${MAX_TX_GAS}`);
  }
}

/**
 * Names for what a transaction called and for the state it touched, as the
 * test reporter, the function-pair matcher and the conflict report show
 * them: `TestToken.transfer` for a call, `TestToken.constructor` for a
 * deployment, `TestToken._balances` for any entry of that mapping. Without
 * the project's contracts the address and the selector stand in.
 */
import { addressOf, kindOf, slotOf } from "../engine/location";
import type { LocationKey } from "../engine/types";
import type { Naming } from "./conflict-report";
import type { TxTrace } from "./trace";

/** `Contract.function` of a transaction; an unknown contract or selector is shown as hex. */
export function callLabel(tx: Pick<TxTrace, "to" | "selector" | "created">, naming: Naming | undefined): string {
  if (tx.created !== undefined) return `${naming?.contractAt(tx.created) ?? shortAddress(tx.created)}.constructor`;
  if (tx.to === null) return "(failed deployment)";
  const contract = naming?.contractAt(tx.to);
  if (contract === undefined) {
    if (naming !== undefined && !naming.isContract(tx.to)) return "(ether transfer)";
    return `${shortAddress(tx.to)}.${tx.selector === undefined ? "(no calldata)" : "0x" + tx.selector}`;
  }
  if (tx.selector === undefined) return `${contract}.(receive or fallback)`;
  return `${contract}.${naming?.functionOf?.(contract, tx.selector) ?? "0x" + tx.selector}`;
}

/**
 * The variable a location belongs to, keys left out (`Pool.markets.totalBorrows`
 * for `markets[0x…].totalBorrows`), or what it is when it is not a named
 * variable (`TestToken ether balance`, `0x1234…abcd slot 0x5`).
 */
export function variableLabel(key: LocationKey, naming: Naming | undefined): string {
  const address = addressOf(key);
  const who = naming?.contractAt(address) ?? shortAddress(address);
  switch (kindOf(key)) {
    case "balance":
      return `${who} ether balance`;
    case "info":
      return `${who} account (nonce, code)`;
    case "wipe":
      return `${who} storage wipe`;
    default: {
      const name = naming?.name(key);
      if (name?.variable) return `${name.contract ?? who}.${variableRoot(name.variable)}`;
      return `${who} slot 0x${BigInt("0x" + slotOf(key)).toString(16)}${name !== undefined && name.key.length > 0 ? " (a mapping entry)" : ""}`;
    }
  }
}

/** A variable path without its keys and indices: `markets[0x…].totalBorrows` → `markets.totalBorrows`. */
export function variableRoot(variable: string): string {
  return variable.replace(/\[[^\]]*\]/g, "").replace(/ \(data chunk.*$/, "");
}

function shortAddress(address: string): string {
  return `0x${address.slice(0, 4)}…${address.slice(-4)}`;
}

/**
 * Location keys. One string per independently versioned piece of state:
 *
 *   b<addr>        balance of an account
 *   i<addr>        account info: existence, nonce, code hash (AccountInfo | null)
 *   w<addr>        storage wipe marker: index+1 of the last tx that wiped the
 *                  account's storage in this block (selfdestruct, re-creation)
 *   s<addr><slot>  one storage slot
 *
 * <addr> is 40 lowercase hex chars, <slot> 64. Balance and info are separate
 * because most transactions move value without touching nonce or code, so
 * keeping them apart avoids false conflicts.
 */
import type { LocationKey } from "./types";

export const ADDRESS_HEX_LENGTH = 40;

export type LocationKind = "balance" | "info" | "wipe" | "storage";

export function balanceKey(addr: string): LocationKey {
  return "b" + addr;
}
export function infoKey(addr: string): LocationKey {
  return "i" + addr;
}
export function wipeKey(addr: string): LocationKey {
  return "w" + addr;
}
export function storageKey(addr: string, slot: string): LocationKey {
  return "s" + addr + slot;
}

export function kindOf(key: LocationKey): LocationKind {
  switch (key.charCodeAt(0)) {
    case 98: // b
      return "balance";
    case 105: // i
      return "info";
    case 119: // w
      return "wipe";
    default:
      return "storage";
  }
}

export function addressOf(key: LocationKey): string {
  return key.slice(1, 1 + ADDRESS_HEX_LENGTH);
}

export function slotOf(key: LocationKey): string {
  return key.slice(1 + ADDRESS_HEX_LENGTH);
}

/** A readable form for reports: `balance 0xabc…`, `storage 0xabc… [0x01…]`. */
export function describeLocation(key: LocationKey): string {
  const addr = "0x" + addressOf(key);
  const kind = kindOf(key);
  return kind === "storage" ? `storage ${addr} slot 0x${slotOf(key)}` : `${kind} ${addr}`;
}

/**
 * A block's accesses in the shape of an EIP-7928 block-level access list,
 * the interchange format clients are adopting for parallel execution: per
 * account (sorted by address), its storage changes per slot with the value
 * after each transaction that changed it, the slots only read, and its
 * balance, nonce and code after each transaction that changed them. A change
 * is indexed by block access index: transaction i is i + 1 (0 and n + 1 are
 * the system phases before and after the transactions, which the analysis
 * does not trace: they are left out). A write that leaves the value as it was
 * counts as a read, as the EIP says. JSON field names follow the camelCase of
 * client libraries; numbers are 0x quantities, slots and values 32-byte hex.
 */
import { bytesToHex } from "@ethereumjs/util";

import { EMPTY_CODE_HASH } from "../engine/flat-state";
import { addressOf, kindOf, slotOf } from "../engine/location";
import type { AccountInfo, LocationKey, LocationValue } from "../engine/types";
import type { TracedBlock } from "./trace-block";

export interface AccountChanges {
  address: string;
  storageChanges: { slot: string; changes: { blockAccessIndex: string; newValue: string }[] }[];
  storageReads: string[];
  balanceChanges: { blockAccessIndex: string; postBalance: string }[];
  nonceChanges: { blockAccessIndex: string; newNonce: string }[];
  codeChanges: { blockAccessIndex: string; newCode: string }[];
}

export function blockAccessList(traced: TracedBlock): AccountChanges[] {
  const { preState } = traced.input;
  const accounts = new Map<string, AccountChanges>();
  const accountOf = (address: string): AccountChanges => {
    let a = accounts.get(address);
    if (a === undefined) accounts.set(address, (a = { address: "0x" + address, storageChanges: [], storageReads: [], balanceChanges: [], nonceChanges: [], codeChanges: [] }));
    return a;
  };
  // The value each location has now, starting from the pre-state.
  const current = new Map<LocationKey, LocationValue>();
  const valueOf = (key: LocationKey): LocationValue => (current.has(key) ? current.get(key)! : preState.read(key));
  const slotChanges = new Map<LocationKey, { blockAccessIndex: string; newValue: string }[]>();
  const touchedSlots = new Set<LocationKey>();
  const code = new Map<string, Uint8Array>();
  for (const ws of traced.result.writeSets) for (const [hash, bytes] of ws.code) code.set(hash, bytes);

  traced.trace.txs.forEach((tx, i) => {
    const index = quantity(i + 1);
    for (const r of tx.reads) {
      accountOf(addressOf(r.key));
      if (kindOf(r.key) === "storage") touchedSlots.add(r.key);
    }
    for (const w of tx.writes) {
      const kind = kindOf(w.key);
      const address = addressOf(w.key);
      const account = accountOf(address);
      const before = valueOf(w.key);
      const after = w.delta === true ? (before as bigint) + (w.value as bigint) : w.value;
      current.set(w.key, after);
      if (kind === "storage") {
        touchedSlots.add(w.key);
        if (after === before) continue;
        let changes = slotChanges.get(w.key);
        if (changes === undefined) slotChanges.set(w.key, (changes = []));
        changes.push({ blockAccessIndex: index, newValue: word(after as bigint) });
      } else if (kind === "balance") {
        if (after !== before) account.balanceChanges.push({ blockAccessIndex: index, postBalance: quantity(after as bigint) });
      } else if (kind === "info") {
        const was = before as AccountInfo | null;
        const now = after as AccountInfo | null;
        if ((now?.nonce ?? 0n) !== (was?.nonce ?? 0n)) account.nonceChanges.push({ blockAccessIndex: index, newNonce: quantity(now?.nonce ?? 0n) });
        const nowCode = now?.codeHash ?? EMPTY_CODE_HASH;
        if (nowCode !== (was?.codeHash ?? EMPTY_CODE_HASH)) account.codeChanges.push({ blockAccessIndex: index, newCode: bytesToHex(code.get(nowCode) ?? preState.code.get(nowCode) ?? new Uint8Array()) });
      }
    }
  });
  for (const key of touchedSlots) {
    const account = accountOf(addressOf(key));
    const changes = slotChanges.get(key);
    if (changes !== undefined) account.storageChanges.push({ slot: "0x" + slotOf(key), changes });
    else account.storageReads.push("0x" + slotOf(key));
  }
  const sorted = [...accounts.values()].sort((a, b) => (a.address < b.address ? -1 : 1));
  for (const a of sorted) {
    a.storageChanges.sort((x, y) => (x.slot < y.slot ? -1 : 1));
    a.storageReads.sort();
  }
  return sorted;
}

function quantity(n: number | bigint): string {
  return "0x" + n.toString(16);
}

function word(n: bigint): string {
  return "0x" + n.toString(16).padStart(64, "0");
}

/**
 * The one comparison of two block results (plugin/engine/compare.ts). A real
 * ERC-20 block (logs with three topics, storage slots, balances, nonces) is
 * executed sequentially twice: the two results compare equal. Then one field
 * at a time is changed on a copy, and the comparison must name that field,
 * the transaction or location, and both values.
 */
import { hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";
import hre from "hardhat";

import type { BlockResult, TxReceipt } from "../../plugin/engine/block-result";
import { firstDifference } from "../../plugin/engine/compare";
import type { BlockDifference } from "../../plugin/engine/compare";
import { StateDiff } from "../../plugin/engine/flat-state";
import { balanceKey, infoKey, storageKey } from "../../plugin/engine/location";
import { executeBlockSequential } from "../../plugin/engine/sequential";
import type { AccountInfo } from "../../plugin/engine/types";
import { TOKEN_ADDRESS, balanceSlot, erc20TransferBlock } from "../../plugin/workloads/erc20";
import type { GeneratedBlock } from "../../plugin/workloads/erc20";

const TX = 2;

/** A deep copy whose diff is still a StateDiff. */
function copy(r: BlockResult): BlockResult {
  const c = structuredClone(r);
  const diff = new StateDiff();
  for (const [k, v] of c.diff.entries) diff.entries.set(k, v);
  for (const a of c.diff.wiped) diff.wiped.add(a);
  for (const [h, b] of c.diff.code) diff.code.set(h, b);
  return { ...c, diff };
}

function flipped(bytes: Uint8Array, at = bytes.length - 1): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[at] ^= 0xff;
  return out;
}

describe("engine: firstDifference (one definition of identical)", function () {
  let w: GeneratedBlock;
  let reference: BlockResult;

  before(async function () {
    const artifact = await hre.artifacts.readArtifact("TestToken");
    w = erc20TransferBlock({ txs: 4, accounts: 8, oneRecipient: false, tokenRuntimeCode: hexToBytes(artifact.deployedBytecode as `0x${string}`) });
    reference = await executeBlockSequential({ block: w.block, preState: w.preState });
    // The mutations below need these to exist, or they would test nothing.
    expect(reference.stateRoot, "state root").to.not.equal(undefined);
    expect(reference.receipts[TX].logs[0][1].length, "Transfer topics").to.equal(3);
  });

  /** Applies `change` to a copy of the reference and returns the difference (copy vs reference). */
  function differenceAfter(change: (r: BlockResult) => void): BlockDifference {
    const changed = copy(reference);
    change(changed);
    const d = firstDifference(changed, reference, { preState: w.preState });
    expect(d, "no difference found").to.not.equal(undefined);
    return d!;
  }

  function receiptChange(change: (r: TxReceipt) => void): (r: BlockResult) => void {
    return (r) => change(r.receipts[TX]);
  }

  it("two executions of the same block are identical", async function () {
    const again = await executeBlockSequential({ block: w.block, preState: w.preState });
    expect(firstDifference(again, reference)).to.equal(undefined);
    expect(firstDifference(copy(reference), reference, { preState: w.preState })).to.equal(undefined);
  });

  it("names every receipt field, with the tx and both values", function () {
    const sample = reference.receipts[TX];
    // Every field the receipt holds, and the optional ones it does not.
    const fields = new Set([...Object.keys(sample), "createdAddress", "error", "blobGasUsed", "blobGasPrice", "consoleLogs"]);
    for (const field of fields) {
      const d = differenceAfter(receiptChange((r) => Object.assign(r, { [field]: changedValue((r as unknown as Record<string, unknown>)[field]) })));
      expect([d.part, d.txIndex], field).to.deep.equal(["receipt", TX]);
      expect(d.field.startsWith(field), `${field}: named ${d.field}`).to.equal(true);
      expect(d.description, field).to.match(/\(parallel .+, sequential .+\)$/);
    }
  });

  it("gives scalar receipt values in full", function () {
    const d = differenceAfter(receiptChange((r) => (r.gasUsed += 1n)));
    expect(d.description).to.equal(`gasUsed (parallel ${reference.receipts[TX].gasUsed + 1n}, sequential ${reference.receipts[TX].gasUsed})`);
    const created = differenceAfter(receiptChange((r) => (r.createdAddress = "0x" + "12".repeat(20))));
    expect(created.description).to.equal(`createdAddress (parallel 0x${"12".repeat(20)}, sequential absent)`);
  });

  it("names the log and the part of it: count, address, each topic, data", function () {
    expect(differenceAfter(receiptChange((r) => r.logs.pop())).field).to.equal("logs.length");
    expect(differenceAfter(receiptChange((r) => (r.logs[0][0] = flipped(r.logs[0][0])))).field).to.equal("logs[0].address");
    for (const t of [0, 1, 2]) {
      const d = differenceAfter(receiptChange((r) => (r.logs[0][1][t] = flipped(r.logs[0][1][t]))));
      expect([d.field, d.txIndex]).to.deep.equal([`logs[0].topics[${t}]`, TX]);
    }
    expect(differenceAfter(receiptChange((r) => r.logs[0][1].pop())).field).to.equal("logs[0].topics.length");
    expect(differenceAfter(receiptChange((r) => (r.logs[0][2] = flipped(r.logs[0][2])))).field).to.equal("logs[0].data");
  });

  it("shows where two long byte strings (blooms) first differ", function () {
    const at = 100;
    const d = differenceAfter(receiptChange((r) => (r.bloom = flipped(r.bloom, at))));
    expect(d.field).to.equal("bloom");
    expect(d.actual).to.match(new RegExp(`^0x[0-9a-f]{8}… at byte ${at} of 256$`));
    expect(d.actual).to.not.equal(d.expected);
  });

  it("reports the first receipt in block order, and before the block fields derived from it", function () {
    const d = differenceAfter((r) => {
      r.receipts[3].status = 0;
      r.receipts[1].minerValue += 1n;
      r.receiptsRoot = flipped(r.receiptsRoot);
    });
    expect([d.field, d.txIndex]).to.deep.equal(["minerValue", 1]);
  });

  it("names the block fields: receipt count, gasUsed, logs bloom, receipts root, requests hash, state root", function () {
    const block = (change: (r: BlockResult) => void) => {
      const d = differenceAfter(change);
      expect(d.part).to.equal("block");
      expect(d.txIndex).to.equal(undefined);
      return d;
    };
    expect(block((r) => r.receipts.pop()).description).to.equal(`receipt count (parallel ${reference.receipts.length - 1}, sequential ${reference.receipts.length})`);
    expect(block((r) => (r.gasUsed -= 1n)).field).to.equal("gasUsed");
    expect(block((r) => (r.logsBloom = flipped(r.logsBloom, 7))).field).to.equal("logsBloom");
    expect(block((r) => (r.receiptsRoot = flipped(r.receiptsRoot))).field).to.equal("receiptsRoot");
    expect(block((r) => (r.requestsHash = new Uint8Array(32))).description).to.equal(`requestsHash (parallel 0x${"00".repeat(32)}, sequential absent)`);
    expect(block((r) => (r.stateRoot = flipped(r.stateRoot!))).field).to.equal("stateRoot");
    expect(block((r) => (r.stateRoot = undefined)).actual).to.equal("absent");
  });

  it("compares state roots only when a result carries one", function () {
    const withoutRoots = { ...reference, stateRoot: undefined };
    expect(firstDifference(withoutRoots, { ...copy(reference), stateRoot: undefined })).to.equal(undefined);
  });

  describe("the state diff", function () {
    const sender = () => w.senders[TX].slice(2);
    const slot = () => storageKey(TOKEN_ADDRESS, balanceSlot(sender()));

    it("names a storage slot whose value differs, and the txs that wrote it", function () {
      const d = differenceAfter((r) => r.diff.entries.set(slot(), (r.diff.entries.get(slot()) as bigint) + 1n));
      expect([d.part, d.location, d.txIndex]).to.deep.equal(["state", slot(), undefined]);
      expect(d.field).to.equal(`state diff: storage 0x${TOKEN_ADDRESS} slot 0x${balanceSlot(sender())}`);
      expect(d.description).to.contain(`; txs writing it: parallel ${TX}, sequential ${TX})`);
    });

    it("names an entry missing on either side, and one that merely restates the pre-state", function () {
      const missing = differenceAfter((r) => r.diff.entries.delete(slot()));
      expect([missing.location, missing.actual]).to.deep.equal([slot(), "absent"]);
      const stale = storageKey(TOKEN_ADDRESS, balanceSlot("ab".repeat(20)));
      const extra = differenceAfter((r) => r.diff.entries.set(stale, 0n));
      expect([extra.location, extra.expected]).to.deep.equal([stale, "absent"]);
      expect(extra.description).to.contain("the parallel value equals the pre-state value");
    });

    it("compares balances and every part of account info", function () {
      expect(differenceAfter((r) => r.diff.entries.set(balanceKey(sender()), 1n)).location).to.equal(balanceKey(sender()));
      const info = infoKey(sender());
      const before = reference.diff.entries.get(info) as AccountInfo;
      expect(before, "the sender's nonce changed").to.not.equal(undefined);
      for (const change of [{ nonce: before.nonce + 1n }, { codeHash: "0x" + "cd".repeat(32) }, { hasStorage: !before.hasStorage }]) {
        const d = differenceAfter((r) => r.diff.entries.set(info, { ...before, ...change }));
        expect(d.location, JSON.stringify(Object.keys(change))).to.equal(info);
        expect(d.actual, Object.keys(change)[0]).to.not.equal(d.expected);
      }
      expect(differenceAfter((r) => r.diff.entries.set(info, null)).actual).to.equal("no account");
    });

    it("names a storage wipe on one side", function () {
      const d = differenceAfter((r) => r.diff.wiped.add(TOKEN_ADDRESS));
      expect(d.description).to.equal(`state diff: storage wipe of 0x${TOKEN_ADDRESS} (parallel wiped, sequential not wiped)`);
    });

    it("compares code bytes, not only which hashes were deployed", function () {
      const hash = "0x" + "c0".repeat(32);
      const code = Uint8Array.from([0x60, 0x00, 0x60, 0x00, 0xf3]);
      const both = copy(reference);
      both.diff.code.set(hash, code);
      const other = copy(both);
      other.diff.code.set(hash, flipped(code));
      const d = firstDifference(other, both);
      expect(d?.field).to.equal(`state diff: code ${hash}`);
      expect(d?.description).to.equal(`state diff: code ${hash} (parallel 0x600060000c, sequential 0x60006000f3)`);
      expect(firstDifference(both, reference)?.expected).to.equal("absent");
    });
  });

  it("uses the caller's labels", function () {
    const changed = copy(reference);
    changed.gasUsed += 1n;
    expect(firstDifference(changed, reference, { labels: { actual: "rerun", expected: "first run" } })?.description).to.equal(`gasUsed (rerun ${changed.gasUsed}, first run ${reference.gasUsed})`);
  });
});

/** A value of the same kind that differs from `v` (for the generic per-field check). */
function changedValue(v: unknown): unknown {
  if (v === undefined) return 1n;
  if (typeof v === "bigint") return v + 1n;
  if (typeof v === "number") return v + 1;
  if (typeof v === "string") return v + "0";
  if (v instanceof Uint8Array) return v.length === 0 ? Uint8Array.of(1) : flipped(v);
  if (Array.isArray(v)) return v.slice(1);
  throw new Error(`no way to change a ${typeof v}`);
}

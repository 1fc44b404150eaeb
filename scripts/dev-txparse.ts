import { readFileSync } from "node:fs";
import { hexToBytes } from "@ethereumjs/util";
import { createTxFromRLP } from "@ethereumjs/tx";
import { createBlockFromRLP } from "@ethereumjs/block";
import { performance } from "node:perf_hooks";
import { erc20TransferBlock } from "../plugin/workloads/erc20";
import { withFastCrypto } from "../plugin/engine/crypto";
const art = JSON.parse(readFileSync("artifacts/contracts/tokens/TestToken.sol/TestToken.json", "utf8"));
const w = erc20TransferBlock({ txs: 2000, accounts: 4000, oneRecipient: false, tokenRuntimeCode: hexToBytes(art.deployedBytecode) });
const common = withFastCrypto(w.block.common);
for (let i = 0; i < 3; i++) {
  let t = performance.now();
  const ser = w.block.transactions.map((tx) => tx.serialize());
  const a = performance.now() - t; t = performance.now();
  const txs = ser.map((s) => createTxFromRLP(s, { common }));
  const b = performance.now() - t; t = performance.now();
  for (const tx of txs) tx.getSenderAddress();
  const c = performance.now() - t; t = performance.now();
  for (const tx of txs) tx.hash();
  const d = performance.now() - t; t = performance.now();
  createBlockFromRLP(w.block.serialize(), { common });
  const e = performance.now() - t;
  console.log({ serialize: a.toFixed(0), parse: b.toFixed(0), recover: c.toFixed(0), hash: d.toFixed(0), blockFromRlp: e.toFixed(0) });
}

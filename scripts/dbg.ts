import { bytesToHex } from "@ethereumjs/util";
import { ParallelNetworkProvider } from "../plugin/network/provider";
import { testAccounts } from "../plugin/workloads/accounts";
import { workloadChainCommon } from "../plugin/workloads/signer";
async function main() {
  const A = testAccounts(4, 99);
  const net = new ParallelNetworkProvider({ common: workloadChainCommon(), genesisAccounts: A.map((a) => ({ address: a.address.toString(), balance: 10n ** 22n })), localAccounts: A.map((a) => bytesToHex(a.privateKey)), blockGasLimit: 30_000_000n, initialBaseFeePerGas: 1_000_000_000n, coinbase: "0xc014ba5ec014ba5ec014ba5ec014ba5ec014ba5e", genesisTimestamp: 1_700_000_000n, automine: true, clientVersion: "x", parallel: { enabled: false } });
  const t = Date.now();
  for (let i = 0; i < 400; i++) await net.request({ method: "eth_sendTransaction", params: [{ from: A[0].address.toString(), to: A[1].address.toString(), value: "0x1", gas: "0x1000000" }] });
  console.log("100 automined transfers ms", Date.now() - t);
  const t2 = Date.now();
  for (let i = 0; i < 100; i++) await net.request({ method: "eth_getBalance", params: [A[1].address.toString(), "latest"] });
  console.log("100 getBalance ms", Date.now() - t2);
}
main();

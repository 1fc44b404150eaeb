/**
 * Plain value transfers: ETH between accounts, and ERC-20 transfers of one
 * stablecoin-like TestToken ("Test USD", 6 decimals).
 */
import type { TestAccount } from "../accounts";
import type { FundedToken } from "../builder";
import type { ProtocolContext } from "./context";
import { ONE_ETHER } from "./context";

export class Transfers {
  private usd?: FundedToken;

  constructor(private readonly ctx: ProtocolContext) {}

  ethTransfer(sender: TestAccount): void {
    const to = this.ctx.counterparty(sender);
    const value = (BigInt(this.ctx.between(1, 1000)) * ONE_ETHER) / 1000n;
    this.ctx.builder.blockTx({ from: sender, to: to.address.toString(), value, gasLimit: 21_000n, label: "eth-transfer" });
  }

  erc20Transfer(sender: TestAccount): void {
    const usd = (this.usd ??= this.ctx.deployToken("Test USD", "TUSD", 6, 1_000_000n));
    const to = this.ctx.counterparty(sender);
    const amount = BigInt(this.ctx.between(1, 10_000)) * 10n ** 4n; // 0.01 to 100 TUSD
    this.ctx.builder.needTokens(usd, sender);
    this.ctx.builder.blockTx({
      from: sender,
      to: usd.contract.address,
      data: usd.contract.encode("transfer", [to.address.toString(), amount]),
      gasLimit: 80_000n,
      label: "erc20-transfer",
    });
  }
}

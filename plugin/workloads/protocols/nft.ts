/**
 * NFT traffic on the bundled collection and marketplace: public mints paying
 * the mint price, and purchases of distinct listings. Each purchase has its
 * listing built in setup: the deployer mints the token to a seller, who
 * approves the marketplace and lists it for ETH.
 */
import type { TestAccount } from "../accounts";
import { SetupPhase } from "../builder";
import type { DeployedContract } from "../builder";
import type { ProtocolContext } from "./context";
import { ONE_ETHER } from "./context";

/** Listing ids start here (the marketplace's first `nextListingId`). */
export const FIRST_LISTING_ID = 1n;
/** Token ids start here (the collection's first `nextTokenId`). */
export const FIRST_TOKEN_ID = 1n;
const MINT_PRICE = ONE_ETHER / 100n;
const ROYALTY_BPS = 500n;
const PROTOCOL_FEE_BPS = 250n;

interface Collection {
  contract: DeployedContract;
  /** Tokens minted in setup so far, which fixes the next id (block mints come after all of setup). */
  minted: bigint;
  /** Sellers that approved the marketplace for this collection. */
  approved: Set<string>;
}

export class Nft {
  private readonly collections: Collection[] = [];
  private marketplace?: DeployedContract;
  private nextListingId = FIRST_LISTING_ID;

  constructor(private readonly ctx: ProtocolContext) {
    // Room for every transaction of the block to mint or sell from one collection.
    const maxSupply = BigInt(ctx.knobs.txs) * 2n + 100n;
    for (let c = 0; c < ctx.knobs.collections; c++) {
      const contract = ctx.builder.deploy("NftCollection", [
        `Workload Collection ${c}`,
        `WC${c}`,
        maxSupply,
        MINT_PRICE,
        ctx.roles.royaltyReceiver.address.toString(),
        ROYALTY_BPS,
      ]);
      this.collections.push({ contract, minted: 0n, approved: new Set() });
    }
  }

  mint(sender: TestAccount): void {
    const collection = this.collections[this.ctx.popular(this.collections.length)];
    this.ctx.builder.blockTx({
      from: sender,
      to: collection.contract.address,
      value: MINT_PRICE,
      data: collection.contract.encode("mint", [sender.address.toString()]),
      gasLimit: 200_000n,
      label: `nft-mint ${collection.contract.address}`,
    });
  }

  buy(sender: TestAccount): void {
    const market = (this.marketplace ??= this.ctx.builder.deploy("NftMarketplace", [
      this.ctx.roles.feeRecipient.address.toString(),
      PROTOCOL_FEE_BPS,
    ]));
    const collection = this.collections[this.ctx.popular(this.collections.length)];
    const seller = this.ctx.counterparty(sender);
    const tokenId = FIRST_TOKEN_ID + collection.minted++;
    const price = (BigInt(this.ctx.between(1, 100)) * ONE_ETHER) / 100n;
    const { builder } = this.ctx;
    builder.setup(SetupPhase.Position, {
      from: this.ctx.deployer,
      to: collection.contract.address,
      data: collection.contract.encode("ownerMint", [seller.address.toString(), 1n]),
      gasLimit: 200_000n,
      label: `nft: mint token ${tokenId} to a seller`,
    });
    if (!collection.approved.has(seller.hex)) {
      collection.approved.add(seller.hex);
      builder.setup(SetupPhase.Position, {
        from: seller,
        to: collection.contract.address,
        data: collection.contract.encode("setApprovalForAll", [market.address, true]),
        gasLimit: 80_000n,
        label: "nft: seller approves the marketplace",
      });
    }
    builder.setup(SetupPhase.Position, {
      from: seller,
      to: market.address,
      data: market.encode("list", [collection.contract.address, tokenId, "0x0000000000000000000000000000000000000000", price]),
      gasLimit: 250_000n,
      label: `nft: list token ${tokenId}`,
    });
    const listingId = this.nextListingId++;
    builder.blockTx({
      from: sender,
      to: market.address,
      value: price,
      data: market.encode("buy", [listingId]),
      gasLimit: 300_000n,
      label: `nft-buy listing ${listingId}`,
    });
  }
}

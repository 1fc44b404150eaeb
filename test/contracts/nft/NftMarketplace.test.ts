import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import {
  BPS,
  Mode,
  PROTOCOL_FEE_BPS,
  ROYALTY_BPS,
  RoyaltyMode,
  as,
  calldata,
  deployNftFixture,
  lowAddress,
  mappingSlot,
  readSlot,
} from "./helpers";

const ETH = ethers.ZeroAddress;
const PRICE = ethers.parseEther("1");
const FEE = (PRICE * PROTOCOL_FEE_BPS) / BPS; // 0.025 ETH
const ROYALTY = (PRICE * ROYALTY_BPS) / BPS; // 0.05 ETH
const PROCEEDS = PRICE - FEE - ROYALTY; // 0.925 ETH
const TPRICE = 2_000_000n; // 2 TUSD (6 decimals)
const TFEE = (TPRICE * PROTOCOL_FEE_BPS) / BPS;
const TROYALTY = (TPRICE * ROYALTY_BPS) / BPS;
const TPROCEEDS = TPRICE - TFEE - TROYALTY;

describe("NftMarketplace", function () {
  /**
   * Alice owns tokens 1-3 and approved the marketplace;
   * listing 1 = token 1 for 1 ETH, listing 2 = token 2 for 2 TUSD.
   */
  async function listedFixture() {
    const f = await deployNftFixture();
    const { collection, marketplace, token, alice, bob, carol } = f;
    const market = await marketplace.getAddress();
    await collection.ownerMint(alice.address, 3n);
    await as(collection, alice).setApprovalForAll(market, true);
    await as(marketplace, alice).list(await collection.getAddress(), 1n, ETH, PRICE);
    await as(marketplace, alice).list(await collection.getAddress(), 2n, await token.getAddress(), TPRICE);
    for (const buyer of [bob, carol]) await as(token, buyer).approve(market, ethers.MaxUint256);
    return { ...f, market };
  }

  describe("deployment and administration", function () {
    it("stores fee recipient, fee and owner; ids start at 1", async function () {
      const { marketplace, deployer, treasury } = await loadFixture(deployNftFixture);
      expect(await marketplace.feeRecipient()).to.equal(treasury.address);
      expect(await marketplace.protocolFeeBps()).to.equal(PROTOCOL_FEE_BPS);
      expect(await marketplace.owner()).to.equal(deployer.address);
      expect(await marketplace.nextListingId()).to.equal(1n);
      expect(await marketplace.MAX_PROTOCOL_FEE_BPS()).to.equal(1000n);
    });

    it("constructor reverts with FeeTooHigh above 10% and ZeroAddress for the recipient", async function () {
      const { marketplace, treasury } = await loadFixture(deployNftFixture);
      const factory = await ethers.getContractFactory("NftMarketplace");
      await expect(factory.deploy(treasury.address, 1001n))
        .to.be.revertedWithCustomError(marketplace, "FeeTooHigh")
        .withArgs(1001n, 1000n);
      await expect(factory.deploy(ETH, 0n)).to.be.revertedWithCustomError(marketplace, "ZeroAddress");
      await factory.deploy(treasury.address, 1000n); // exactly the cap is fine
    });

    it("setProtocolFee: owner only, capped, emits ProtocolFeeUpdated", async function () {
      const { marketplace, alice } = await loadFixture(deployNftFixture);
      await expect(marketplace.setProtocolFee(100n))
        .to.emit(marketplace, "ProtocolFeeUpdated")
        .withArgs(PROTOCOL_FEE_BPS, 100n);
      expect(await marketplace.protocolFeeBps()).to.equal(100n);
      await expect(marketplace.setProtocolFee(1001n))
        .to.be.revertedWithCustomError(marketplace, "FeeTooHigh")
        .withArgs(1001n, 1000n);
      await expect(as(marketplace, alice).setProtocolFee(0n))
        .to.be.revertedWithCustomError(marketplace, "OwnableUnauthorizedAccount")
        .withArgs(alice.address);
    });

    it("setFeeRecipient: owner only, non-zero, emits FeeRecipientUpdated", async function () {
      const { marketplace, treasury, alice } = await loadFixture(deployNftFixture);
      await expect(marketplace.setFeeRecipient(alice.address))
        .to.emit(marketplace, "FeeRecipientUpdated")
        .withArgs(treasury.address, alice.address);
      expect(await marketplace.feeRecipient()).to.equal(alice.address);
      await expect(marketplace.setFeeRecipient(ETH)).to.be.revertedWithCustomError(marketplace, "ZeroAddress");
      await expect(as(marketplace, alice).setFeeRecipient(alice.address))
        .to.be.revertedWithCustomError(marketplace, "OwnableUnauthorizedAccount")
        .withArgs(alice.address);
    });
  });

  describe("list", function () {
    it("creates an active listing, emits Listed and returns the id; the seller keeps the token", async function () {
      const { collection, marketplace, token, alice } = await loadFixture(deployNftFixture);
      const coll = await collection.getAddress();
      await collection.ownerMint(alice.address, 2n);
      await as(collection, alice).setApprovalForAll(await marketplace.getAddress(), true);
      expect(await as(marketplace, alice).list.staticCall(coll, 1n, ETH, PRICE)).to.equal(1n);
      await expect(as(marketplace, alice).list(coll, 1n, ETH, PRICE))
        .to.emit(marketplace, "Listed")
        .withArgs(1n, alice.address, coll, 1n, ETH, PRICE);
      const tokenAddr = await token.getAddress();
      await expect(as(marketplace, alice).list(coll, 2n, tokenAddr, TPRICE))
        .to.emit(marketplace, "Listed")
        .withArgs(2n, alice.address, coll, 2n, tokenAddr, TPRICE);
      const l = await marketplace.listing(1n);
      expect([l.seller, l.collection, l.tokenId, l.currency, l.price, l.active]).to.deep.equal([
        alice.address,
        coll,
        1n,
        ETH,
        PRICE,
        true,
      ]);
      expect(await marketplace.nextListingId()).to.equal(3n);
      expect(await collection.ownerOf(1n)).to.equal(alice.address);
      expect(await marketplace.isBuyable(1n)).to.equal(true);
    });

    it("accepts a single-token approve instead of setApprovalForAll", async function () {
      const { collection, marketplace, alice } = await loadFixture(deployNftFixture);
      await collection.ownerMint(alice.address, 1n);
      await as(collection, alice).approve(await marketplace.getAddress(), 1n);
      await expect(as(marketplace, alice).list(await collection.getAddress(), 1n, ETH, PRICE)).to.emit(
        marketplace,
        "Listed"
      );
    });

    it("reverts with ZeroPrice, NotTokenOwner, NotApproved and InvalidCurrency", async function () {
      const { collection, marketplace, alice, bob } = await loadFixture(deployNftFixture);
      const coll = await collection.getAddress();
      await collection.ownerMint(alice.address, 1n);
      await expect(as(marketplace, alice).list(coll, 1n, ETH, 0n)).to.be.revertedWithCustomError(
        marketplace,
        "ZeroPrice"
      );
      await expect(as(marketplace, alice).list(coll, 1n, ETH, PRICE))
        .to.be.revertedWithCustomError(marketplace, "NotApproved")
        .withArgs(coll, 1n);
      await as(collection, alice).setApprovalForAll(await marketplace.getAddress(), true);
      await expect(as(marketplace, bob).list(coll, 1n, ETH, PRICE))
        .to.be.revertedWithCustomError(marketplace, "NotTokenOwner")
        .withArgs(coll, 1n, bob.address);
      await expect(as(marketplace, alice).list(coll, 1n, bob.address, PRICE))
        .to.be.revertedWithCustomError(marketplace, "InvalidCurrency")
        .withArgs(bob.address);
      await expect(as(marketplace, alice).list(coll, 99n, ETH, PRICE))
        .to.be.revertedWithCustomError(collection, "ERC721NonexistentToken")
        .withArgs(99n);
    });
  });

  describe("cancel", function () {
    it("deactivates the listing and emits Cancelled", async function () {
      const { marketplace, alice } = await loadFixture(listedFixture);
      await expect(as(marketplace, alice).cancel(1n)).to.emit(marketplace, "Cancelled").withArgs(1n, alice.address);
      expect((await marketplace.listing(1n)).active).to.equal(false);
      expect(await marketplace.isBuyable(1n)).to.equal(false);
    });

    it("reverts with NotSeller for others and ListingNotActive when cancelled, sold or unknown", async function () {
      const { marketplace, alice, bob } = await loadFixture(listedFixture);
      await expect(as(marketplace, bob).cancel(1n))
        .to.be.revertedWithCustomError(marketplace, "NotSeller")
        .withArgs(1n, bob.address);
      await as(marketplace, alice).cancel(1n);
      await expect(as(marketplace, alice).cancel(1n))
        .to.be.revertedWithCustomError(marketplace, "ListingNotActive")
        .withArgs(1n);
      await expect(as(marketplace, alice).cancel(42n))
        .to.be.revertedWithCustomError(marketplace, "ListingNotActive")
        .withArgs(42n);
      await as(marketplace, bob).buy(2n);
      await expect(as(marketplace, alice).cancel(2n))
        .to.be.revertedWithCustomError(marketplace, "ListingNotActive")
        .withArgs(2n);
      await expect(as(marketplace, bob).buy(1n))
        .to.be.revertedWithCustomError(marketplace, "ListingNotActive")
        .withArgs(1n);
    });
  });

  describe("buy in ETH", function () {
    it("pays royalty, fee and seller exactly, moves the token and emits Sold", async function () {
      const { collection, marketplace, alice, bob, artist, treasury } = await loadFixture(listedFixture);
      const quote = await marketplace.quote(1n);
      expect([quote.fee, quote.royaltyReceiver, quote.royalty, quote.proceeds]).to.deep.equal([
        FEE,
        artist.address,
        ROYALTY,
        PROCEEDS,
      ]);
      const tx = as(marketplace, bob).buy(1n, { value: PRICE });
      await expect(tx).to.emit(marketplace, "Sold").withArgs(1n, bob.address, alice.address, PRICE, ROYALTY, FEE);
      await expect(tx).to.emit(collection, "Transfer").withArgs(alice.address, bob.address, 1n);
      await expect(tx).to.changeEtherBalances(
        [bob, alice, artist, marketplace, treasury],
        [-PRICE, PROCEEDS, ROYALTY, FEE, 0n]
      );
      expect(await collection.ownerOf(1n)).to.equal(bob.address);
      expect(await marketplace.accruedFees(ETH)).to.equal(FEE);
      expect((await marketplace.listing(1n)).active).to.equal(false);
    });

    it("reverts with WrongPayment unless msg.value equals the price", async function () {
      const { marketplace, bob } = await loadFixture(listedFixture);
      await expect(as(marketplace, bob).buy(1n, { value: PRICE - 1n }))
        .to.be.revertedWithCustomError(marketplace, "WrongPayment")
        .withArgs(PRICE, PRICE - 1n);
      await expect(as(marketplace, bob).buy(1n, { value: PRICE + 1n }))
        .to.be.revertedWithCustomError(marketplace, "WrongPayment")
        .withArgs(PRICE, PRICE + 1n);
    });

    it("reverts with BuyerIsSeller for the seller", async function () {
      const { marketplace, alice } = await loadFixture(listedFixture);
      await expect(as(marketplace, alice).buy(1n, { value: PRICE }))
        .to.be.revertedWithCustomError(marketplace, "BuyerIsSeller")
        .withArgs(1n);
    });

    it("reverts with SellerNoLongerOwns after the seller moved the token", async function () {
      const { collection, marketplace, alice, bob, carol } = await loadFixture(listedFixture);
      await as(collection, alice).transferFrom(alice.address, carol.address, 1n);
      expect(await marketplace.isBuyable(1n)).to.equal(false);
      await expect(as(marketplace, bob).buy(1n, { value: PRICE }))
        .to.be.revertedWithCustomError(marketplace, "SellerNoLongerOwns")
        .withArgs(1n, alice.address, carol.address);
    });

    it("a second listing of a sold token fails with SellerNoLongerOwns", async function () {
      const { collection, marketplace, alice, bob, carol } = await loadFixture(listedFixture);
      await as(marketplace, alice).list(await collection.getAddress(), 1n, ETH, PRICE * 2n); // listing 3
      await as(marketplace, bob).buy(1n, { value: PRICE });
      await expect(as(marketplace, carol).buy(3n, { value: PRICE * 2n }))
        .to.be.revertedWithCustomError(marketplace, "SellerNoLongerOwns")
        .withArgs(3n, alice.address, bob.address);
    });

    it("reverts with NotApproved when the seller revoked the marketplace", async function () {
      const { collection, marketplace, alice, bob, market } = await loadFixture(listedFixture);
      await as(collection, alice).setApprovalForAll(market, false);
      expect(await marketplace.isBuyable(1n)).to.equal(false);
      await expect(as(marketplace, bob).buy(1n, { value: PRICE }))
        .to.be.revertedWithCustomError(marketplace, "NotApproved")
        .withArgs(await collection.getAddress(), 1n);
    });

    it("pays no royalty when the collection has none, and no fee when the fee is zero", async function () {
      const { collection, marketplace, alice, bob, artist } = await loadFixture(listedFixture);
      await collection.setRoyalty(ETH, 0n);
      await marketplace.setProtocolFee(0n);
      const tx = as(marketplace, bob).buy(1n, { value: PRICE });
      await expect(tx).to.emit(marketplace, "Sold").withArgs(1n, bob.address, alice.address, PRICE, 0n, 0n);
      await expect(tx).to.changeEtherBalances([bob, alice, artist, marketplace], [-PRICE, PRICE, 0n, 0n]);
    });

    it("falls back to pendingWithdrawals when the royalty receiver rejects ETH", async function () {
      const { collection, marketplace, alice, bob, rejecter } = await loadFixture(listedFixture);
      const rej = await rejecter.getAddress();
      await collection.setRoyalty(rej, ROYALTY_BPS);
      const tx = as(marketplace, bob).buy(1n, { value: PRICE });
      await expect(tx).to.emit(marketplace, "PaymentDeferred").withArgs(rej, ROYALTY);
      await expect(tx).to.emit(marketplace, "Sold").withArgs(1n, bob.address, alice.address, PRICE, ROYALTY, FEE);
      await expect(tx).to.changeEtherBalances(
        [bob, alice, rejecter, marketplace],
        [-PRICE, PROCEEDS, 0n, FEE + ROYALTY]
      );
      expect(await marketplace.pendingWithdrawals(rej)).to.equal(ROYALTY);
      expect(await ethers.provider.getBalance(await marketplace.getAddress())).to.equal(
        (await marketplace.accruedFees(ETH)) + (await marketplace.pendingWithdrawals(rej))
      );

      // Still rejecting: withdrawPending to itself fails with TransferFailed (wrapped by execute).
      const market = await marketplace.getAddress();
      const failing = marketplace.interface.encodeErrorResult("TransferFailed", [rej, ROYALTY]);
      await expect(rejecter.execute(market, 0n, calldata(marketplace, "withdrawPending", [])))
        .to.be.revertedWithCustomError(rejecter, "CallFailed")
        .withArgs(failing);
      // It can route the ETH elsewhere ...
      const routed = rejecter.execute(market, 0n, calldata(marketplace, "withdrawPendingTo", [alice.address]));
      await expect(routed).to.emit(marketplace, "PendingWithdrawn").withArgs(rej, alice.address, ROYALTY);
      await expect(routed).to.changeEtherBalances([marketplace, alice], [-ROYALTY, ROYALTY]);
      expect(await marketplace.pendingWithdrawals(rej)).to.equal(0n);
    });

    it("falls back to pendingWithdrawals when the seller is a contract that rejects ETH, then pays it on withdrawPending", async function () {
      const { collection, marketplace, bob, rejecter, market } = await loadFixture(listedFixture);
      const rej = await rejecter.getAddress();
      const coll = await collection.getAddress();
      const first: bigint = await collection.nextTokenId();
      await collection.ownerMint(rej, 1n);
      await rejecter.execute(coll, 0n, calldata(collection, "setApprovalForAll", [market, true]));
      await rejecter.execute(market, 0n, calldata(marketplace, "list", [coll, first, ETH, PRICE])); // listing 3
      const tx = as(marketplace, bob).buy(3n, { value: PRICE });
      await expect(tx).to.emit(marketplace, "PaymentDeferred").withArgs(rej, PROCEEDS);
      await expect(tx).to.changeEtherBalances([bob, rejecter, marketplace], [-PRICE, 0n, FEE + PROCEEDS]);
      expect(await collection.ownerOf(first)).to.equal(bob.address);

      await rejecter.setMode(Mode.Accept);
      const withdraw = rejecter.execute(market, 0n, calldata(marketplace, "withdrawPending", []));
      await expect(withdraw).to.emit(marketplace, "PendingWithdrawn").withArgs(rej, rej, PROCEEDS);
      await expect(withdraw).to.changeEtherBalances([marketplace, rejecter], [-PROCEEDS, PROCEEDS]);
    });

    it("a receiver that burns all gas only costs the stipend: the sale still succeeds", async function () {
      const { collection, marketplace, alice, bob, rejecter } = await loadFixture(listedFixture);
      const rej = await rejecter.getAddress();
      await rejecter.setMode(Mode.BurnGas);
      await collection.setRoyalty(rej, ROYALTY_BPS);
      const tx = as(marketplace, bob).buy(1n, { value: PRICE });
      await expect(tx).to.emit(marketplace, "PaymentDeferred").withArgs(rej, ROYALTY);
      await expect(tx).to.changeEtherBalances([alice, rejecter], [PROCEEDS, 0n]);
      expect(await marketplace.pendingWithdrawals(rej)).to.equal(ROYALTY);
    });
  });

  describe("buy in an ERC-20", function () {
    it("pulls the price from the buyer and splits it into royalty, fee and proceeds", async function () {
      const { collection, marketplace, token, alice, bob, artist, treasury } = await loadFixture(listedFixture);
      const tx = as(marketplace, bob).buy(2n);
      await expect(tx).to.emit(marketplace, "Sold").withArgs(2n, bob.address, alice.address, TPRICE, TROYALTY, TFEE);
      await expect(tx).to.changeTokenBalances(
        token,
        [bob, alice, artist, marketplace, treasury],
        [-TPRICE, TPROCEEDS, TROYALTY, TFEE, 0n]
      );
      await expect(tx).to.changeEtherBalances([alice, marketplace], [0n, 0n]);
      expect(await collection.ownerOf(2n)).to.equal(bob.address);
      expect(await marketplace.accruedFees(await token.getAddress())).to.equal(TFEE);
      expect(await marketplace.accruedFees(ETH)).to.equal(0n);
    });

    it("reverts with WrongPayment(0, value) if ETH is sent", async function () {
      const { marketplace, bob } = await loadFixture(listedFixture);
      await expect(as(marketplace, bob).buy(2n, { value: 1n }))
        .to.be.revertedWithCustomError(marketplace, "WrongPayment")
        .withArgs(0n, 1n);
    });

    it("reverts with the token's ERC20InsufficientAllowance when the buyer did not approve", async function () {
      const { marketplace, token, dave, market } = await loadFixture(listedFixture);
      await expect(as(marketplace, dave).buy(2n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(market, 0n, TROYALTY);
    });
  });

  describe("royalty edge cases (mock collections)", function () {
    async function mockListing(mode: number) {
      const f = await loadFixture(listedFixture);
      const mock = await ethers.deployContract("NftMockCollection", [mode, f.artist.address]);
      const coll = await mock.getAddress();
      await mock.mint(f.alice.address, 1n);
      await as(mock, f.alice).setApprovalForAll(f.market, true);
      await as(f.marketplace, f.alice).list(coll, 1n, ETH, PRICE); // listing 3
      return f;
    }

    it("skips royaltyInfo for a collection without ERC-2981", async function () {
      const { marketplace, alice, bob, artist } = await mockListing(RoyaltyMode.NoErc2981);
      const tx = as(marketplace, bob).buy(3n, { value: PRICE });
      await expect(tx).to.emit(marketplace, "Sold").withArgs(3n, bob.address, alice.address, PRICE, 0n, FEE);
      await expect(tx).to.changeEtherBalances([alice, artist], [PRICE - FEE, 0n]);
    });

    it("caps an excessive royalty at price - fee", async function () {
      const { marketplace, alice, bob, artist } = await mockListing(RoyaltyMode.Excessive);
      const tx = as(marketplace, bob).buy(3n, { value: PRICE });
      await expect(tx)
        .to.emit(marketplace, "Sold")
        .withArgs(3n, bob.address, alice.address, PRICE, PRICE - FEE, FEE);
      await expect(tx).to.changeEtherBalances([alice, artist, marketplace], [0n, PRICE - FEE, FEE]);
    });

    it("treats a reverting royaltyInfo as no royalty", async function () {
      const { marketplace, alice, bob } = await mockListing(RoyaltyMode.Reverting);
      await expect(as(marketplace, bob).buy(3n, { value: PRICE }))
        .to.emit(marketplace, "Sold")
        .withArgs(3n, bob.address, alice.address, PRICE, 0n, FEE);
    });
  });

  describe("withdrawals", function () {
    it("withdrawFees sends accrued ETH and ERC-20 fees to the fee recipient (anyone may call)", async function () {
      const { marketplace, token, bob, carol, treasury } = await loadFixture(listedFixture);
      await as(marketplace, bob).buy(1n, { value: PRICE });
      await as(marketplace, bob).buy(2n);
      const ethTx = as(marketplace, carol).withdrawFees(ETH);
      await expect(ethTx).to.emit(marketplace, "FeesWithdrawn").withArgs(ETH, treasury.address, FEE);
      await expect(ethTx).to.changeEtherBalances([marketplace, treasury], [-FEE, FEE]);
      const tokenAddr = await token.getAddress();
      const tokTx = as(marketplace, carol).withdrawFees(tokenAddr);
      await expect(tokTx).to.emit(marketplace, "FeesWithdrawn").withArgs(tokenAddr, treasury.address, TFEE);
      await expect(tokTx).to.changeTokenBalances(token, [marketplace, treasury], [-TFEE, TFEE]);
      expect(await marketplace.accruedFees(ETH)).to.equal(0n);
      expect(await marketplace.accruedFees(tokenAddr)).to.equal(0n);
    });

    it("reverts with NothingToWithdraw, ZeroAddress and TransferFailed", async function () {
      const { marketplace, bob, rejecter } = await loadFixture(listedFixture);
      await expect(marketplace.withdrawFees(ETH)).to.be.revertedWithCustomError(marketplace, "NothingToWithdraw");
      await expect(as(marketplace, bob).withdrawPending()).to.be.revertedWithCustomError(
        marketplace,
        "NothingToWithdraw"
      );
      await expect(as(marketplace, bob).withdrawPendingTo(ETH)).to.be.revertedWithCustomError(
        marketplace,
        "ZeroAddress"
      );
      await as(marketplace, bob).buy(1n, { value: PRICE });
      const rej = await rejecter.getAddress();
      await marketplace.setFeeRecipient(rej);
      await expect(marketplace.withdrawFees(ETH))
        .to.be.revertedWithCustomError(marketplace, "TransferFailed")
        .withArgs(rej, FEE);
    });
  });

  describe("storage layout matches the header", function () {
    it("has Ownable at 0, ReentrancyGuard at 1, packed fee config at 2, counter 3, listings 4, fees 5, pending 6", async function () {
      const { marketplace, collection, token, rejecter, deployer, treasury, alice, bob } = await loadFixture(
        listedFixture
      );
      const addr = await marketplace.getAddress();
      const rej = await rejecter.getAddress();
      await collection.setRoyalty(rej, ROYALTY_BPS);
      await as(marketplace, bob).buy(1n, { value: PRICE });

      expect(lowAddress(await readSlot(addr, 0n))).to.equal(deployer.address);
      expect(await readSlot(addr, 1n)).to.equal(1n); // ReentrancyGuard NOT_ENTERED
      const feeWord = await readSlot(addr, 2n);
      expect(lowAddress(feeWord)).to.equal(treasury.address);
      expect(feeWord >> 160n).to.equal(PROTOCOL_FEE_BPS);
      expect(await readSlot(addr, 3n)).to.equal(3n);
      const base = mappingSlot("uint256", 2n, 4n);
      expect(lowAddress(await readSlot(addr, base))).to.equal(alice.address);
      expect(lowAddress(await readSlot(addr, base + 1n))).to.equal(await collection.getAddress());
      expect(await readSlot(addr, base + 2n)).to.equal(2n);
      expect(lowAddress(await readSlot(addr, base + 3n))).to.equal(await token.getAddress());
      expect(await readSlot(addr, base + 4n)).to.equal(TPRICE);
      expect(await readSlot(addr, base + 5n)).to.equal(1n); // active
      expect(await readSlot(addr, mappingSlot("uint256", 1n, 4n) + 5n)).to.equal(0n); // sold
      expect(await readSlot(addr, mappingSlot("address", ETH, 5n))).to.equal(FEE);
      expect(await readSlot(addr, mappingSlot("address", rej, 6n))).to.equal(ROYALTY);
    });
  });
});

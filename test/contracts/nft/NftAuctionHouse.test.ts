import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import {
  BPS,
  Mode,
  ROYALTY_BPS,
  RoyaltyMode,
  as,
  calldata,
  deployNftFixture,
  lowAddress,
  mappingSlot,
  minedAt,
  readSlot,
} from "./helpers";

const RESERVE = ethers.parseEther("1");
const DURATION = 3600n;
const WINDOW = 300n;

describe("NftAuctionHouse", function () {
  /** Alice owns tokens 1-3, approved the house, and auctions token 1 (reserve 1 ETH, 1 hour) as auction 1. */
  async function auctionFixture() {
    const f = await deployNftFixture();
    const { collection, house, alice } = f;
    const houseAddr = await house.getAddress();
    const coll = await collection.getAddress();
    await collection.ownerMint(alice.address, 3n);
    await as(collection, alice).setApprovalForAll(houseAddr, true);
    const tx = await as(house, alice).createAuction(coll, 1n, RESERVE, DURATION);
    const endTime = (await minedAt(tx)) + DURATION;
    return { ...f, houseAddr, coll, endTime };
  }

  describe("createAuction", function () {
    it("escrows the token, stores the auction, emits AuctionCreated and returns the id", async function () {
      const { collection, house, alice } = await loadFixture(deployNftFixture);
      const coll = await collection.getAddress();
      const houseAddr = await house.getAddress();
      await collection.ownerMint(alice.address, 2n);
      await as(collection, alice).approve(houseAddr, 2n); // single-token approval is enough
      expect(await house.nextAuctionId()).to.equal(1n);
      expect(await as(house, alice).createAuction.staticCall(coll, 2n, RESERVE, DURATION)).to.equal(1n);
      const tx = await as(house, alice).createAuction(coll, 2n, RESERVE, DURATION);
      const endTime = (await minedAt(tx)) + DURATION;
      await expect(tx).to.emit(house, "AuctionCreated").withArgs(1n, alice.address, coll, 2n, RESERVE, endTime);
      await expect(tx).to.emit(collection, "Transfer").withArgs(alice.address, houseAddr, 2n);
      expect(await collection.ownerOf(2n)).to.equal(houseAddr);
      const a = await house.auction(1n);
      expect([
        a.seller,
        a.collection,
        a.tokenId,
        a.reservePrice,
        a.highestBidder,
        a.endTime,
        a.settled,
        a.cancelled,
        a.highestBid,
      ]).to.deep.equal([alice.address, coll, 2n, RESERVE, ethers.ZeroAddress, endTime, false, false, 0n]);
      expect(await house.nextAuctionId()).to.equal(2n);
      expect(await house.minimumBid(1n)).to.equal(RESERVE);
    });

    it("reverts with InvalidDuration, NotTokenOwner and NotApproved", async function () {
      const { collection, house, alice, bob } = await loadFixture(deployNftFixture);
      const coll = await collection.getAddress();
      await collection.ownerMint(alice.address, 1n);
      await expect(as(house, alice).createAuction(coll, 1n, 0n, 299n))
        .to.be.revertedWithCustomError(house, "InvalidDuration")
        .withArgs(299n, 300n, 30n * 86400n);
      await expect(as(house, alice).createAuction(coll, 1n, 0n, 30n * 86400n + 1n))
        .to.be.revertedWithCustomError(house, "InvalidDuration")
        .withArgs(30n * 86400n + 1n, 300n, 30n * 86400n);
      await expect(as(house, alice).createAuction(coll, 1n, 0n, DURATION))
        .to.be.revertedWithCustomError(house, "NotApproved")
        .withArgs(coll, 1n);
      await as(collection, alice).setApprovalForAll(await house.getAddress(), true);
      await expect(as(house, bob).createAuction(coll, 1n, 0n, DURATION))
        .to.be.revertedWithCustomError(house, "NotTokenOwner")
        .withArgs(coll, 1n, bob.address);
    });

    it("rejects tokens sent to it outside createAuction (no onERC721Received)", async function () {
      const { collection, house, alice } = await loadFixture(auctionFixture);
      const houseAddr = await house.getAddress();
      await expect(
        as(collection, alice).getFunction("safeTransferFrom(address,address,uint256)")(alice.address, houseAddr, 2n)
      )
        .to.be.revertedWithCustomError(collection, "ERC721InvalidReceiver")
        .withArgs(houseAddr);
    });
  });

  describe("bid", function () {
    it("takes a first bid at the reserve and emits BidPlaced", async function () {
      const { house, bob, endTime } = await loadFixture(auctionFixture);
      const tx = as(house, bob).bid(1n, { value: RESERVE });
      await expect(tx).to.emit(house, "BidPlaced").withArgs(1n, bob.address, RESERVE, endTime);
      await expect(tx).not.to.emit(house, "AuctionExtended");
      await expect(tx).to.changeEtherBalances([bob, house], [-RESERVE, RESERVE]);
      const a = await house.auction(1n);
      expect([a.highestBidder, a.highestBid, a.endTime]).to.deep.equal([bob.address, RESERVE, endTime]);
    });

    it("reverts with BidTooLow below the reserve, then below highest * 1.05", async function () {
      const { house, bob, carol } = await loadFixture(auctionFixture);
      await expect(as(house, bob).bid(1n, { value: RESERVE - 1n }))
        .to.be.revertedWithCustomError(house, "BidTooLow")
        .withArgs(RESERVE, RESERVE - 1n);
      await as(house, bob).bid(1n, { value: RESERVE });
      const minimum = (RESERVE * 10_500n) / BPS;
      expect(await house.minimumBid(1n)).to.equal(minimum);
      await expect(as(house, carol).bid(1n, { value: minimum - 1n }))
        .to.be.revertedWithCustomError(house, "BidTooLow")
        .withArgs(minimum, minimum - 1n);
      await as(house, carol).bid(1n, { value: minimum });
    });

    it("refunds the outbid bidder at once", async function () {
      const { house, bob, carol } = await loadFixture(auctionFixture);
      await as(house, bob).bid(1n, { value: RESERVE });
      const second = ethers.parseEther("1.5");
      const tx = as(house, carol).bid(1n, { value: second });
      await expect(tx).to.emit(house, "BidPlaced");
      await expect(tx).to.changeEtherBalances([carol, bob, house], [-second, RESERVE, second - RESERVE]);
      expect(await house.pendingReturns(bob.address)).to.equal(0n);
      // The leader may raise its own bid; its previous bid comes back.
      const third = ethers.parseEther("2");
      await expect(as(house, carol).bid(1n, { value: third })).to.changeEtherBalances(
        [carol, house],
        [-(third - second), third - second]
      );
    });

    it("with reserve 0, the first bid must be at least 1 wei and every raise at least 1 wei", async function () {
      const { collection, house, coll, alice, bob, carol } = await loadFixture(auctionFixture);
      await as(house, alice).createAuction(coll, 2n, 0n, DURATION); // auction 2
      expect(await house.minimumBid(2n)).to.equal(1n);
      await expect(as(house, bob).bid(2n, { value: 0n }))
        .to.be.revertedWithCustomError(house, "BidTooLow")
        .withArgs(1n, 0n);
      await as(house, bob).bid(2n, { value: 1n });
      expect(await house.minimumBid(2n)).to.equal(2n); // 1 * 1.05 rounds down to 1: +1 wei instead
      await expect(as(house, carol).bid(2n, { value: 1n }))
        .to.be.revertedWithCustomError(house, "BidTooLow")
        .withArgs(2n, 1n);
      expect(await collection.ownerOf(2n)).to.equal(await house.getAddress());
    });

    it("reverts with AuctionNotFound, SellerCannotBid and AuctionEnded", async function () {
      const { house, alice, bob, endTime } = await loadFixture(auctionFixture);
      await expect(as(house, bob).bid(7n, { value: RESERVE }))
        .to.be.revertedWithCustomError(house, "AuctionNotFound")
        .withArgs(7n);
      await expect(house.minimumBid(7n)).to.be.revertedWithCustomError(house, "AuctionNotFound").withArgs(7n);
      await expect(as(house, alice).bid(1n, { value: RESERVE }))
        .to.be.revertedWithCustomError(house, "SellerCannotBid")
        .withArgs(1n);
      await time.increaseTo(endTime);
      await expect(as(house, bob).bid(1n, { value: RESERVE }))
        .to.be.revertedWithCustomError(house, "AuctionEnded")
        .withArgs(1n, endTime);
    });

    it("anti-sniping: a bid in the last 5 minutes moves the end to now + 5 minutes", async function () {
      const { house, bob, carol, endTime } = await loadFixture(auctionFixture);
      // A bid well before the window does not extend.
      await time.increaseTo(endTime - WINDOW - 10n);
      await expect(as(house, bob).bid(1n, { value: RESERVE })).not.to.emit(house, "AuctionExtended");
      expect((await house.auction(1n)).endTime).to.equal(endTime);
      // A bid 60 s before the end extends.
      await time.increaseTo(endTime - 61n);
      const tx = await as(house, carol).bid(1n, { value: RESERVE * 2n });
      const at = await minedAt(tx);
      expect(at).to.equal(endTime - 60n);
      const newEnd = at + WINDOW;
      await expect(tx)
        .to.emit(house, "BidPlaced")
        .withArgs(1n, carol.address, RESERVE * 2n, newEnd);
      await expect(tx).to.emit(house, "AuctionExtended").withArgs(1n, newEnd);
      expect((await house.auction(1n)).endTime).to.equal(newEnd);
      // After the original end the auction is still open.
      await time.increaseTo(endTime + 10n);
      await expect(as(house, bob).bid(1n, { value: RESERVE * 3n })).to.emit(house, "BidPlaced");
      await expect(house.settle(1n)).to.be.revertedWithCustomError(house, "AuctionNotEnded");
    });
  });

  describe("settle", function () {
    it("reverts with AuctionNotEnded before the end", async function () {
      const { house, endTime } = await loadFixture(auctionFixture);
      await expect(house.settle(1n)).to.be.revertedWithCustomError(house, "AuctionNotEnded").withArgs(1n, endTime);
      await expect(house.settle(9n)).to.be.revertedWithCustomError(house, "AuctionNotFound").withArgs(9n);
    });

    it("with a winner: token to the winner, royalty to the receiver, rest to the seller", async function () {
      const { collection, house, alice, bob, carol, dave, artist, endTime } = await loadFixture(auctionFixture);
      await as(house, bob).bid(1n, { value: RESERVE });
      const winning = ethers.parseEther("2");
      await as(house, carol).bid(1n, { value: winning });
      await time.increaseTo(endTime);
      const royalty = (winning * ROYALTY_BPS) / BPS;
      const tx = as(house, dave).settle(1n); // anyone may settle
      await expect(tx).to.emit(house, "AuctionSettled").withArgs(1n, carol.address, alice.address, winning, royalty);
      await expect(tx)
        .to.emit(collection, "Transfer")
        .withArgs(await house.getAddress(), carol.address, 1n);
      await expect(tx).to.changeEtherBalances(
        [house, alice, artist, carol, dave],
        [-winning, winning - royalty, royalty, 0n, 0n]
      );
      expect(await collection.ownerOf(1n)).to.equal(carol.address);
      expect((await house.auction(1n)).settled).to.equal(true);
      await expect(house.settle(1n)).to.be.revertedWithCustomError(house, "AlreadySettled").withArgs(1n);
      await expect(as(house, bob).bid(1n, { value: winning * 2n }))
        .to.be.revertedWithCustomError(house, "AlreadySettled")
        .withArgs(1n);
    });

    it("without bids: the token returns to the seller", async function () {
      const { collection, house, alice, endTime } = await loadFixture(auctionFixture);
      await time.increaseTo(endTime);
      const tx = house.settle(1n);
      await expect(tx).to.emit(house, "AuctionSettled").withArgs(1n, ethers.ZeroAddress, alice.address, 0n, 0n);
      await expect(tx).to.changeEtherBalances([house, alice], [0n, 0n]);
      expect(await collection.ownerOf(1n)).to.equal(alice.address);
    });

    it("credits pendingReturns when the seller or the royalty receiver rejects ETH", async function () {
      const { collection, house, houseAddr, coll, bob, rejecter } = await loadFixture(auctionFixture);
      const rej = await rejecter.getAddress();
      await collection.setRoyalty(rej, ROYALTY_BPS);
      const id = (await collection.nextTokenId()) as bigint;
      await collection.ownerMint(rej, 1n);
      await rejecter.execute(coll, 0n, calldata(collection, "setApprovalForAll", [houseAddr, true]));
      await rejecter.execute(houseAddr, 0n, calldata(house, "createAuction", [coll, id, RESERVE, DURATION])); // #2
      const endTime = (await house.auction(2n)).endTime as bigint;
      await as(house, bob).bid(2n, { value: RESERVE });
      await time.increaseTo(endTime);
      const royalty = (RESERVE * ROYALTY_BPS) / BPS;
      const tx = house.settle(2n);
      // Seller and royalty receiver are the same rejecting contract: two deferred payments.
      await expect(tx).to.emit(house, "PaymentDeferred").withArgs(rej, royalty);
      await expect(tx)
        .to.emit(house, "PaymentDeferred")
        .withArgs(rej, RESERVE - royalty);
      await expect(tx).to.changeEtherBalances([house, rejecter], [0n, 0n]);
      expect(await house.pendingReturns(rej)).to.equal(RESERVE);
      expect(await collection.ownerOf(id)).to.equal(bob.address);

      await rejecter.setMode(Mode.Accept);
      const w = rejecter.execute(houseAddr, 0n, calldata(house, "withdrawPending", []));
      await expect(w).to.emit(house, "PendingWithdrawn").withArgs(rej, rej, RESERVE);
      await expect(w).to.changeEtherBalances([house, rejecter], [-RESERVE, RESERVE]);
    });

    it("pays no royalty for collections without ERC-2981 and caps an excessive royalty at the bid", async function () {
      const { house, houseAddr, alice, bob, artist } = await loadFixture(auctionFixture);
      for (const [mode, expectedRoyalty] of [
        [RoyaltyMode.NoErc2981, 0n],
        [RoyaltyMode.Excessive, RESERVE],
        [RoyaltyMode.Reverting, 0n],
      ] as const) {
        const mock = await ethers.deployContract("NftMockCollection", [mode, artist.address]);
        await mock.mint(alice.address, 1n);
        await as(mock, alice).setApprovalForAll(houseAddr, true);
        const id = (await house.nextAuctionId()) as bigint;
        await as(house, alice).createAuction(await mock.getAddress(), 1n, RESERVE, DURATION);
        await as(house, bob).bid(id, { value: RESERVE });
        await time.increase(DURATION);
        const tx = house.settle(id);
        await expect(tx)
          .to.emit(house, "AuctionSettled")
          .withArgs(id, bob.address, alice.address, RESERVE, expectedRoyalty);
        await expect(tx).to.changeEtherBalances([alice, artist], [RESERVE - expectedRoyalty, expectedRoyalty]);
      }
    });
  });

  describe("cancelAuction", function () {
    it("returns the token to the seller and emits AuctionCancelled", async function () {
      const { collection, house, alice, bob } = await loadFixture(auctionFixture);
      const tx = as(house, alice).cancelAuction(1n);
      await expect(tx).to.emit(house, "AuctionCancelled").withArgs(1n, alice.address);
      await expect(tx)
        .to.emit(collection, "Transfer")
        .withArgs(await house.getAddress(), alice.address, 1n);
      expect(await collection.ownerOf(1n)).to.equal(alice.address);
      expect((await house.auction(1n)).cancelled).to.equal(true);
      await expect(as(house, bob).bid(1n, { value: RESERVE }))
        .to.be.revertedWithCustomError(house, "AuctionWasCancelled")
        .withArgs(1n);
      await expect(house.settle(1n)).to.be.revertedWithCustomError(house, "AuctionWasCancelled").withArgs(1n);
      await expect(as(house, alice).cancelAuction(1n))
        .to.be.revertedWithCustomError(house, "AuctionWasCancelled")
        .withArgs(1n);
    });

    it("reverts with NotSeller, HasBids, AlreadySettled and AuctionNotFound", async function () {
      const { house, alice, bob, endTime } = await loadFixture(auctionFixture);
      await expect(as(house, bob).cancelAuction(1n))
        .to.be.revertedWithCustomError(house, "NotSeller")
        .withArgs(1n, bob.address);
      await expect(as(house, bob).cancelAuction(5n))
        .to.be.revertedWithCustomError(house, "AuctionNotFound")
        .withArgs(5n);
      await as(house, bob).bid(1n, { value: RESERVE });
      await expect(as(house, alice).cancelAuction(1n))
        .to.be.revertedWithCustomError(house, "HasBids")
        .withArgs(1n, RESERVE);
      await time.increaseTo(endTime);
      await house.settle(1n);
      await expect(as(house, alice).cancelAuction(1n))
        .to.be.revertedWithCustomError(house, "AlreadySettled")
        .withArgs(1n);
    });
  });

  describe("refunds to a bidder that rejects ETH", function () {
    it("credits pendingReturns, keeps the balance invariant and pays out on withdrawPending", async function () {
      const { house, houseAddr, bob, carol, rejecter } = await loadFixture(auctionFixture);
      const rej = await rejecter.getAddress();
      await rejecter.execute(houseAddr, RESERVE, calldata(house, "bid", [1n]), { value: RESERVE });
      const second = ethers.parseEther("1.2");
      const tx = as(house, bob).bid(1n, { value: second });
      await expect(tx).to.emit(house, "PaymentDeferred").withArgs(rej, RESERVE);
      await expect(tx).to.changeEtherBalances([house, rejecter], [second, 0n]);
      expect(await house.pendingReturns(rej)).to.equal(RESERVE);
      expect(await ethers.provider.getBalance(houseAddr)).to.equal(second + RESERVE);

      // Gas-burning receiver: only the stipend is lost, bidding goes on.
      await rejecter.setMode(Mode.BurnGas);
      const third = ethers.parseEther("1.5");
      await rejecter.execute(houseAddr, third, calldata(house, "bid", [1n]), { value: third }); // refunds bob
      const fourth = ethers.parseEther("2");
      const burn = as(house, carol).bid(1n, { value: fourth });
      await expect(burn).to.emit(house, "PaymentDeferred").withArgs(rej, third);
      await expect(burn).to.changeEtherBalances([house, rejecter], [fourth, 0n]);
      const owed = RESERVE + third;
      expect(await house.pendingReturns(rej)).to.equal(owed);
      expect(await ethers.provider.getBalance(houseAddr)).to.equal(fourth + owed);
      await expect(as(house, bob).withdrawPending()).to.be.revertedWithCustomError(house, "NothingToWithdraw");
      await expect(as(house, bob).withdrawPendingTo(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        house,
        "ZeroAddress"
      );

      // Rejecting (mode Revert; with BurnGas a full-gas withdrawal would only slowly run out of gas):
      // withdrawing to itself fails; routing to carol works.
      await rejecter.setMode(Mode.Revert);
      const failing = house.interface.encodeErrorResult("TransferFailed", [rej, owed]);
      await expect(rejecter.execute(houseAddr, 0n, calldata(house, "withdrawPending", [])))
        .to.be.revertedWithCustomError(rejecter, "CallFailed")
        .withArgs(failing);
      const w = rejecter.execute(houseAddr, 0n, calldata(house, "withdrawPendingTo", [carol.address]));
      await expect(w).to.emit(house, "PendingWithdrawn").withArgs(rej, carol.address, owed);
      await expect(w).to.changeEtherBalances([house, carol], [-owed, owed]);
      expect(await house.pendingReturns(rej)).to.equal(0n);
    });
  });

  describe("storage layout matches the header", function () {
    it("has ReentrancyGuard at 0, the counter at 1, auctions at 2 (bid fields packed at +4) and pendingReturns at 3", async function () {
      const { house, houseAddr, coll, alice, bob, rejecter, endTime } = await loadFixture(auctionFixture);
      const rej = await rejecter.getAddress();
      await rejecter.execute(houseAddr, RESERVE, calldata(house, "bid", [1n]), { value: RESERVE });
      const bid = ethers.parseEther("3");
      await as(house, bob).bid(1n, { value: bid });

      expect(await readSlot(houseAddr, 0n)).to.equal(1n); // NOT_ENTERED
      expect(await readSlot(houseAddr, 1n)).to.equal(2n);
      const base = mappingSlot("uint256", 1n, 2n);
      expect(lowAddress(await readSlot(houseAddr, base))).to.equal(alice.address);
      expect(lowAddress(await readSlot(houseAddr, base + 1n))).to.equal(coll);
      expect(await readSlot(houseAddr, base + 2n)).to.equal(1n);
      expect(await readSlot(houseAddr, base + 3n)).to.equal(RESERVE);
      const packed = await readSlot(houseAddr, base + 4n);
      expect(lowAddress(packed)).to.equal(bob.address);
      expect((packed >> 160n) & ((1n << 64n) - 1n)).to.equal(endTime);
      expect((packed >> 224n) & 0xffn).to.equal(0n); // settled
      expect((packed >> 232n) & 0xffn).to.equal(0n); // cancelled
      expect(await readSlot(houseAddr, base + 5n)).to.equal(bid);
      expect(await readSlot(houseAddr, mappingSlot("address", rej, 3n))).to.equal(RESERVE);

      await time.increaseTo(endTime);
      await house.settle(1n);
      expect(((await readSlot(houseAddr, base + 4n)) >> 224n) & 0xffn).to.equal(1n); // settled
    });
  });
});

import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import {
  MAX_SUPPLY,
  MINT_PRICE,
  ROYALTY_BPS,
  BPS,
  as,
  deployNftFixture,
  lowAddress,
  mappingSlot,
  readSlot,
  shortStringWord,
  RoyaltyMode,
} from "./helpers";
import { BATCH, BATCH_GAS, batchSenders, describeOnParallelNetwork, mineTogether } from "../../helpers/parallel-batch";

describe("NftCollection", function () {
  describe("deployment", function () {
    it("sets name, symbol, cap, price, owner, royalty and an empty mint counter", async function () {
      const { collection, deployer, artist } = await loadFixture(deployNftFixture);
      expect(await collection.name()).to.equal("Parallel Punks");
      expect(await collection.symbol()).to.equal("PPUNK");
      expect(await collection.maxSupply()).to.equal(MAX_SUPPLY);
      expect(await collection.mintPrice()).to.equal(MINT_PRICE);
      expect(await collection.owner()).to.equal(deployer.address);
      expect(await collection.totalMinted()).to.equal(0n);
      expect(await collection.nextTokenId()).to.equal(1n);
      expect(await collection.remainingSupply()).to.equal(MAX_SUPPLY);
      const [receiver, amount] = await collection.royaltyInfo(1n, 10_000n);
      expect(receiver).to.equal(artist.address);
      expect(amount).to.equal(ROYALTY_BPS);
    });

    it("can be deployed without royalty (zero receiver, zero bps)", async function () {
      const c = await ethers.deployContract("NftCollection", ["N", "N", 5n, 0n, ethers.ZeroAddress, 0n]);
      const [receiver, amount] = await c.royaltyInfo(1n, 10_000n);
      expect(receiver).to.equal(ethers.ZeroAddress);
      expect(amount).to.equal(0n);
    });

    it("reverts with ZeroMaxSupply, RoyaltyTooHigh and RoyaltyReceiverIsZero", async function () {
      const { collection, artist } = await loadFixture(deployNftFixture);
      const factory = await ethers.getContractFactory("NftCollection");
      await expect(factory.deploy("N", "N", 0n, 0n, artist.address, 0n)).to.be.revertedWithCustomError(
        collection,
        "ZeroMaxSupply"
      );
      await expect(factory.deploy("N", "N", 1n, 0n, artist.address, 1001n))
        .to.be.revertedWithCustomError(collection, "RoyaltyTooHigh")
        .withArgs(1001n, 1000n);
      await expect(factory.deploy("N", "N", 1n, 0n, ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(collection, "RoyaltyReceiverIsZero")
        .withArgs(1n);
    });
  });

  describe("mint", function () {
    it("mints id 1 then 2 for exactly mintPrice, collecting the ETH", async function () {
      const { collection, alice, bob } = await loadFixture(deployNftFixture);
      expect(await as(collection, alice).mint.staticCall(alice.address, { value: MINT_PRICE })).to.equal(1n);
      const tx = as(collection, alice).mint(alice.address, { value: MINT_PRICE });
      await expect(tx).to.emit(collection, "Transfer").withArgs(ethers.ZeroAddress, alice.address, 1n);
      await expect(tx).to.changeEtherBalances([alice, collection], [-MINT_PRICE, MINT_PRICE]);
      // Anyone can mint to anyone.
      await expect(as(collection, alice).mint(bob.address, { value: MINT_PRICE }))
        .to.emit(collection, "Transfer")
        .withArgs(ethers.ZeroAddress, bob.address, 2n);
      expect(await collection.ownerOf(1n)).to.equal(alice.address);
      expect(await collection.ownerOf(2n)).to.equal(bob.address);
      expect(await collection.totalMinted()).to.equal(2n);
      expect(await collection.nextTokenId()).to.equal(3n);
    });

    it("reverts with WrongPayment for too little or too much ETH", async function () {
      const { collection, alice } = await loadFixture(deployNftFixture);
      await expect(as(collection, alice).mint(alice.address, { value: MINT_PRICE - 1n }))
        .to.be.revertedWithCustomError(collection, "WrongPayment")
        .withArgs(MINT_PRICE, MINT_PRICE - 1n);
      await expect(as(collection, alice).mint(alice.address, { value: MINT_PRICE + 1n }))
        .to.be.revertedWithCustomError(collection, "WrongPayment")
        .withArgs(MINT_PRICE, MINT_PRICE + 1n);
      await expect(as(collection, alice).mint(alice.address))
        .to.be.revertedWithCustomError(collection, "WrongPayment")
        .withArgs(MINT_PRICE, 0n);
    });

    it("uses _safeMint: a contract without onERC721Received cannot receive a single mint", async function () {
      const { collection, token, alice } = await loadFixture(deployNftFixture);
      const target = await token.getAddress();
      await expect(as(collection, alice).mint(target, { value: MINT_PRICE }))
        .to.be.revertedWithCustomError(collection, "ERC721InvalidReceiver")
        .withArgs(target);
      // mintBatch uses _mint (documented): the same contract can receive a batch.
      await as(collection, alice).mintBatch(target, 1n, { value: MINT_PRICE });
      expect(await collection.ownerOf(1n)).to.equal(target);
    });

    it("reverts with SupplyCapExceeded(1, 0) once the cap is reached", async function () {
      const { collection, alice } = await loadFixture(deployNftFixture);
      await collection.ownerMint(alice.address, MAX_SUPPLY);
      await expect(as(collection, alice).mint(alice.address, { value: MINT_PRICE }))
        .to.be.revertedWithCustomError(collection, "SupplyCapExceeded")
        .withArgs(1n, 0n);
    });
  });

  describe("mintBatch", function () {
    it("mints consecutive ids for price * quantity and returns the first id", async function () {
      const { collection, alice, bob } = await loadFixture(deployNftFixture);
      await as(collection, alice).mint(alice.address, { value: MINT_PRICE });
      const cost = MINT_PRICE * 3n;
      expect(await as(collection, bob).mintBatch.staticCall(bob.address, 3n, { value: cost })).to.equal(2n);
      const tx = as(collection, bob).mintBatch(bob.address, 3n, { value: cost });
      for (const id of [2n, 3n, 4n]) {
        await expect(tx).to.emit(collection, "Transfer").withArgs(ethers.ZeroAddress, bob.address, id);
      }
      await expect(tx).to.changeEtherBalances([bob, collection], [-cost, cost]);
      expect(await collection.balanceOf(bob.address)).to.equal(3n);
      expect(await collection.totalMinted()).to.equal(4n);
    });

    it("reverts with ZeroQuantity, WrongPayment and SupplyCapExceeded", async function () {
      const { collection, alice } = await loadFixture(deployNftFixture);
      await expect(as(collection, alice).mintBatch(alice.address, 0n)).to.be.revertedWithCustomError(
        collection,
        "ZeroQuantity"
      );
      await expect(as(collection, alice).mintBatch(alice.address, 2n, { value: MINT_PRICE }))
        .to.be.revertedWithCustomError(collection, "WrongPayment")
        .withArgs(MINT_PRICE * 2n, MINT_PRICE);
      await collection.ownerMint(alice.address, MAX_SUPPLY - 2n);
      await expect(as(collection, alice).mintBatch(alice.address, 3n, { value: MINT_PRICE * 3n }))
        .to.be.revertedWithCustomError(collection, "SupplyCapExceeded")
        .withArgs(3n, 2n);
      // Exactly the remainder still works.
      await as(collection, alice).mintBatch(alice.address, 2n, { value: MINT_PRICE * 2n });
      expect(await collection.totalMinted()).to.equal(MAX_SUPPLY);
      expect(await collection.remainingSupply()).to.equal(0n);
    });
  });

  describe("ownerMint", function () {
    it("mints for free and returns the first id", async function () {
      const { collection, alice } = await loadFixture(deployNftFixture);
      expect(await collection.ownerMint.staticCall(alice.address, 5n)).to.equal(1n);
      const tx = collection.ownerMint(alice.address, 5n);
      await expect(tx).to.emit(collection, "Transfer").withArgs(ethers.ZeroAddress, alice.address, 5n);
      await expect(tx).to.changeEtherBalance(collection, 0n);
      expect(await collection.balanceOf(alice.address)).to.equal(5n);
    });

    it("is owner only and checks quantity and cap", async function () {
      const { collection, alice } = await loadFixture(deployNftFixture);
      await expect(as(collection, alice).ownerMint(alice.address, 1n))
        .to.be.revertedWithCustomError(collection, "OwnableUnauthorizedAccount")
        .withArgs(alice.address);
      await expect(collection.ownerMint(alice.address, 0n)).to.be.revertedWithCustomError(collection, "ZeroQuantity");
      await expect(collection.ownerMint(alice.address, MAX_SUPPLY + 1n))
        .to.be.revertedWithCustomError(collection, "SupplyCapExceeded")
        .withArgs(MAX_SUPPLY + 1n, MAX_SUPPLY);
      await expect(collection.ownerMint(ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(collection, "ERC721InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
    });
  });

  describe("withdraw", function () {
    it("sends all mint proceeds to the given address", async function () {
      const { collection, deployer, alice, treasury } = await loadFixture(deployNftFixture);
      await as(collection, alice).mintBatch(alice.address, 4n, { value: MINT_PRICE * 4n });
      const tx = collection.withdraw(treasury.address);
      await expect(tx)
        .to.emit(collection, "Withdrawn")
        .withArgs(treasury.address, MINT_PRICE * 4n);
      await expect(tx).to.changeEtherBalances(
        [collection, treasury, deployer],
        [-MINT_PRICE * 4n, MINT_PRICE * 4n, 0n]
      );
    });

    it("reverts with NothingToWithdraw, ZeroAddress, WithdrawFailed and for non-owners", async function () {
      const { collection, alice, rejecter } = await loadFixture(deployNftFixture);
      await expect(collection.withdraw(alice.address)).to.be.revertedWithCustomError(collection, "NothingToWithdraw");
      await as(collection, alice).mint(alice.address, { value: MINT_PRICE });
      await expect(collection.withdraw(ethers.ZeroAddress)).to.be.revertedWithCustomError(collection, "ZeroAddress");
      await expect(as(collection, alice).withdraw(alice.address))
        .to.be.revertedWithCustomError(collection, "OwnableUnauthorizedAccount")
        .withArgs(alice.address);
      const rejecterAddress = await rejecter.getAddress();
      await expect(collection.withdraw(rejecterAddress))
        .to.be.revertedWithCustomError(collection, "WithdrawFailed")
        .withArgs(rejecterAddress, MINT_PRICE);
    });
  });

  describe("royalties", function () {
    it("royaltyInfo returns the receiver and price * bps / 10000", async function () {
      const { collection, artist } = await loadFixture(deployNftFixture);
      const price = ethers.parseEther("1.23");
      const [receiver, amount] = await collection.royaltyInfo(7n, price);
      expect(receiver).to.equal(artist.address);
      expect(amount).to.equal((price * ROYALTY_BPS) / BPS);
    });

    it("setRoyalty changes or removes the default royalty, emitting RoyaltyUpdated", async function () {
      const { collection, bob } = await loadFixture(deployNftFixture);
      await expect(collection.setRoyalty(bob.address, 1000n))
        .to.emit(collection, "RoyaltyUpdated")
        .withArgs(bob.address, 1000n);
      let [receiver, amount] = await collection.royaltyInfo(1n, 10_000n);
      expect([receiver, amount]).to.deep.equal([bob.address, 1000n]);
      await expect(collection.setRoyalty(ethers.ZeroAddress, 0n))
        .to.emit(collection, "RoyaltyUpdated")
        .withArgs(ethers.ZeroAddress, 0n);
      [receiver, amount] = await collection.royaltyInfo(1n, 10_000n);
      expect([receiver, amount]).to.deep.equal([ethers.ZeroAddress, 0n]);
    });

    it("setRoyalty reverts with RoyaltyTooHigh, RoyaltyReceiverIsZero and for non-owners", async function () {
      const { collection, alice } = await loadFixture(deployNftFixture);
      await expect(collection.setRoyalty(alice.address, 1001n))
        .to.be.revertedWithCustomError(collection, "RoyaltyTooHigh")
        .withArgs(1001n, 1000n);
      await expect(collection.setRoyalty(ethers.ZeroAddress, 5n))
        .to.be.revertedWithCustomError(collection, "RoyaltyReceiverIsZero")
        .withArgs(5n);
      await expect(as(collection, alice).setRoyalty(alice.address, 1n))
        .to.be.revertedWithCustomError(collection, "OwnableUnauthorizedAccount")
        .withArgs(alice.address);
    });
  });

  describe("metadata and interfaces", function () {
    it("tokenURI is empty until a base URI is set, then base + id", async function () {
      const { collection, alice } = await loadFixture(deployNftFixture);
      await collection.ownerMint(alice.address, 12n);
      expect(await collection.tokenURI(12n)).to.equal("");
      await expect(collection.setBaseURI("ipfs://cid/")).to.emit(collection, "BaseURIUpdated").withArgs("ipfs://cid/");
      expect(await collection.baseURI()).to.equal("ipfs://cid/");
      expect(await collection.tokenURI(12n)).to.equal("ipfs://cid/12");
      await expect(collection.tokenURI(13n))
        .to.be.revertedWithCustomError(collection, "ERC721NonexistentToken")
        .withArgs(13n);
      await expect(as(collection, alice).setBaseURI("x"))
        .to.be.revertedWithCustomError(collection, "OwnableUnauthorizedAccount")
        .withArgs(alice.address);
    });

    it("supportsInterface merges ERC-721, ERC-721 Metadata, ERC-2981 and ERC-165", async function () {
      const { collection } = await loadFixture(deployNftFixture);
      expect(await collection.supportsInterface("0x80ac58cd")).to.equal(true); // ERC-721
      expect(await collection.supportsInterface("0x5b5e139f")).to.equal(true); // ERC-721 Metadata
      expect(await collection.supportsInterface("0x2a55205a")).to.equal(true); // ERC-2981
      expect(await collection.supportsInterface("0x01ffc9a7")).to.equal(true); // ERC-165
      expect(await collection.supportsInterface("0xffffffff")).to.equal(false);
      expect(await collection.supportsInterface("0x780e9d63")).to.equal(false); // ERC-721 Enumerable
    });
  });

  describe("storage layout matches the header", function () {
    it("has ERC721 at 0-5, ERC2981 at 6-7, Ownable at 8, the counter at 9, the base URI at 10", async function () {
      const { collection, deployer, artist, alice } = await loadFixture(deployNftFixture);
      const addr = await collection.getAddress();
      await collection.ownerMint(alice.address, 3n);
      await collection.setBaseURI("ipfs://x/");
      await as(collection, alice).setApprovalForAll(deployer.address, true);

      expect(await readSlot(addr, 0n)).to.equal(shortStringWord("Parallel Punks"));
      expect(await readSlot(addr, 1n)).to.equal(shortStringWord("PPUNK"));
      expect(lowAddress(await readSlot(addr, mappingSlot("uint256", 2n, 2n)))).to.equal(alice.address);
      expect(await readSlot(addr, mappingSlot("address", alice.address, 3n))).to.equal(3n);
      const operatorInner = mappingSlot("address", alice.address, 5n);
      const operatorSlot = BigInt(
        ethers.keccak256(
          ethers.AbiCoder.defaultAbiCoder().encode(["address", "uint256"], [deployer.address, operatorInner])
        )
      );
      expect(await readSlot(addr, operatorSlot)).to.equal(1n);
      const royaltyWord = await readSlot(addr, 6n);
      expect(lowAddress(royaltyWord)).to.equal(artist.address);
      expect(royaltyWord >> 160n).to.equal(ROYALTY_BPS);
      expect(lowAddress(await readSlot(addr, 8n))).to.equal(deployer.address);
      expect(await readSlot(addr, 9n)).to.equal(4n); // _nextTokenId: the mint hotspot
      expect(await readSlot(addr, 10n)).to.equal(shortStringWord("ipfs://x/"));
      // maxSupply and mintPrice are immutables: no slot holds them.
      expect(await readSlot(addr, 11n)).to.equal(0n);
    });

    it("every mint, by anyone, writes the counter slot 9", async function () {
      const { collection, alice, bob } = await loadFixture(deployNftFixture);
      const addr = await collection.getAddress();
      await as(collection, alice).mint(alice.address, { value: MINT_PRICE });
      expect(await readSlot(addr, 9n)).to.equal(2n);
      await as(collection, bob).mintBatch(bob.address, 2n, { value: MINT_PRICE * 2n });
      expect(await readSlot(addr, 9n)).to.equal(4n);
    });
  });
});

describeOnParallelNetwork("NftCollection parallel-friendliness", function () {
  /**
   * The suite's fixture, BATCH holders (any account but the deployer), each
   * given one token by the owner (ids 1..BATCH, in holder order), and the
   * test-only mock collection, whose minter chooses the id.
   */
  async function deployHolders() {
    const f = await deployNftFixture();
    const holders = await batchSenders(BATCH, [f.deployer]);
    for (const holder of holders) await f.collection.ownerMint(await holder.getAddress(), 1n);
    const mock = await ethers.deployContract("NftMockCollection", [RoyaltyMode.NoErc2981, f.artist.address]);
    return { ...f, holders, mock };
  }

  /** A fresh address that holds nothing, one per index. */
  const fresh = (i: number): string => ethers.getAddress(`0x${(0x4f7_0000 + i).toString(16).padStart(40, "0")}`);

  before(async function () {
    await loadFixture(deployHolders); // once, so that the tests' time is the batch's
  });

  it("mints by different users all meet at the global id counter _nextTokenId, with the sequential ids", async function () {
    const { collection, holders } = await loadFixture(deployHolders);
    expect(MAX_SUPPLY).to.be.at.least(2n * BigInt(BATCH), "the fixture's supply cap leaves room for a batch of mints");
    const batch = await mineTogether(holders.map((m) => () => as(collection, m).mint(m, { value: MINT_PRICE, gasLimit: BATCH_GAS })));
    // Ids come from one counter (1, 2, 3, ...): each mint reads the id the
    // mint before it took, so the collection serialises a mint-day block
    // whoever the minters are. This is the contract's design, asserted here
    // so that a change of id scheme shows up.
    expect(batch).to.have.hotspot("NftCollection._nextTokenId");
    // Paid mints also all add to the collection's ether balance (account
    // state, which the hotspot matcher does not name).
    expect(batch.conflicts.hotspots.some((h) => h.kind === "balance" && h.contract === "NftCollection")).to.equal(true);
    expect(batch.conflicts.dependentTxs).to.equal(BATCH - 1);
    expect(batch).to.matchSequentialExecution();
    for (const [i, m] of holders.entries()) expect(await collection.ownerOf(BigInt(BATCH + i + 1))).to.equal(await m.getAddress());
  });

  it("mints of ids the minters choose (test-only NftMockCollection, no counter) are conflict-free", async function () {
    // NftCollection has no per-user id scheme; the mock shows what one buys.
    const { mock, holders } = await loadFixture(deployHolders);
    const batch = await mineTogether(holders.map((m, i) => () => as(mock, m).mint(m, 1_000n + BigInt(i), { gasLimit: BATCH_GAS })));
    expect(batch.txs).to.equal(BATCH);
    expect(batch).to.be.conflictFree();
    expect(batch).to.matchSequentialExecution();
  });

  it("transfers of different tokens between different holders are conflict-free", async function () {
    const { collection, holders } = await loadFixture(deployHolders);
    const batch = await mineTogether(
      holders.map((m, i) => async () => as(collection, m).transferFrom(await m.getAddress(), fresh(i), BigInt(i + 1), { gasLimit: BATCH_GAS })),
    );
    expect(batch.txs).to.equal(BATCH);
    expect(batch).to.be.conflictFree();
    expect(batch).to.matchSequentialExecution();
    expect(await collection.ownerOf(1n)).to.equal(fresh(0));
  });
});

/**
 * Invariants of the NFT group (collections, marketplace, auction house) over
 * a seeded random sequence of mints, lists, cancels, buys, transfers,
 * auctions, bids, settlements, cancellations, withdrawals and time jumps by
 * several users plus a contract account that rejects ETH on and off. After
 * every action:
 *  - every minted token has exactly one owner, the one the model expects,
 *    the owners' balances add up to totalMinted, and totalMinted <= maxSupply;
 *  - marketplace ETH balance == accruedFees[ETH] + sum(pendingWithdrawals),
 *    and its TestToken balance == accruedFees[token];
 *  - auction house ETH balance == sum of the highest bids of open auctions
 *    + sum(pendingReturns);
 *  - no ETH is created or lost: the sum of the balances of all participants
 *    and contracts only falls by the gas paid (receipts' gasUsed * gasPrice);
 *  - TestToken balances of all holders add up to the total supply.
 */
import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import type { Contract, ContractTransactionResponse, Signer } from "ethers";
import { Mode, as, calldata, mulberry32 } from "./helpers";

const SEED = 0x5eed_1f7;
const ACTIONS = 160;
const ETH = ethers.ZeroAddress;

type Actor = { name: string; address: string; signer?: Signer };
/** The fields of NftAuctionHouse.auction(id) used here. */
type AuctionView = {
  seller: string;
  collection: string;
  tokenId: bigint;
  highestBidder: string;
  endTime: bigint;
  highestBid: bigint;
  settled: boolean;
  cancelled: boolean;
};

describe("NFT group invariants (seeded random actions)", function () {
  async function setup() {
    const signers = await ethers.getSigners();
    const [deployer, artist, treasury] = signers;
    const users = signers.slice(3, 8);
    const rejecter = await ethers.deployContract("NftRejectingReceiver", [Mode.Revert]);
    const rej = await rejecter.getAddress();
    const collA = await ethers.deployContract("NftCollection", [
      "A",
      "A",
      25n,
      ethers.parseEther("0.01"),
      artist.address,
      500n,
    ]);
    // Collection B pays its royalty to the contract that may reject ETH.
    const collB = await ethers.deployContract("NftCollection", ["B", "B", 15n, ethers.parseEther("0.02"), rej, 1000n]);
    const marketplace = await ethers.deployContract("NftMarketplace", [treasury.address, 250n]);
    const house = await ethers.deployContract("NftAuctionHouse", []);
    const token = await ethers.deployContract("TestToken", ["Test USD", "TUSD", 6]);
    await token.batchMint(
      users.map((u) => u.address),
      10n ** 12n
    );
    const market = await marketplace.getAddress();
    for (const u of users) await as(token, u).approve(market, ethers.MaxUint256);
    return { deployer, artist, treasury, users, rejecter, rej, collA, collB, marketplace, house, token, market };
  }

  it(`holds after each of ${ACTIONS} random actions (seed ${SEED})`, async function () {
    const env = await loadFixture(setup);
    const { deployer, artist, treasury, users, rejecter, rej, collA, collB, marketplace, house, token, market } = env;
    const rand = mulberry32(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const between = (lo: bigint, hi: bigint): bigint => lo + BigInt(Math.floor(rand() * Number(hi - lo + 1n)));

    const houseAddr = await house.getAddress();
    const tokenAddr = await token.getAddress();
    const collections = [collA, collB];
    const collAddrs = await Promise.all(collections.map((c) => c.getAddress()));
    const actors: Actor[] = [
      ...users.map((u, i) => ({ name: `user${i}`, address: u.address, signer: u as Signer })),
      { name: "rejecter", address: rej },
    ];
    const ethHolders = [
      ...new Set([
        deployer.address,
        artist.address,
        treasury.address,
        ...actors.map((a) => a.address),
        ...collAddrs,
        market,
        houseAddr,
        tokenAddr,
      ]),
    ];
    const pendingAccounts = [deployer.address, artist.address, treasury.address, ...actors.map((a) => a.address)];
    const nftHolders = [...actors.map((a) => a.address), houseAddr, market];

    // Model: owner of every minted token, per collection index.
    const owners: Map<bigint, string>[] = [new Map(), new Map()];
    const approved = new Set<string>();
    let gasPaid = 0n;
    const counts: Record<string, number> = {};
    const count = (k: string) => (counts[k] = (counts[k] ?? 0) + 1);

    async function send(p: Promise<ContractTransactionResponse>): Promise<void> {
      const tx = await p;
      const receipt = await tx.wait();
      if (receipt === null) throw new Error("no receipt");
      gasPaid += receipt.fee;
    }

    /** `fn(args)` on `c` from `actor` with `value` wei (the rejecter goes through execute, paid by the deployer). */
    async function callAs(actor: Actor, c: Contract, fn: string, args: unknown[], value = 0n): Promise<void> {
      if (actor.signer !== undefined) {
        const overrides = value === 0n ? {} : { value };
        await send(as(c, actor.signer).getFunction(fn)(...args, overrides));
      } else {
        await send(rejecter.execute(await c.getAddress(), value, calldata(c, fn, args), { value }));
      }
    }

    async function ensureApproval(actor: Actor, ci: number, operator: string): Promise<void> {
      const key = `${actor.address}:${ci}:${operator}`;
      if (approved.has(key)) return;
      await callAs(actor, collections[ci], "setApprovalForAll", [operator, true]);
      approved.add(key);
    }

    function tokensOf(address: string): { ci: number; id: bigint }[] {
      const out: { ci: number; id: bigint }[] = [];
      owners.forEach((m, ci) => m.forEach((o, id) => o === address && out.push({ ci, id })));
      return out;
    }

    const actorOf = (address: string): Actor => {
      const a = actors.find((x) => x.address === address);
      if (a === undefined) throw new Error(`not an actor: ${address}`);
      return a;
    };

    async function ethTotal(): Promise<bigint> {
      const balances = await Promise.all(ethHolders.map((a) => ethers.provider.getBalance(a)));
      return balances.reduce((s, b) => s + b, 0n);
    }

    async function openAuctions(): Promise<{ id: bigint; a: AuctionView }[]> {
      const next: bigint = await house.nextAuctionId();
      const out: { id: bigint; a: AuctionView }[] = [];
      for (let id = 1n; id < next; id++) {
        const a: AuctionView = await house.auction(id);
        if (!a.settled && !a.cancelled) out.push({ id, a });
      }
      return out;
    }

    async function activeListings(): Promise<bigint[]> {
      const next: bigint = await marketplace.nextListingId();
      const out: bigint[] = [];
      for (let id = 1n; id < next; id++) if ((await marketplace.listing(id)).active) out.push(id);
      return out;
    }

    const initialEth = await ethTotal();
    const tokenSupply: bigint = await token.totalSupply();

    async function checkInvariants(step: number): Promise<void> {
      const ctx = `after action ${step}`;
      // NFTs: one owner each, as modelled; balances add up; cap respected.
      for (let ci = 0; ci < collections.length; ci++) {
        const c = collections[ci];
        const minted: bigint = await c.totalMinted();
        expect(minted <= (await c.maxSupply()), ctx).to.equal(true);
        expect(BigInt(owners[ci].size), ctx).to.equal(minted);
        for (let id = 1n; id <= minted; id++) {
          expect(await c.ownerOf(id), `${ctx}: owner of ${ci}/${id}`).to.equal(owners[ci].get(id));
        }
        let held = 0n;
        for (const h of nftHolders) held += await c.balanceOf(h);
        expect(held, ctx).to.equal(minted);
        await expect(c.ownerOf(minted + 1n)).to.be.revertedWithCustomError(c, "ERC721NonexistentToken");
      }
      // Marketplace: ETH = fees + pending; tokens = fees.
      let pendingMarket = 0n;
      let pendingHouse = 0n;
      for (const a of pendingAccounts) {
        pendingMarket += await marketplace.pendingWithdrawals(a);
        pendingHouse += await house.pendingReturns(a);
      }
      expect(await ethers.provider.getBalance(market), ctx).to.equal(
        (await marketplace.accruedFees(ETH)) + pendingMarket
      );
      expect(await token.balanceOf(market), ctx).to.equal(await marketplace.accruedFees(tokenAddr));
      // Auction house: ETH = highest bids of open auctions + pending returns.
      let bids = 0n;
      for (const { a } of await openAuctions()) bids += a.highestBid;
      expect(await ethers.provider.getBalance(houseAddr), ctx).to.equal(bids + pendingHouse);
      // Conservation of ETH (only gas leaves) and of TestToken.
      expect(await ethTotal(), ctx).to.equal(initialEth - gasPaid);
      let tokens = 0n;
      for (const h of [...ethHolders]) tokens += await token.balanceOf(h);
      expect(tokens, ctx).to.equal(tokenSupply);
    }

    // ---------------------------------------------------------------- actions

    async function doMint(): Promise<void> {
      const ci = rand() < 0.6 ? 0 : 1;
      const c = collections[ci];
      const actor = pick(actors);
      const remaining: bigint = await c.remainingSupply();
      const price: bigint = await c.mintPrice();
      if (remaining === 0n) {
        // staticCall: Hardhat mines reverting transactions, which would spend untracked gas.
        await expect(as(c, users[0]).mint.staticCall(users[0].address, { value: price }))
          .to.be.revertedWithCustomError(c, "SupplyCapExceeded")
          .withArgs(1n, 0n);
        count("mint-capped");
        return;
      }
      const q = BigInt(Math.min(Number(remaining), 1 + Math.floor(rand() * 3)));
      const first: bigint = await c.nextTokenId();
      if (q === 1n) await callAs(actor, c, "mint", [actor.address], price);
      else await callAs(actor, c, "mintBatch", [actor.address, q], price * q);
      for (let i = 0n; i < q; i++) owners[ci].set(first + i, actor.address);
      count("mint");
    }

    async function doList(): Promise<void> {
      const actor = pick(actors);
      const mine = tokensOf(actor.address);
      if (mine.length === 0) return;
      const { ci, id } = pick(mine);
      await ensureApproval(actor, ci, market);
      const inToken = actor.signer !== undefined && rand() < 0.4;
      const price = inToken ? between(1n, 5_000_000n) : between(1n, 200n) * 10n ** 16n;
      await callAs(actor, marketplace, "list", [collAddrs[ci], id, inToken ? tokenAddr : ETH, price]);
      count("list");
    }

    async function doCancel(): Promise<void> {
      const active = await activeListings();
      if (active.length === 0) return;
      const id = pick(active);
      const l = await marketplace.listing(id);
      await callAs(actorOf(l.seller), marketplace, "cancel", [id]);
      count("cancel");
    }

    async function doBuy(): Promise<void> {
      const active = await activeListings();
      if (active.length === 0) return;
      const id = pick(active);
      const l = await marketplace.listing(id);
      const buyers = users.filter((u) => u.address !== l.seller);
      const buyer = pick(buyers);
      const isEth = l.currency === ETH;
      if (!(await marketplace.isBuyable(id))) {
        await expect(
          as(marketplace, buyer).buy.staticCall(id, { value: isEth ? l.price : 0n })
        ).to.be.revertedWithCustomError(marketplace, "SellerNoLongerOwns");
        count("buy-stale");
        return;
      }
      await send(as(marketplace, buyer).buy(id, { value: isEth ? l.price : 0n }));
      owners[collAddrs.indexOf(l.collection)].set(l.tokenId, buyer.address);
      count(isEth ? "buy-eth" : "buy-token");
    }

    async function doTransfer(): Promise<void> {
      const from = pick(users);
      const mine = tokensOf(from.address);
      if (mine.length === 0) return;
      const { ci, id } = pick(mine);
      const to = pick(users.filter((u) => u !== from));
      await send(as(collections[ci], from).transferFrom(from.address, to.address, id));
      owners[ci].set(id, to.address);
      count("transfer");
    }

    async function doCreateAuction(): Promise<void> {
      const actor = pick(actors);
      const mine = tokensOf(actor.address);
      if (mine.length === 0) return;
      const { ci, id } = pick(mine);
      await ensureApproval(actor, ci, houseAddr);
      const reserve = rand() < 0.3 ? 0n : between(1n, 100n) * 10n ** 16n;
      const duration = between(300n, 3600n);
      await callAs(actor, house, "createAuction", [collAddrs[ci], id, reserve, duration]);
      owners[ci].set(id, houseAddr);
      count("auction");
    }

    async function doBid(): Promise<void> {
      const now = BigInt(await time.latest());
      const open = (await openAuctions()).filter(({ a }) => a.endTime > now + 10n);
      if (open.length === 0) return;
      const { id, a } = pick(open);
      const bidder = pick(actors.filter((x) => x.address !== a.seller));
      const minimum: bigint = await house.minimumBid(id);
      const amount = minimum + (minimum * between(0n, 20n)) / 100n;
      await callAs(bidder, house, "bid", [id], amount);
      count("bid");
    }

    async function doSettle(): Promise<void> {
      const now = BigInt(await time.latest());
      const open = await openAuctions();
      if (open.length === 0) return;
      const ended = open.filter(({ a }) => a.endTime <= now);
      if (ended.length === 0) {
        const soonest = open.reduce((m, { a }) => (a.endTime < m ? a.endTime : m), 2n ** 64n);
        await time.increaseTo(soonest);
        count("wait-for-end");
        return;
      }
      const { id, a } = pick(ended);
      await send(as(house, pick(users)).settle(id));
      const ci = collAddrs.indexOf(a.collection);
      const winner = a.highestBidder;
      owners[ci].set(a.tokenId, winner === ETH ? a.seller : winner);
      count(winner === ETH ? "settle-no-bid" : "settle");
    }

    async function doCancelAuction(): Promise<void> {
      const open = (await openAuctions()).filter(({ a }) => a.highestBidder === ETH);
      if (open.length === 0) return;
      const { id, a } = pick(open);
      await callAs(actorOf(a.seller), house, "cancelAuction", [id]);
      owners[collAddrs.indexOf(a.collection)].set(a.tokenId, a.seller);
      count("cancel-auction");
    }

    async function doWithdraw(): Promise<void> {
      const r = rand();
      const rejActor = actorOf(rej);
      if (r < 0.3) {
        if ((await marketplace.pendingWithdrawals(rej)) === 0n) return;
        await callAs(rejActor, marketplace, "withdrawPendingTo", [pick(users).address]);
        count("withdraw-pending-market");
      } else if (r < 0.6) {
        if ((await house.pendingReturns(rej)) === 0n) return;
        await callAs(rejActor, house, "withdrawPendingTo", [pick(users).address]);
        count("withdraw-pending-house");
      } else if (r < 0.85) {
        const currency = rand() < 0.5 ? ETH : tokenAddr;
        if ((await marketplace.accruedFees(currency)) === 0n) return;
        await send(as(marketplace, pick(users)).withdrawFees(currency));
        count("withdraw-fees");
      } else {
        const c = pick(collections);
        if ((await ethers.provider.getBalance(await c.getAddress())) === 0n) return;
        await send(c.withdraw(deployer.address));
        count("withdraw-mint");
      }
    }

    async function doMode(): Promise<void> {
      await send(rejecter.setMode(pick([Mode.Accept, Mode.Revert, Mode.Revert, Mode.BurnGas])));
      count("mode");
    }

    async function doTime(): Promise<void> {
      await time.increase(Number(between(60n, 1800n)));
      count("time");
    }

    const table: [number, () => Promise<void>][] = [
      [12, doMint],
      [14, doList],
      [4, doCancel],
      [16, doBuy],
      [4, doTransfer],
      [8, doCreateAuction],
      [20, doBid],
      [10, doSettle],
      [3, doCancelAuction],
      [6, doWithdraw],
      [2, doMode],
      [4, doTime],
    ];
    const totalWeight = table.reduce((s, [w]) => s + w, 0);

    await checkInvariants(0);
    for (let step = 1; step <= ACTIONS; step++) {
      let x = rand() * totalWeight;
      let action = table[table.length - 1][1];
      for (const [w, f] of table) {
        if (x < w) {
          action = f;
          break;
        }
        x -= w;
      }
      await action();
      await checkInvariants(step);
    }

    // The sequence must have exercised the interesting paths.
    for (const k of ["mint", "list", "buy-eth", "buy-token", "auction", "bid", "settle"]) {
      expect(counts[k] ?? 0, `action ${k} never ran: ${JSON.stringify(counts)}`).to.be.greaterThan(0);
    }
    const deferred =
      (await marketplace.queryFilter(marketplace.filters.PaymentDeferred())).length +
      (await house.queryFilter(house.filters.PaymentDeferred())).length;
    expect(deferred, "no push payment was ever deferred").to.be.greaterThan(0);
    console.log(`      actions: ${JSON.stringify(counts)}; deferred pushes: ${deferred}`);
  });
});

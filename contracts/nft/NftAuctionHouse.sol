// SPDX-License-Identifier: MIT
/*
 * NftAuctionHouse: English (ascending-price) auctions in ETH that escrow the
 * NFT, in the style of the well-known on-chain auction houses. The seller
 * deposits the token with `createAuction` (reserve price, duration); bidders
 * send ETH, each bid at least the reserve (first bid) or MIN_INCREMENT_BPS
 * above the current highest bid; the outbid bidder is refunded at once.
 * After the end anyone may `settle`: the token goes to the winner and the
 * winning bid to the seller minus the ERC-2981 royalty (if the collection
 * supports ERC-2981), or, without bids, the token goes back to the seller.
 * The seller may cancel (and take the token back) as long as nobody has bid.
 *
 * Anti-sniping: a bid placed when less than EXTENSION_WINDOW (5 minutes) is
 * left moves the end to block.timestamp + EXTENSION_WINDOW, so every bidder
 * always has at least 5 minutes to answer the last bid.
 *
 * Payments out (refunds, proceeds, royalties) are pushed with a gas stipend
 * of PUSH_GAS_LIMIT; when a push fails (receiver reverts or burns the gas) the
 * amount is credited to `pendingReturns[account]` and claimed later with
 * `withdrawPending` / `withdrawPendingTo`, so a hostile bidder, seller or
 * royalty receiver can block neither bidding nor settlement. For the same
 * reason the token leaves escrow with `transferFrom`, not `safeTransferFrom`
 * (a winner contract without IERC721Receiver cannot block the seller's
 * payout). The house itself has no onERC721Received: tokens sent to it with
 * safeTransferFrom outside createAuction are rejected, never stuck.
 *
 * Hotspots (storage that many transactions write):
 *  - the auction's slot base+4 (highestBidder | endTime | settled | cancelled)
 *    and base+5 (highestBid): every bid on the same auction writes both, so
 *    bids on one auction serialise; bids on different auctions do not.
 *  - `_nextAuctionId` (slot 1): every createAuction increments it.
 *  - `ReentrancyGuard._status` (slot 0): written (1 -> 2 -> 1) by every
 *    state-changing call, including all bids.
 *  - the house's own ETH balance (account state): every bid adds to it and
 *    every refund / settlement takes from it.
 *  - `pendingReturns[a]` (slot 3): only written when a push fails.
 *
 * Auction ids start at 1 (0 is never an auction). MIN_INCREMENT_BPS,
 * EXTENSION_WINDOW, MIN_DURATION, MAX_DURATION and PUSH_GAS_LIMIT are
 * constants and take no storage slot.
 *
 * Storage layout (solc 0.8.28; inheritance ReentrancyGuard; checked by the
 * "storage layout matches the header" test):
 *
 * | slot | variable       | type                                               |
 * |------|----------------|----------------------------------------------------|
 * | 0    | _status        | uint256 (ReentrancyGuard)                          |
 * | 1    | _nextAuctionId | uint256 (starts at 1)                              |
 * | 2    | _auctions      | mapping(uint256 => Auction)                        |
 * | 3    | pendingReturns | mapping(address => uint256) (account => ETH owed)  |
 *
 * Auction `id` occupies 6 consecutive slots from base = keccak256(abi.encode(id, 2)):
 * base+0 seller, base+1 collection, base+2 tokenId, base+3 reservePrice,
 * base+4 highestBidder (bytes 0-19) | endTime uint64 (bytes 20-27) |
 *        settled (byte 28) | cancelled (byte 29),
 * base+5 highestBid.
 * pendingReturns[a]: keccak256(abi.encode(a, 3)).
 */
pragma solidity ^0.8.24;

import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC2981} from "@openzeppelin/contracts/interfaces/IERC2981.sol";
import {ERC165Checker} from "@openzeppelin/contracts/utils/introspection/ERC165Checker.sol";

/// @title English auctions of escrowed NFTs, paid in ETH, with anti-sniping and ERC-2981 royalties
/// @notice Create an auction by depositing an NFT; bid in ETH; anyone settles after the end.
contract NftAuctionHouse is ReentrancyGuard {
    /// @notice One auction.
    /// @param seller Account that deposited the token and receives the proceeds.
    /// @param collection ERC-721 contract of the token.
    /// @param tokenId Id of the escrowed token.
    /// @param reservePrice Minimum first bid, in wei.
    /// @param highestBidder Current highest bidder (address(0) while there is no bid).
    /// @param endTime Timestamp from which no bid is accepted and settle is allowed.
    /// @param settled True once settled.
    /// @param cancelled True once cancelled by the seller.
    /// @param highestBid Current highest bid in wei, held by the house until settlement.
    struct Auction {
        address seller;
        address collection;
        uint256 tokenId;
        uint256 reservePrice;
        address highestBidder;
        uint64 endTime;
        bool settled;
        bool cancelled;
        uint256 highestBid;
    }

    /// @notice Minimum raise over the highest bid, in basis points (5%).
    uint256 public constant MIN_INCREMENT_BPS = 500;

    /// @notice Basis-point denominator.
    uint256 public constant BPS_DENOMINATOR = 10_000;

    /// @notice A bid with less than this left extends the end to now + EXTENSION_WINDOW.
    uint256 public constant EXTENSION_WINDOW = 5 minutes;

    /// @notice Shortest allowed auction duration.
    uint256 public constant MIN_DURATION = 5 minutes;

    /// @notice Longest allowed auction duration.
    uint256 public constant MAX_DURATION = 30 days;

    /// @notice Gas forwarded with each ETH push (refunds, proceeds, royalties).
    uint256 public constant PUSH_GAS_LIMIT = 30_000;

    /// @dev Id the next auction receives.
    uint256 private _nextAuctionId;

    /// @dev auctionId => auction.
    mapping(uint256 => Auction) private _auctions;

    /// @notice ETH owed to accounts whose push payment (refund, proceeds, royalty) failed.
    mapping(address => uint256) public pendingReturns;

    /// @notice No auction has this id.
    /// @param auctionId Auction id.
    error AuctionNotFound(uint256 auctionId);

    /// @notice The auction is over: no more bids.
    /// @param auctionId Auction id.
    /// @param endTime Its end timestamp.
    error AuctionEnded(uint256 auctionId, uint256 endTime);

    /// @notice The auction is still running: it cannot be settled yet.
    /// @param auctionId Auction id.
    /// @param endTime Its end timestamp.
    error AuctionNotEnded(uint256 auctionId, uint256 endTime);

    /// @notice The bid is below the minimum.
    /// @param minimum Lowest acceptable bid, in wei.
    /// @param sent Bid sent, in wei.
    error BidTooLow(uint256 minimum, uint256 sent);

    /// @notice The auction was already settled.
    /// @param auctionId Auction id.
    error AlreadySettled(uint256 auctionId);

    /// @notice The auction was cancelled by its seller.
    /// @param auctionId Auction id.
    error AuctionWasCancelled(uint256 auctionId);

    /// @notice Only the seller may do this.
    /// @param auctionId Auction id.
    /// @param caller Account that tried.
    error NotSeller(uint256 auctionId, address caller);

    /// @notice The duration is out of bounds.
    /// @param duration Requested duration, in seconds.
    /// @param minDuration MIN_DURATION.
    /// @param maxDuration MAX_DURATION.
    error InvalidDuration(uint256 duration, uint256 minDuration, uint256 maxDuration);

    /// @notice The auction has a bid: it can no longer be cancelled.
    /// @param auctionId Auction id.
    /// @param highestBid Current highest bid.
    error HasBids(uint256 auctionId, uint256 highestBid);

    /// @notice The caller does not own the token.
    /// @param collection ERC-721 contract.
    /// @param tokenId Token id.
    /// @param caller Account that tried to auction it.
    error NotTokenOwner(address collection, uint256 tokenId, address caller);

    /// @notice The house is not approved to take the token.
    /// @param collection ERC-721 contract.
    /// @param tokenId Token id.
    error NotApproved(address collection, uint256 tokenId);

    /// @notice The seller cannot bid on its own auction.
    /// @param auctionId Auction id.
    error SellerCannotBid(uint256 auctionId);

    /// @notice There is nothing to withdraw.
    error NothingToWithdraw();

    /// @notice An address parameter was the zero address.
    error ZeroAddress();

    /// @notice An ETH transfer that must succeed failed.
    /// @param to Recipient.
    /// @param amount Wei.
    error TransferFailed(address to, uint256 amount);

    /// @notice An auction was created and its token escrowed.
    /// @param auctionId New auction id.
    /// @param seller Seller.
    /// @param collection ERC-721 contract.
    /// @param tokenId Token id.
    /// @param reservePrice Minimum first bid, in wei.
    /// @param endTime End timestamp.
    event AuctionCreated(
        uint256 indexed auctionId,
        address indexed seller,
        address indexed collection,
        uint256 tokenId,
        uint256 reservePrice,
        uint256 endTime
    );

    /// @notice A bid became the highest bid.
    /// @param auctionId Auction id.
    /// @param bidder Bidder.
    /// @param amount Bid, in wei.
    /// @param endTime End timestamp after this bid (extended if it came in the last window).
    event BidPlaced(uint256 indexed auctionId, address indexed bidder, uint256 amount, uint256 endTime);

    /// @notice A late bid pushed the end back (anti-sniping).
    /// @param auctionId Auction id.
    /// @param newEndTime New end timestamp.
    event AuctionExtended(uint256 indexed auctionId, uint256 newEndTime);

    /// @notice An auction was settled.
    /// @param auctionId Auction id.
    /// @param winner Winner (address(0) if there was no bid: the token went back to the seller).
    /// @param seller Seller.
    /// @param amount Winning bid (0 without bids).
    /// @param royalty Part of the winning bid paid (or credited) to the royalty receiver.
    event AuctionSettled(
        uint256 indexed auctionId,
        address indexed winner,
        address indexed seller,
        uint256 amount,
        uint256 royalty
    );

    /// @notice An auction without bids was cancelled and its token returned.
    /// @param auctionId Auction id.
    /// @param seller Seller.
    event AuctionCancelled(uint256 indexed auctionId, address indexed seller);

    /// @notice An ETH push failed and was credited to pendingReturns.
    /// @param account Account credited.
    /// @param amount Wei credited.
    event PaymentDeferred(address indexed account, uint256 amount);

    /// @notice An account withdrew its pending ETH.
    /// @param account Account whose credit was withdrawn.
    /// @param to Recipient of the ETH.
    /// @param amount Wei withdrawn.
    event PendingWithdrawn(address indexed account, address indexed to, uint256 amount);

    /// @notice Deploys an empty auction house.
    constructor() {
        _nextAuctionId = 1;
    }

    // ------------------------------------------------------------------
    // Auctions
    // ------------------------------------------------------------------

    /// @notice Escrows `tokenId` of `collection` and opens an auction ending in `duration` seconds.
    /// @dev The caller must own the token and have approved the house (approve or setApprovalForAll).
    /// @param collection ERC-721 contract.
    /// @param tokenId Token id.
    /// @param reservePrice Minimum first bid in wei (0 means any positive bid).
    /// @param duration Seconds from now, between MIN_DURATION and MAX_DURATION.
    /// @return auctionId Id of the new auction.
    function createAuction(
        address collection,
        uint256 tokenId,
        uint256 reservePrice,
        uint256 duration
    ) external nonReentrant returns (uint256 auctionId) {
        if (duration < MIN_DURATION || duration > MAX_DURATION) {
            revert InvalidDuration(duration, MIN_DURATION, MAX_DURATION);
        }
        IERC721 nft = IERC721(collection);
        if (nft.ownerOf(tokenId) != msg.sender) revert NotTokenOwner(collection, tokenId, msg.sender);
        if (!nft.isApprovedForAll(msg.sender, address(this)) && nft.getApproved(tokenId) != address(this)) {
            revert NotApproved(collection, tokenId);
        }

        auctionId = _nextAuctionId;
        _nextAuctionId = auctionId + 1;
        uint64 endTime = uint64(block.timestamp + duration);
        _auctions[auctionId] = Auction({
            seller: msg.sender,
            collection: collection,
            tokenId: tokenId,
            reservePrice: reservePrice,
            highestBidder: address(0),
            endTime: endTime,
            settled: false,
            cancelled: false,
            highestBid: 0
        });
        emit AuctionCreated(auctionId, msg.sender, collection, tokenId, reservePrice, endTime);

        nft.transferFrom(msg.sender, address(this), tokenId);
    }

    /// @notice Bids msg.value on an auction; refunds the previous highest bidder.
    /// @dev The first bid must be at least max(reservePrice, 1 wei); later bids at least
    ///      highestBid * (10000 + MIN_INCREMENT_BPS) / 10000 (and always above it). A bid with
    ///      less than EXTENSION_WINDOW left extends the end to now + EXTENSION_WINDOW. The refund
    ///      is pushed; if that fails it is credited to pendingReturns.
    /// @param auctionId Auction id.
    function bid(uint256 auctionId) external payable nonReentrant {
        Auction storage a = _open(auctionId);
        uint256 endTime = a.endTime;
        if (block.timestamp >= endTime) revert AuctionEnded(auctionId, endTime);
        if (msg.sender == a.seller) revert SellerCannotBid(auctionId);
        uint256 minimum = _minimumBid(a);
        if (msg.value < minimum) revert BidTooLow(minimum, msg.value);

        address previousBidder = a.highestBidder;
        uint256 previousBid = a.highestBid;
        a.highestBidder = msg.sender;
        a.highestBid = msg.value;
        bool extended = endTime - block.timestamp < EXTENSION_WINDOW;
        if (extended) {
            endTime = block.timestamp + EXTENSION_WINDOW;
            a.endTime = uint64(endTime);
        }
        emit BidPlaced(auctionId, msg.sender, msg.value, endTime);
        if (extended) emit AuctionExtended(auctionId, endTime);

        if (previousBidder != address(0)) _pushEth(previousBidder, previousBid);
    }

    /// @notice Settles an ended auction; anyone may call.
    /// @dev With a winner: token to the winner (transferFrom), royalty to the ERC-2981 receiver
    ///      (capped at the bid), the rest to the seller. Without bids: token back to the seller.
    /// @param auctionId Auction id.
    function settle(uint256 auctionId) external nonReentrant {
        Auction storage a = _open(auctionId);
        uint256 endTime = a.endTime;
        if (block.timestamp < endTime) revert AuctionNotEnded(auctionId, endTime);
        a.settled = true;

        address seller = a.seller;
        address collection = a.collection;
        uint256 tokenId = a.tokenId;
        address winner = a.highestBidder;
        if (winner == address(0)) {
            emit AuctionSettled(auctionId, address(0), seller, 0, 0);
            IERC721(collection).transferFrom(address(this), seller, tokenId);
            return;
        }
        uint256 amount = a.highestBid;
        (address royaltyReceiver, uint256 royalty) = _royalty(collection, tokenId, amount);
        emit AuctionSettled(auctionId, winner, seller, amount, royalty);

        IERC721(collection).transferFrom(address(this), winner, tokenId);
        _pushEth(royaltyReceiver, royalty);
        _pushEth(seller, amount - royalty);
    }

    /// @notice Cancels an auction that has no bid and returns the token; seller only.
    /// @param auctionId Auction id.
    function cancelAuction(uint256 auctionId) external nonReentrant {
        Auction storage a = _open(auctionId);
        if (a.seller != msg.sender) revert NotSeller(auctionId, msg.sender);
        if (a.highestBidder != address(0)) revert HasBids(auctionId, a.highestBid);
        a.cancelled = true;
        emit AuctionCancelled(auctionId, msg.sender);
        IERC721(a.collection).transferFrom(address(this), msg.sender, a.tokenId);
    }

    /// @notice Withdraws the caller's pending ETH to itself.
    function withdrawPending() external nonReentrant {
        _withdrawPending(payable(msg.sender));
    }

    /// @notice Withdraws the caller's pending ETH to another address (for accounts that reject ETH).
    /// @param to Recipient of the ETH.
    function withdrawPendingTo(address payable to) external nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        _withdrawPending(to);
    }

    // ------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------

    /// @notice Returns an auction (all-zero fields for an id never used).
    /// @param auctionId Auction id.
    /// @return The auction.
    function auction(uint256 auctionId) external view returns (Auction memory) {
        return _auctions[auctionId];
    }

    /// @notice Id the next auction will receive.
    /// @return The next auction id.
    function nextAuctionId() external view returns (uint256) {
        return _nextAuctionId;
    }

    /// @notice Lowest bid `bid(auctionId)` would accept now (ignoring the end time).
    /// @param auctionId Auction id.
    /// @return The minimum bid in wei.
    function minimumBid(uint256 auctionId) external view returns (uint256) {
        Auction storage a = _auctions[auctionId];
        if (a.seller == address(0)) revert AuctionNotFound(auctionId);
        return _minimumBid(a);
    }

    // ------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------

    /// @dev The auction, which must exist and be neither cancelled nor settled.
    function _open(uint256 auctionId) private view returns (Auction storage a) {
        a = _auctions[auctionId];
        if (a.seller == address(0)) revert AuctionNotFound(auctionId);
        if (a.cancelled) revert AuctionWasCancelled(auctionId);
        if (a.settled) revert AlreadySettled(auctionId);
    }

    function _minimumBid(Auction storage a) private view returns (uint256) {
        if (a.highestBidder == address(0)) {
            return a.reservePrice == 0 ? 1 : a.reservePrice;
        }
        uint256 current = a.highestBid;
        uint256 minimum = (current * (BPS_DENOMINATOR + MIN_INCREMENT_BPS)) / BPS_DENOMINATOR;
        return minimum > current ? minimum : current + 1;
    }

    /// @dev ERC-2981 royalty on `amount`, asked only if the collection reports ERC-2981;
    ///      a reverting royaltyInfo or a zero receiver means none; capped at `amount`.
    function _royalty(
        address collection,
        uint256 tokenId,
        uint256 amount
    ) private view returns (address receiver, uint256 royalty) {
        if (!ERC165Checker.supportsInterface(collection, type(IERC2981).interfaceId)) return (address(0), 0);
        try IERC2981(collection).royaltyInfo(tokenId, amount) returns (address r, uint256 value) {
            if (r != address(0) && value != 0) {
                receiver = r;
                royalty = value > amount ? amount : value;
            }
        } catch {}
    }

    /// @dev Pushes ETH with a gas stipend; on failure credits pendingReturns.
    function _pushEth(address to, uint256 amount) private {
        if (amount == 0) return;
        (bool ok, ) = to.call{value: amount, gas: PUSH_GAS_LIMIT}("");
        if (!ok) {
            pendingReturns[to] += amount;
            emit PaymentDeferred(to, amount);
        }
    }

    function _withdrawPending(address payable to) private {
        uint256 amount = pendingReturns[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        pendingReturns[msg.sender] = 0;
        (bool ok, ) = to.call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
        emit PendingWithdrawn(msg.sender, to, amount);
    }
}

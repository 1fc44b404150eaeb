// SPDX-License-Identifier: MIT
/*
 * NftMarketplace: a fixed-price, non-custodial NFT marketplace in the style of
 * the classic on-chain order books. A seller lists a token it owns at a price
 * in ETH (currency == address(0)) or in an ERC-20, keeping the token and
 * approving the marketplace as operator (`setApprovalForAll`). A buyer pays
 * the price; the sale splits it into the ERC-2981 royalty (paid to the
 * collection's royalty receiver, if the collection supports ERC-2981), the
 * protocol fee (accrued here for `feeRecipient`) and the seller's proceeds,
 * and moves the token from the seller to the buyer.
 *
 * Payments: ERC-20 prices are pulled from the buyer with SafeERC20 straight to
 * the royalty receiver and the seller (fee-on-transfer and rebasing tokens are
 * not supported). ETH royalties and proceeds are pushed with a gas stipend of
 * PUSH_GAS_LIMIT; if a push fails (the receiver reverts or burns the gas) the
 * amount is credited to `pendingWithdrawals[account]` and claimed later with
 * `withdrawPending` / `withdrawPendingTo`, so a hostile receiver can never
 * block a sale. A token may be listed several times; once it is sold (or
 * moved), its other listings fail with SellerNoLongerOwns.
 *
 * Hotspots (storage that many transactions write):
 *  - `accruedFees[currency]` (slot 5): EVERY buy in a currency adds its fee
 *    to the same entry. This pull-payment accumulator is deliberate (real
 *    marketplaces do it to save a transfer per sale) and makes all ETH buys
 *    conflict with each other, and all buys in a given ERC-20 too.
 *  - the marketplace's own ETH balance (account state): every ETH buy leaves
 *    its fee here; and the ERC-20's `_balances[marketplace]` entry: every
 *    ERC-20 buy transfers its fee to it.
 *  - `_nextListingId` (slot 3): every `list` reads and increments it.
 *  - `ReentrancyGuard._status` (slot 1): every buy / withdrawal writes it
 *    (1 -> 2 -> 1: the value is unchanged at the end but the slot is written).
 *  - `feeRecipient`/`protocolFeeBps` (slot 2) are read by every buy and only
 *    written by the owner.
 *  Listings, cancels and buys of different listings otherwise touch disjoint
 *  `_listings` entries.
 *
 * Listing ids start at 1 (0 is never a listing). MAX_PROTOCOL_FEE_BPS,
 * PUSH_GAS_LIMIT and BPS_DENOMINATOR are constants and take no storage slot.
 *
 * Storage layout (solc 0.8.28; inheritance Ownable, ReentrancyGuard; checked by
 * the "storage layout matches the header" test):
 *
 * | slot | variable           | type                                                   |
 * |------|--------------------|--------------------------------------------------------|
 * | 0    | _owner             | address (Ownable)                                      |
 * | 1    | _status            | uint256 (ReentrancyGuard)                              |
 * | 2    | feeRecipient       | address (bytes 0-19)                                   |
 * | 2    | protocolFeeBps     | uint96 (bytes 20-31, packed with feeRecipient)         |
 * | 3    | _nextListingId     | uint256 (starts at 1)                                  |
 * | 4    | _listings          | mapping(uint256 => Listing)                            |
 * | 5    | accruedFees        | mapping(address => uint256) (currency => fees)         |
 * | 6    | pendingWithdrawals | mapping(address => uint256) (account => ETH owed)      |
 *
 * Listing `id` occupies 6 consecutive slots from base = keccak256(abi.encode(id, 4)):
 * base+0 seller, base+1 collection, base+2 tokenId, base+3 currency,
 * base+4 price, base+5 active.
 * accruedFees[c]: keccak256(abi.encode(c, 5)); pendingWithdrawals[a]: keccak256(abi.encode(a, 6)).
 */
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC2981} from "@openzeppelin/contracts/interfaces/IERC2981.sol";
import {ERC165Checker} from "@openzeppelin/contracts/utils/introspection/ERC165Checker.sol";

/// @title Fixed-price NFT marketplace with ERC-2981 royalties and a protocol fee
/// @notice Sellers keep their NFTs until sold; prices in ETH or any ERC-20.
contract NftMarketplace is Ownable, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice A fixed-price offer to sell one token.
    /// @param seller Account that listed the token (and must still own it at sale).
    /// @param collection ERC-721 contract of the token.
    /// @param tokenId Id of the token in `collection`.
    /// @param currency address(0) for ETH, else the ERC-20 the price is paid in.
    /// @param price Full price paid by the buyer, in `currency` units.
    /// @param active True until the listing is sold or cancelled.
    struct Listing {
        address seller;
        address collection;
        uint256 tokenId;
        address currency;
        uint256 price;
        bool active;
    }

    /// @notice Highest protocol fee the owner may set, in basis points (10%).
    uint96 public constant MAX_PROTOCOL_FEE_BPS = 1_000;

    /// @notice Basis-point denominator of fees.
    uint256 public constant BPS_DENOMINATOR = 10_000;

    /// @notice Gas forwarded with each ETH push to a seller or royalty receiver.
    uint256 public constant PUSH_GAS_LIMIT = 30_000;

    /// @notice Receiver of the protocol fees (paid out by `withdrawFees`).
    address public feeRecipient;

    /// @notice Protocol fee taken from every sale, in basis points of the price.
    uint96 public protocolFeeBps;

    /// @dev Id the next listing receives.
    uint256 private _nextListingId;

    /// @dev listingId => listing.
    mapping(uint256 => Listing) private _listings;

    /// @notice Protocol fees accrued and not yet withdrawn, per currency (address(0) = ETH).
    mapping(address => uint256) public accruedFees;

    /// @notice ETH owed to accounts whose push payment failed.
    mapping(address => uint256) public pendingWithdrawals;

    /// @notice The caller does not own the token.
    /// @param collection ERC-721 contract.
    /// @param tokenId Token id.
    /// @param caller Account that tried to list it.
    error NotTokenOwner(address collection, uint256 tokenId, address caller);

    /// @notice The marketplace is not approved to move the token.
    /// @param collection ERC-721 contract.
    /// @param tokenId Token id.
    error NotApproved(address collection, uint256 tokenId);

    /// @notice The listing does not exist, was sold or was cancelled.
    /// @param listingId Listing id.
    error ListingNotActive(uint256 listingId);

    /// @notice The ETH sent does not match the listing (ERC-20 listings take no ETH).
    /// @param expected Wei that had to be sent.
    /// @param sent Wei actually sent.
    error WrongPayment(uint256 expected, uint256 sent);

    /// @notice Only the seller may do this.
    /// @param listingId Listing id.
    /// @param caller Account that tried.
    error NotSeller(uint256 listingId, address caller);

    /// @notice A listing price must be positive.
    error ZeroPrice();

    /// @notice The protocol fee exceeds MAX_PROTOCOL_FEE_BPS.
    /// @param bps Requested fee in basis points.
    /// @param maxBps Highest allowed fee in basis points.
    error FeeTooHigh(uint96 bps, uint96 maxBps);

    /// @notice The seller no longer owns the listed token.
    /// @param listingId Listing id.
    /// @param seller Seller of the listing.
    /// @param currentOwner Current owner of the token.
    error SellerNoLongerOwns(uint256 listingId, address seller, address currentOwner);

    /// @notice There is nothing to withdraw.
    error NothingToWithdraw();

    /// @notice An address parameter was the zero address.
    error ZeroAddress();

    /// @notice The currency is neither address(0) (ETH) nor a contract.
    /// @param currency The rejected currency address.
    error InvalidCurrency(address currency);

    /// @notice A seller cannot buy its own listing.
    /// @param listingId Listing id.
    error BuyerIsSeller(uint256 listingId);

    /// @notice An ETH transfer that must succeed failed.
    /// @param to Recipient.
    /// @param amount Wei.
    error TransferFailed(address to, uint256 amount);

    /// @notice A token was listed for sale.
    /// @param listingId New listing id.
    /// @param seller Seller.
    /// @param collection ERC-721 contract.
    /// @param tokenId Token id.
    /// @param currency address(0) for ETH, else the ERC-20.
    /// @param price Price in `currency` units.
    event Listed(
        uint256 indexed listingId,
        address indexed seller,
        address indexed collection,
        uint256 tokenId,
        address currency,
        uint256 price
    );

    /// @notice A listing was cancelled by its seller.
    /// @param listingId Listing id.
    /// @param seller Seller.
    event Cancelled(uint256 indexed listingId, address indexed seller);

    /// @notice A listing was bought.
    /// @param listingId Listing id.
    /// @param buyer Buyer (new owner of the token).
    /// @param seller Seller.
    /// @param price Full price paid.
    /// @param royalty Part of the price paid (or credited) to the royalty receiver.
    /// @param fee Part of the price accrued as protocol fee.
    event Sold(
        uint256 indexed listingId,
        address indexed buyer,
        address indexed seller,
        uint256 price,
        uint256 royalty,
        uint256 fee
    );

    /// @notice An ETH push failed and was credited to pendingWithdrawals.
    /// @param account Account credited.
    /// @param amount Wei credited.
    event PaymentDeferred(address indexed account, uint256 amount);

    /// @notice An account withdrew its pending ETH.
    /// @param account Account whose credit was withdrawn.
    /// @param to Recipient of the ETH.
    /// @param amount Wei withdrawn.
    event PendingWithdrawn(address indexed account, address indexed to, uint256 amount);

    /// @notice Accrued protocol fees were sent to the fee recipient.
    /// @param currency address(0) for ETH, else the ERC-20.
    /// @param recipient Fee recipient.
    /// @param amount Amount sent.
    event FeesWithdrawn(address indexed currency, address indexed recipient, uint256 amount);

    /// @notice The protocol fee changed.
    /// @param oldBps Previous fee in basis points.
    /// @param newBps New fee in basis points.
    event ProtocolFeeUpdated(uint96 oldBps, uint96 newBps);

    /// @notice The fee recipient changed.
    /// @param oldRecipient Previous recipient.
    /// @param newRecipient New recipient.
    event FeeRecipientUpdated(address indexed oldRecipient, address indexed newRecipient);

    /// @notice Deploys the marketplace; the deployer becomes its owner.
    /// @param feeRecipient_ Receiver of protocol fees.
    /// @param protocolFeeBps_ Protocol fee in basis points, at most MAX_PROTOCOL_FEE_BPS.
    constructor(address feeRecipient_, uint96 protocolFeeBps_) Ownable(msg.sender) {
        if (feeRecipient_ == address(0)) revert ZeroAddress();
        if (protocolFeeBps_ > MAX_PROTOCOL_FEE_BPS) revert FeeTooHigh(protocolFeeBps_, MAX_PROTOCOL_FEE_BPS);
        feeRecipient = feeRecipient_;
        protocolFeeBps = protocolFeeBps_;
        _nextListingId = 1;
    }

    // ------------------------------------------------------------------
    // Listings
    // ------------------------------------------------------------------

    /// @notice Lists `tokenId` of `collection` for sale at `price` in `currency`.
    /// @dev The caller must own the token and have approved the marketplace
    ///      (setApprovalForAll, or approve for this token). The token stays with the seller.
    /// @param collection ERC-721 contract.
    /// @param tokenId Token id.
    /// @param currency address(0) for ETH, else an ERC-20 contract.
    /// @param price Price in `currency` units (> 0).
    /// @return listingId Id of the new listing.
    function list(
        address collection,
        uint256 tokenId,
        address currency,
        uint256 price
    ) external returns (uint256 listingId) {
        if (price == 0) revert ZeroPrice();
        if (currency != address(0) && currency.code.length == 0) revert InvalidCurrency(currency);
        if (IERC721(collection).ownerOf(tokenId) != msg.sender) {
            revert NotTokenOwner(collection, tokenId, msg.sender);
        }
        if (!_isApproved(collection, tokenId, msg.sender)) revert NotApproved(collection, tokenId);

        listingId = _nextListingId;
        _nextListingId = listingId + 1;
        _listings[listingId] = Listing({
            seller: msg.sender,
            collection: collection,
            tokenId: tokenId,
            currency: currency,
            price: price,
            active: true
        });
        emit Listed(listingId, msg.sender, collection, tokenId, currency, price);
    }

    /// @notice Cancels an active listing; seller only.
    /// @param listingId Listing id.
    function cancel(uint256 listingId) external {
        Listing storage l = _listings[listingId];
        if (!l.active) revert ListingNotActive(listingId);
        if (l.seller != msg.sender) revert NotSeller(listingId, msg.sender);
        l.active = false;
        emit Cancelled(listingId, msg.sender);
    }

    /// @notice Buys an active listing: pays royalty, protocol fee and seller, and takes the token.
    /// @dev ETH listings: msg.value must equal the price. ERC-20 listings: no ETH; the price is
    ///      pulled from the caller, who must have approved the marketplace for it. Reverts with
    ///      SellerNoLongerOwns if the seller moved the token, NotApproved if it revoked the
    ///      marketplace. The token is moved with safeTransferFrom (a contract buyer must
    ///      implement IERC721Receiver).
    /// @param listingId Listing id.
    function buy(uint256 listingId) external payable nonReentrant {
        Listing storage l = _listings[listingId];
        if (!l.active) revert ListingNotActive(listingId);
        address seller = l.seller;
        if (seller == msg.sender) revert BuyerIsSeller(listingId);
        address collection = l.collection;
        uint256 tokenId = l.tokenId;
        address currency = l.currency;
        uint256 price = l.price;

        address currentOwner = IERC721(collection).ownerOf(tokenId);
        if (currentOwner != seller) revert SellerNoLongerOwns(listingId, seller, currentOwner);
        if (!_isApproved(collection, tokenId, seller)) revert NotApproved(collection, tokenId);
        uint256 expectedValue = currency == address(0) ? price : 0;
        if (msg.value != expectedValue) revert WrongPayment(expectedValue, msg.value);

        (uint256 fee, address royaltyReceiver, uint256 royalty, uint256 proceeds) = _split(
            collection,
            tokenId,
            price
        );

        // Effects.
        l.active = false;
        accruedFees[currency] += fee;
        emit Sold(listingId, msg.sender, seller, price, royalty, fee);

        // Interactions.
        IERC721(collection).safeTransferFrom(seller, msg.sender, tokenId);
        if (currency == address(0)) {
            _pushEth(royaltyReceiver, royalty);
            _pushEth(seller, proceeds);
        } else {
            IERC20 token = IERC20(currency);
            if (royalty != 0) token.safeTransferFrom(msg.sender, royaltyReceiver, royalty);
            if (proceeds != 0) token.safeTransferFrom(msg.sender, seller, proceeds);
            if (fee != 0) token.safeTransferFrom(msg.sender, address(this), fee);
        }
    }

    // ------------------------------------------------------------------
    // Withdrawals
    // ------------------------------------------------------------------

    /// @notice Sends all accrued fees in `currency` to `feeRecipient`; anyone may call.
    /// @param currency address(0) for ETH, else the ERC-20.
    function withdrawFees(address currency) external nonReentrant {
        uint256 amount = accruedFees[currency];
        if (amount == 0) revert NothingToWithdraw();
        accruedFees[currency] = 0;
        address recipient = feeRecipient;
        if (currency == address(0)) {
            (bool ok, ) = recipient.call{value: amount}("");
            if (!ok) revert TransferFailed(recipient, amount);
        } else {
            IERC20(currency).safeTransfer(recipient, amount);
        }
        emit FeesWithdrawn(currency, recipient, amount);
    }

    /// @notice Withdraws the caller's pending ETH (failed royalty / proceeds pushes) to itself.
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
    // Owner administration
    // ------------------------------------------------------------------

    /// @notice Owner only: sets the protocol fee.
    /// @param bps New fee in basis points, at most MAX_PROTOCOL_FEE_BPS.
    function setProtocolFee(uint96 bps) external onlyOwner {
        if (bps > MAX_PROTOCOL_FEE_BPS) revert FeeTooHigh(bps, MAX_PROTOCOL_FEE_BPS);
        emit ProtocolFeeUpdated(protocolFeeBps, bps);
        protocolFeeBps = bps;
    }

    /// @notice Owner only: sets the receiver of protocol fees.
    /// @param recipient New fee recipient.
    function setFeeRecipient(address recipient) external onlyOwner {
        if (recipient == address(0)) revert ZeroAddress();
        emit FeeRecipientUpdated(feeRecipient, recipient);
        feeRecipient = recipient;
    }

    // ------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------

    /// @notice Returns a listing (all-zero fields for an id never used).
    /// @param listingId Listing id.
    /// @return The listing.
    function listing(uint256 listingId) external view returns (Listing memory) {
        return _listings[listingId];
    }

    /// @notice Id the next listing will receive.
    /// @return The next listing id.
    function nextListingId() external view returns (uint256) {
        return _nextListingId;
    }

    /// @notice Whether `buy(listingId)` would pass the listing checks right now.
    /// @param listingId Listing id.
    /// @return True if active, still owned by the seller and still approved.
    function isBuyable(uint256 listingId) external view returns (bool) {
        Listing storage l = _listings[listingId];
        if (!l.active) return false;
        (bool ok, bytes memory ret) = l.collection.staticcall(
            abi.encodeCall(IERC721.ownerOf, (l.tokenId))
        );
        if (!ok || ret.length < 32 || abi.decode(ret, (address)) != l.seller) return false;
        return _isApproved(l.collection, l.tokenId, l.seller);
    }

    /// @notice How a sale of `listingId` would split its price.
    /// @param listingId Listing id.
    /// @return fee Protocol fee.
    /// @return royaltyReceiver Royalty receiver (address(0) if no royalty).
    /// @return royalty Royalty amount.
    /// @return proceeds Amount the seller receives.
    function quote(
        uint256 listingId
    ) external view returns (uint256 fee, address royaltyReceiver, uint256 royalty, uint256 proceeds) {
        Listing storage l = _listings[listingId];
        return _split(l.collection, l.tokenId, l.price);
    }

    // ------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------

    function _isApproved(address collection, uint256 tokenId, address owner_) private view returns (bool) {
        return
            IERC721(collection).isApprovedForAll(owner_, address(this)) ||
            IERC721(collection).getApproved(tokenId) == address(this);
    }

    /// @dev Fee = price * protocolFeeBps / 10000. The royalty is asked from the collection
    ///      only if it reports ERC-2981 support; a reverting royaltyInfo, a zero receiver or a
    ///      zero amount means no royalty, and the royalty is capped at price - fee.
    function _split(
        address collection,
        uint256 tokenId,
        uint256 price
    ) private view returns (uint256 fee, address royaltyReceiver, uint256 royalty, uint256 proceeds) {
        fee = (price * protocolFeeBps) / BPS_DENOMINATOR;
        if (ERC165Checker.supportsInterface(collection, type(IERC2981).interfaceId)) {
            try IERC2981(collection).royaltyInfo(tokenId, price) returns (address receiver, uint256 amount) {
                if (receiver != address(0) && amount != 0) {
                    royaltyReceiver = receiver;
                    royalty = amount > price - fee ? price - fee : amount;
                }
            } catch {}
        }
        proceeds = price - fee - royalty;
    }

    /// @dev Pushes ETH with a gas stipend; on failure credits pendingWithdrawals.
    function _pushEth(address to, uint256 amount) private {
        if (amount == 0) return;
        (bool ok, ) = to.call{value: amount, gas: PUSH_GAS_LIMIT}("");
        if (!ok) {
            pendingWithdrawals[to] += amount;
            emit PaymentDeferred(to, amount);
        }
    }

    function _withdrawPending(address payable to) private {
        uint256 amount = pendingWithdrawals[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        pendingWithdrawals[msg.sender] = 0;
        (bool ok, ) = to.call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
        emit PendingWithdrawn(msg.sender, to, amount);
    }
}

// SPDX-License-Identifier: MIT
/*
 * NftCollection: a capped, paid-mint ERC-721 collection with ERC-2981
 * royalties, the kind of "PFP drop" contract that floods a chain on mint day.
 * Token ids are sequential (1, 2, 3, ...) from one counter; anyone can mint by
 * paying `mintPrice` per token, the owner can mint for free (workload setup),
 * withdraw the mint proceeds and change the default royalty and base URI.
 *
 * Hotspots (storage that many transactions write):
 *  - `_nextTokenId` (slot 9): EVERY mint, mintBatch and ownerMint reads and
 *    increments it, so all mints conflict with each other whoever the minters
 *    are. This is the natural serialisation point of a mint-day block.
 *  - the collection's own ETH balance (account state, not a slot): every paid
 *    mint adds to it, so paid mints also conflict on the contract's balance.
 *  - `_balances[to]` (slot 3): mints or transfers to the same account.
 *  Transfers of different tokens between different accounts touch disjoint
 *  `_owners` / `_balances` / `_tokenApprovals` entries and run in parallel.
 *
 * `mint` uses `_safeMint` (a contract recipient must implement
 * IERC721Receiver; the counter is advanced before the callback, so a
 * re-entrant mint simply gets the next id). `mintBatch` and `ownerMint` use
 * `_mint` to save the per-token receiver callback: a contract that mints in
 * batch must be able to handle the tokens itself.
 *
 * `maxSupply` and `mintPrice` are immutables and MAX_ROYALTY_BPS a constant:
 * they live in the code and take no storage slot.
 *
 * Storage layout (solc 0.8.28; inheritance ERC721, ERC2981, Ownable; checked
 * by the "storage layout matches the header" test):
 *
 * | slot | variable            | type                                                        |
 * |------|---------------------|-------------------------------------------------------------|
 * | 0    | _name               | string (ERC721)                                             |
 * | 1    | _symbol             | string (ERC721)                                             |
 * | 2    | _owners             | mapping(uint256 => address) (ERC721)                        |
 * | 3    | _balances           | mapping(address => uint256) (ERC721)                        |
 * | 4    | _tokenApprovals     | mapping(uint256 => address) (ERC721)                        |
 * | 5    | _operatorApprovals  | mapping(address => mapping(address => bool)) (ERC721)       |
 * | 6    | _defaultRoyaltyInfo | struct RoyaltyInfo (ERC2981), one packed slot (see below)   |
 * | 7    | _tokenRoyaltyInfo   | mapping(uint256 => RoyaltyInfo) (ERC2981, unused here)      |
 * | 8    | _owner              | address (Ownable)                                           |
 * | 9    | _nextTokenId        | uint256 (starts at 1)                                       |
 * | 10   | _baseTokenURI       | string                                                      |
 *
 * Slot 6 packs RoyaltyInfo.receiver (address, bytes 0-19) and
 * RoyaltyInfo.royaltyFraction (uint96 bps, bytes 20-31).
 * Owner of token `id`: keccak256(abi.encode(id, 2)).
 * Balance of `a`: keccak256(abi.encode(a, 3)).
 * Operator approval of `op` by `owner`:
 *   keccak256(abi.encode(op, keccak256(abi.encode(owner, 5)))).
 */
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC2981} from "@openzeppelin/contracts/token/common/ERC2981.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title Capped, paid-mint ERC-721 collection with ERC-2981 royalties
/// @notice Sequential token ids starting at 1; `mintPrice` wei per token; the
///         owner collects the mint proceeds and manages royalties.
contract NftCollection is ERC721, ERC2981, Ownable {
    /// @notice Highest royalty the owner may configure, in basis points (10%).
    uint96 public constant MAX_ROYALTY_BPS = 1_000;

    /// @notice Maximum number of tokens that can ever be minted.
    uint256 public immutable maxSupply;

    /// @notice Price of one token for `mint` / `mintBatch`, in wei.
    uint256 public immutable mintPrice;

    /// @dev Id the next minted token receives; totalMinted() == _nextTokenId - 1.
    uint256 private _nextTokenId;

    /// @dev Prefix of every tokenURI; empty means tokenURI returns "".
    string private _baseTokenURI;

    /// @notice A mint would exceed the supply cap.
    /// @param requested Number of tokens asked for.
    /// @param remaining Number of tokens still mintable.
    error SupplyCapExceeded(uint256 requested, uint256 remaining);

    /// @notice The ETH sent does not equal the price due.
    /// @param expected Wei that had to be sent.
    /// @param sent Wei actually sent.
    error WrongPayment(uint256 expected, uint256 sent);

    /// @notice A batch of zero tokens was requested.
    error ZeroQuantity();

    /// @notice The collection was deployed with a zero supply cap.
    error ZeroMaxSupply();

    /// @notice The royalty exceeds MAX_ROYALTY_BPS.
    /// @param bps Royalty asked for, in basis points.
    /// @param maxBps Highest allowed royalty, in basis points.
    error RoyaltyTooHigh(uint96 bps, uint96 maxBps);

    /// @notice A royalty was requested for the zero address.
    /// @param bps Royalty asked for, in basis points (non-zero).
    error RoyaltyReceiverIsZero(uint96 bps);

    /// @notice `withdraw` was asked to send to the zero address.
    error ZeroAddress();

    /// @notice The contract holds no mint proceeds.
    error NothingToWithdraw();

    /// @notice Sending the proceeds failed.
    /// @param to Recipient that rejected the ETH.
    /// @param amount Wei that could not be sent.
    error WithdrawFailed(address to, uint256 amount);

    /// @notice Mint proceeds were sent out by the owner.
    /// @param to Recipient of the proceeds.
    /// @param amount Wei sent.
    event Withdrawn(address indexed to, uint256 amount);

    /// @notice The default royalty changed (receiver zero and bps zero = no royalty).
    /// @param receiver New royalty receiver.
    /// @param bps New royalty, in basis points of the sale price.
    event RoyaltyUpdated(address indexed receiver, uint96 bps);

    /// @notice The base of every tokenURI changed.
    /// @param newBaseURI New base URI; tokenURI(id) = newBaseURI + id.
    event BaseURIUpdated(string newBaseURI);

    /// @notice Deploys the collection; the deployer becomes its owner.
    /// @dev A zero `royaltyReceiver` with zero `royaltyBps` deploys without royalty.
    /// @param name_ Collection name.
    /// @param symbol_ Collection symbol.
    /// @param maxSupply_ Supply cap (> 0).
    /// @param mintPrice_ Price per token in wei (may be zero: free mint).
    /// @param royaltyReceiver Receiver of the ERC-2981 royalty.
    /// @param royaltyBps Royalty in basis points, at most MAX_ROYALTY_BPS.
    constructor(
        string memory name_,
        string memory symbol_,
        uint256 maxSupply_,
        uint256 mintPrice_,
        address royaltyReceiver,
        uint96 royaltyBps
    ) ERC721(name_, symbol_) Ownable(msg.sender) {
        if (maxSupply_ == 0) revert ZeroMaxSupply();
        maxSupply = maxSupply_;
        mintPrice = mintPrice_;
        _nextTokenId = 1;
        _setRoyalty(royaltyReceiver, royaltyBps);
    }

    // ------------------------------------------------------------------
    // Minting
    // ------------------------------------------------------------------

    /// @notice Mints one token to `to` for exactly `mintPrice` wei.
    /// @dev Uses `_safeMint`: a contract recipient must implement IERC721Receiver.
    /// @param to Recipient of the token.
    /// @return tokenId Id of the minted token.
    function mint(address to) external payable returns (uint256 tokenId) {
        _checkSupply(1);
        if (msg.value != mintPrice) revert WrongPayment(mintPrice, msg.value);
        tokenId = _reserve(1);
        _safeMint(to, tokenId);
    }

    /// @notice Mints `quantity` consecutive tokens to `to` for `mintPrice * quantity` wei.
    /// @dev Uses `_mint` (no IERC721Receiver callback) to keep batch gas low.
    /// @param to Recipient of the tokens.
    /// @param quantity Number of tokens (> 0).
    /// @return firstTokenId Id of the first token; the others follow consecutively.
    function mintBatch(address to, uint256 quantity) external payable returns (uint256 firstTokenId) {
        if (quantity == 0) revert ZeroQuantity();
        _checkSupply(quantity);
        uint256 expected = mintPrice * quantity;
        if (msg.value != expected) revert WrongPayment(expected, msg.value);
        firstTokenId = _reserve(quantity);
        _mintRange(to, firstTokenId, quantity);
    }

    /// @notice Owner only: mints `quantity` consecutive tokens to `to` for free.
    /// @dev Uses `_mint` (no IERC721Receiver callback); meant for workload setup.
    /// @param to Recipient of the tokens.
    /// @param quantity Number of tokens (> 0).
    /// @return firstTokenId Id of the first token; the others follow consecutively.
    function ownerMint(address to, uint256 quantity) external onlyOwner returns (uint256 firstTokenId) {
        if (quantity == 0) revert ZeroQuantity();
        _checkSupply(quantity);
        firstTokenId = _reserve(quantity);
        _mintRange(to, firstTokenId, quantity);
    }

    // ------------------------------------------------------------------
    // Owner administration
    // ------------------------------------------------------------------

    /// @notice Owner only: sends all mint proceeds held by the contract to `to`.
    /// @param to Recipient of the proceeds.
    function withdraw(address payable to) external onlyOwner {
        if (to == address(0)) revert ZeroAddress();
        uint256 amount = address(this).balance;
        if (amount == 0) revert NothingToWithdraw();
        (bool ok, ) = to.call{value: amount}("");
        if (!ok) revert WithdrawFailed(to, amount);
        emit Withdrawn(to, amount);
    }

    /// @notice Owner only: sets the default ERC-2981 royalty of every token.
    /// @dev `receiver == address(0)` with `bps == 0` removes the royalty.
    /// @param receiver Royalty receiver.
    /// @param bps Royalty in basis points of the sale price, at most MAX_ROYALTY_BPS.
    function setRoyalty(address receiver, uint96 bps) external onlyOwner {
        _setRoyalty(receiver, bps);
    }

    /// @notice Owner only: sets the prefix of every token URI.
    /// @param newBaseURI New base URI; tokenURI(id) becomes newBaseURI followed by the decimal id.
    function setBaseURI(string calldata newBaseURI) external onlyOwner {
        _baseTokenURI = newBaseURI;
        emit BaseURIUpdated(newBaseURI);
    }

    // ------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------

    /// @notice Number of tokens minted so far (ids 1..totalMinted exist).
    /// @return The count of minted tokens.
    function totalMinted() external view returns (uint256) {
        return _nextTokenId - 1;
    }

    /// @notice Id the next minted token will receive.
    /// @return The next token id.
    function nextTokenId() external view returns (uint256) {
        return _nextTokenId;
    }

    /// @notice Number of tokens that can still be minted.
    /// @return maxSupply minus the tokens minted so far.
    function remainingSupply() external view returns (uint256) {
        return maxSupply - (_nextTokenId - 1);
    }

    /// @notice The base URI used by tokenURI.
    /// @return The current base URI (possibly empty).
    function baseURI() external view returns (string memory) {
        return _baseTokenURI;
    }

    /// @notice ERC-165: true for ERC-721, ERC-721 Metadata, ERC-2981 and ERC-165.
    /// @param interfaceId The interface identifier to test.
    /// @return Whether the interface is supported.
    function supportsInterface(bytes4 interfaceId) public view override(ERC721, ERC2981) returns (bool) {
        return ERC721.supportsInterface(interfaceId) || ERC2981.supportsInterface(interfaceId);
    }

    // ------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------

    function _baseURI() internal view override returns (string memory) {
        return _baseTokenURI;
    }

    function _checkSupply(uint256 quantity) private view {
        uint256 remaining = maxSupply - (_nextTokenId - 1);
        if (quantity > remaining) revert SupplyCapExceeded(quantity, remaining);
    }

    /// @dev Advances the counter by `quantity` (already checked against the cap)
    ///      before any token is minted, and returns the first id.
    function _reserve(uint256 quantity) private returns (uint256 first) {
        first = _nextTokenId;
        _nextTokenId = first + quantity;
    }

    function _mintRange(address to, uint256 first, uint256 quantity) private {
        uint256 end = first + quantity;
        for (uint256 id = first; id < end; ++id) {
            _mint(to, id);
        }
    }

    function _setRoyalty(address receiver, uint96 bps) private {
        if (bps > MAX_ROYALTY_BPS) revert RoyaltyTooHigh(bps, MAX_ROYALTY_BPS);
        if (receiver == address(0)) {
            if (bps != 0) revert RoyaltyReceiverIsZero(bps);
            _deleteDefaultRoyalty();
        } else {
            _setDefaultRoyalty(receiver, bps);
        }
        emit RoyaltyUpdated(receiver, bps);
    }
}

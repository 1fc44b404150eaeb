// SPDX-License-Identifier: MIT
/*
 * NftMockCollection: TEST ONLY. An ERC-721 with free, unrestricted minting of
 * chosen ids and a switchable ERC-2981 behaviour, to exercise how the NFT
 * marketplace and auction house treat collections whose royalties are absent
 * or misbehave:
 *  - NoErc2981: supportsInterface(IERC2981) is false (royaltyInfo still exists
 *    but must not be called);
 *  - Excessive: royaltyInfo asks for twice the sale price (must be capped);
 *  - Reverting: claims ERC-2981 but royaltyInfo reverts (must mean no royalty).
 *
 * Storage layout (solc 0.8.28; inheritance ERC721):
 *
 * | slot | variable           | type                                          |
 * |------|--------------------|-----------------------------------------------|
 * | 0    | _name              | string (ERC721)                               |
 * | 1    | _symbol            | string (ERC721)                               |
 * | 2    | _owners            | mapping(uint256 => address) (ERC721)          |
 * | 3    | _balances          | mapping(address => uint256) (ERC721)          |
 * | 4    | _tokenApprovals    | mapping(uint256 => address) (ERC721)          |
 * | 5    | _operatorApprovals | mapping(address => mapping(address => bool))  |
 * | 6    | royaltyMode        | enum RoyaltyMode (uint8, bytes 0)             |
 * | 6    | royaltyReceiver    | address (bytes 1-20, packed)                  |
 */
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IERC2981} from "@openzeppelin/contracts/interfaces/IERC2981.sol";

/// @title Test-only ERC-721 with configurable (mis)behaving royalties
/// @notice Anyone can mint any id; royalties follow `royaltyMode`.
contract NftMockCollection is ERC721 {
    /// @notice How the collection answers ERC-2981 queries.
    enum RoyaltyMode {
        NoErc2981,
        Excessive,
        Reverting
    }

    /// @notice Current royalty behaviour.
    RoyaltyMode public royaltyMode;

    /// @notice Receiver reported by royaltyInfo.
    address public royaltyReceiver;

    /// @notice royaltyInfo was called in Reverting mode.
    error RoyaltyQueryFailed();

    /// @notice Deploys the mock.
    /// @param mode Royalty behaviour.
    /// @param receiver Receiver reported by royaltyInfo.
    constructor(RoyaltyMode mode, address receiver) ERC721("Mock", "MOCK") {
        royaltyMode = mode;
        royaltyReceiver = receiver;
    }

    /// @notice Mints `tokenId` to `to` (anyone, test only).
    /// @param to Recipient.
    /// @param tokenId Id to mint.
    function mint(address to, uint256 tokenId) external {
        _mint(to, tokenId);
    }

    /// @notice Reports a royalty according to `royaltyMode`.
    /// @param salePrice Sale price.
    /// @return receiver The royalty receiver.
    /// @return amount Twice the sale price (Excessive and NoErc2981 modes).
    function royaltyInfo(uint256, uint256 salePrice) external view returns (address receiver, uint256 amount) {
        if (royaltyMode == RoyaltyMode.Reverting) revert RoyaltyQueryFailed();
        return (royaltyReceiver, salePrice * 2);
    }

    /// @notice ERC-165; claims ERC-2981 except in NoErc2981 mode.
    /// @param interfaceId Interface to test.
    /// @return Whether it is supported.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        if (interfaceId == type(IERC2981).interfaceId) return royaltyMode != RoyaltyMode.NoErc2981;
        return super.supportsInterface(interfaceId);
    }
}

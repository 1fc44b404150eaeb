// SPDX-License-Identifier: MIT
/*
 * SimplePriceOracle: an owner-fed price table, the stand-in for a Chainlink-
 * style feed. One entry per asset: the USD price of one whole token, scaled by
 * 1e18 (a 6-decimal stablecoin at $1 is 1e18, an 18-decimal ether at $2000 is
 * 2000e18). The USD value (1e18-scaled) of `amount` base units is
 * `price * amount / 10**decimals`.
 *
 * Hotspots: `_prices[asset]` is written only by `setPrice`, but it is READ by
 * every LendingPool borrow, withdraw-with-debt and liquidation that involves
 * the asset (health checks price every market the account uses). A price
 * update in a block therefore conflicts with all those pool transactions that
 * come after it: the classic "oracle update" dependency. Reads never conflict
 * with each other.
 *
 * Storage layout (solc 0.8.28; checked against the compiler's
 * `storageLayout` output and by test/contracts/lending/storage-layout.test.ts):
 *
 * | slot | variable | type                                  |
 * |------|----------|---------------------------------------|
 * | 0    | _owner   | address (Ownable)                     |
 * | 1    | _prices  | mapping(address => uint256)           |
 *
 * Price of `asset`: keccak256(abi.encode(asset, 1)).
 * No immutables or constants.
 */
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IPriceOracle} from "./LendingInterfaces.sol";

/// @title Owner-set USD price table
/// @notice The deployer owns the oracle and is the only account allowed to set prices.
contract SimplePriceOracle is Ownable, IPriceOracle {
    mapping(address asset => uint256 price) private _prices;

    /// @notice A new price was set for `asset` (0 clears it).
    /// @param asset The token whose price changed.
    /// @param price The new USD price of one whole token, 1e18-scaled.
    event PriceSet(address indexed asset, uint256 price);

    /// @notice No price is known for `asset` (never set, or set to 0).
    /// @param asset The token whose price was requested.
    error PriceNotSet(address asset);

    /// @notice Deploys an empty price table owned by the deployer.
    constructor() Ownable(msg.sender) {}

    /// @notice Sets the USD price of one whole `asset` token.
    /// @dev Owner only. A price of 0 clears the entry, after which `getPrice` reverts.
    /// @param asset The token to price.
    /// @param price USD per whole token, 1e18-scaled (e.g. 2000e18 for $2000).
    function setPrice(address asset, uint256 price) external onlyOwner {
        _prices[asset] = price;
        emit PriceSet(asset, price);
    }

    /// @notice Price of one whole `asset` token in USD, scaled by 1e18.
    /// @dev Reverts with PriceNotSet(asset) when the stored price is 0.
    /// @param asset The token whose price is requested.
    /// @return The price, 1e18-scaled.
    function getPrice(address asset) external view returns (uint256) {
        uint256 price = _prices[asset];
        if (price == 0) revert PriceNotSet(asset);
        return price;
    }
}

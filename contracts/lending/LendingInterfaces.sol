// SPDX-License-Identifier: MIT
/*
 * LendingInterfaces: the two narrow interfaces LendingPool talks to.
 *
 * - IPriceOracle: USD price of one whole token (1e18-scaled), as served by
 *   SimplePriceOracle.
 * - IRateModel: the interest-rate curve of a market, as served by
 *   KinkedRateModel.
 *
 * Hotspots: none here (interfaces hold no state). The oracle's price entries
 * are read by every health check of the pool; see SimplePriceOracle.
 *
 * Storage layout: interfaces have no storage.
 *
 * | slot | variable | type |
 * |------|----------|------|
 * | -    | (none)   | -    |
 */
pragma solidity ^0.8.24;

/// @title Price source of the lending pool
/// @notice Prices are USD per whole token, scaled by 1e18: the USD value
///         (1e18-scaled) of `amount` base units is `price * amount / 10**decimals`.
interface IPriceOracle {
    /// @notice Price of one whole `asset` token in USD, scaled by 1e18.
    /// @dev Implementations revert when no price is known instead of returning 0.
    /// @param asset The token whose price is requested.
    /// @return The price, 1e18-scaled.
    function getPrice(address asset) external view returns (uint256);
}

/// @title Interest-rate curve of a lending market
/// @notice All rates and ratios are 1e18-scaled; rates are per block.
interface IRateModel {
    /// @notice Fraction of the suppliers' assets that is lent out.
    /// @param cash Tokens held by the market and not lent out.
    /// @param borrows Outstanding debt of the market, interest included.
    /// @param reserves Part of cash + borrows that belongs to the protocol.
    /// @return The utilization, 1e18-scaled, in [0, 1e18].
    function utilizationRate(uint256 cash, uint256 borrows, uint256 reserves) external pure returns (uint256);

    /// @notice Interest rate charged to borrowers per block.
    /// @param cash Tokens held by the market and not lent out.
    /// @param borrows Outstanding debt of the market, interest included.
    /// @param reserves Part of cash + borrows that belongs to the protocol.
    /// @return The borrow rate per block, 1e18-scaled.
    function borrowRatePerBlock(uint256 cash, uint256 borrows, uint256 reserves) external view returns (uint256);

    /// @notice Interest rate earned by suppliers per block.
    /// @param cash Tokens held by the market and not lent out.
    /// @param borrows Outstanding debt of the market, interest included.
    /// @param reserves Part of cash + borrows that belongs to the protocol.
    /// @param reserveFactor Share of the interest kept as reserves, 1e18-scaled.
    /// @return The supply rate per block, 1e18-scaled.
    function supplyRatePerBlock(uint256 cash, uint256 borrows, uint256 reserves, uint256 reserveFactor)
        external
        view
        returns (uint256);
}

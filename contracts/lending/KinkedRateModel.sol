// SPDX-License-Identifier: MIT
/*
 * KinkedRateModel: a "jump rate" interest curve. The borrow rate grows slowly
 * with utilization up to the kink, then steeply, so that a nearly drained
 * market becomes expensive to borrow from and attractive to supply to:
 *
 *   util = borrows / (cash + borrows - reserves)            (capped at 1e18)
 *   util <= kink: rate = base + util * multiplier
 *   util >  kink: rate = base + kink * multiplier + (util - kink) * jump
 *   supply rate  = util * rate * (1 - reserveFactor)
 *
 * Parameters are given per year in the constructor and stored per block
 * (divided by BLOCKS_PER_YEAR = 2_628_000, 12-second blocks; the division
 * truncates). All values are 1e18-scaled. One model can serve several markets.
 *
 * Hotspots: none. The model is stateless: every parameter is an immutable
 * kept in the code, so the rate queries LendingPool makes on each interest
 * accrual read no storage slot and cannot conflict with anything.
 *
 * Storage layout (solc 0.8.28; checked against the compiler's
 * `storageLayout` output): no storage variables.
 *
 * | slot | variable | type |
 * |------|----------|------|
 * | -    | (none)   | -    |
 *
 * Immutables (in the code, no slot): baseRatePerBlock, multiplierPerBlock,
 * jumpMultiplierPerBlock, kink. Constant (no slot): BLOCKS_PER_YEAR.
 */
pragma solidity ^0.8.24;

import {IRateModel} from "./LendingInterfaces.sol";

/// @title Two-slope ("kinked") interest-rate model
/// @notice Borrow and supply rates per block as a function of a market's utilization.
contract KinkedRateModel is IRateModel {
    uint256 private constant WAD = 1e18;

    /// @notice Blocks per year assumed when converting yearly rates (12-second blocks).
    uint256 public constant BLOCKS_PER_YEAR = 2_628_000;

    /// @notice Borrow rate per block at zero utilization, 1e18-scaled.
    uint256 public immutable baseRatePerBlock;
    /// @notice Slope of the borrow rate below the kink, per block, 1e18-scaled.
    uint256 public immutable multiplierPerBlock;
    /// @notice Additional slope of the borrow rate above the kink, per block, 1e18-scaled.
    uint256 public immutable jumpMultiplierPerBlock;
    /// @notice Utilization at which the jump slope starts, 1e18-scaled.
    uint256 public immutable kink;

    /// @notice The model's parameters, emitted once at deployment.
    /// @param baseRatePerBlock Borrow rate per block at zero utilization.
    /// @param multiplierPerBlock Slope below the kink, per block.
    /// @param jumpMultiplierPerBlock Additional slope above the kink, per block.
    /// @param kink Utilization where the jump slope starts.
    event NewInterestParams(
        uint256 baseRatePerBlock,
        uint256 multiplierPerBlock,
        uint256 jumpMultiplierPerBlock,
        uint256 kink
    );

    /// @notice The kink is not in (0, 1e18].
    /// @param kink The rejected value.
    error InvalidKink(uint256 kink);

    /// @notice The reserve factor is above 1e18 (100 %).
    /// @param reserveFactor The rejected value.
    error InvalidReserveFactor(uint256 reserveFactor);

    /// @notice Deploys a model with the given yearly parameters (all 1e18-scaled).
    /// @param baseRatePerYear Borrow rate per year at zero utilization (e.g. 0.02e18 for 2 %).
    /// @param multiplierPerYear Slope of the yearly borrow rate below the kink (rate added per 100 % utilization).
    /// @param jumpMultiplierPerYear Additional yearly slope above the kink.
    /// @param kink_ Utilization where the jump slope starts, in (0, 1e18] (e.g. 0.8e18).
    constructor(uint256 baseRatePerYear, uint256 multiplierPerYear, uint256 jumpMultiplierPerYear, uint256 kink_) {
        if (kink_ == 0 || kink_ > WAD) revert InvalidKink(kink_);
        baseRatePerBlock = baseRatePerYear / BLOCKS_PER_YEAR;
        multiplierPerBlock = multiplierPerYear / BLOCKS_PER_YEAR;
        jumpMultiplierPerBlock = jumpMultiplierPerYear / BLOCKS_PER_YEAR;
        kink = kink_;
        emit NewInterestParams(
            baseRatePerYear / BLOCKS_PER_YEAR,
            multiplierPerYear / BLOCKS_PER_YEAR,
            jumpMultiplierPerYear / BLOCKS_PER_YEAR,
            kink_
        );
    }

    /// @notice Fraction of the suppliers' assets that is lent out: borrows / (cash + borrows - reserves).
    /// @dev 0 without borrows. Capped at 1e18: reserves larger than the cash (they were lent
    ///      out too) would otherwise push it above 100 %.
    /// @param cash Tokens held by the market and not lent out.
    /// @param borrows Outstanding debt of the market, interest included.
    /// @param reserves Part of cash + borrows that belongs to the protocol.
    /// @return The utilization, 1e18-scaled, in [0, 1e18].
    function utilizationRate(uint256 cash, uint256 borrows, uint256 reserves) public pure returns (uint256) {
        if (borrows == 0) return 0;
        uint256 gross = cash + borrows;
        if (gross <= reserves || borrows >= gross - reserves) return WAD;
        return (borrows * WAD) / (gross - reserves);
    }

    /// @notice Borrow rate per block: base + util * multiplier, plus jump * (util - kink) above the kink.
    /// @param cash Tokens held by the market and not lent out.
    /// @param borrows Outstanding debt of the market, interest included.
    /// @param reserves Part of cash + borrows that belongs to the protocol.
    /// @return The borrow rate per block, 1e18-scaled.
    function borrowRatePerBlock(uint256 cash, uint256 borrows, uint256 reserves) public view returns (uint256) {
        uint256 util = utilizationRate(cash, borrows, reserves);
        if (util <= kink) {
            return baseRatePerBlock + (util * multiplierPerBlock) / WAD;
        }
        uint256 atKink = baseRatePerBlock + (kink * multiplierPerBlock) / WAD;
        return atKink + ((util - kink) * jumpMultiplierPerBlock) / WAD;
    }

    /// @notice Supply rate per block: util * borrowRate * (1 - reserveFactor).
    /// @dev Reverts with InvalidReserveFactor if `reserveFactor` exceeds 1e18.
    /// @param cash Tokens held by the market and not lent out.
    /// @param borrows Outstanding debt of the market, interest included.
    /// @param reserves Part of cash + borrows that belongs to the protocol.
    /// @param reserveFactor Share of the interest kept as reserves, 1e18-scaled.
    /// @return The supply rate per block, 1e18-scaled.
    function supplyRatePerBlock(uint256 cash, uint256 borrows, uint256 reserves, uint256 reserveFactor)
        external
        view
        returns (uint256)
    {
        if (reserveFactor > WAD) revert InvalidReserveFactor(reserveFactor);
        uint256 util = utilizationRate(cash, borrows, reserves);
        uint256 rateToSuppliers = (borrowRatePerBlock(cash, borrows, reserves) * (WAD - reserveFactor)) / WAD;
        return (util * rateToSuppliers) / WAD;
    }
}

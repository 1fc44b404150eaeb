// SPDX-License-Identifier: MIT
/*
 * ConsoleLogProbe: test-only. Calls Hardhat's console.log from a transaction,
 * a view function and a reverting path, so tests can check that the parallel
 * network prints what Hardhat's network prints.
 *
 * Storage layout:
 *
 * | slot | variable | type    |
 * |------|----------|---------|
 * | 0    | counter  | uint256 |
 */
pragma solidity ^0.8.24;

import "hardhat/console.sol";

contract ConsoleLogProbe {
    /// @notice Incremented by `poke`, so a transaction changes state.
    uint256 public counter;

    /// @notice Logs a string, a number and an address, then bumps the counter.
    /// @param value A number to log.
    function poke(uint256 value) external {
        console.log("poke %s from %s", value, msg.sender);
        console.log("flag", true);
        counter += 1;
    }

    /// @notice Logs from a view function (printed for eth_call too).
    /// @return The counter.
    function peek() external view returns (uint256) {
        console.log("peek", counter);
        return counter;
    }

    /// @notice Logs, then reverts: the log is still printed.
    function fail() external pure {
        console.log("about to fail");
        revert("failed on purpose");
    }
}

// SPDX-License-Identifier: MIT
/*
 * EtherRejecter (test helper): a contract account that refuses every plain
 * ether transfer and forwards arbitrary calls, so tests can make WETH and
 * AmmRouter send ether to a recipient that rejects it. Not part of the
 * protocol; never deployed by workloads.
 *
 * Hotspots: none (no state).
 *
 * Storage layout: none.
 *
 * | slot | variable | type |
 * |------|----------|------|
 * | -    | (none)   | -    |
 */
pragma solidity ^0.8.24;

/// @title Ether-rejecting call forwarder (tests only)
/// @notice Rejects plain ether transfers; forwards calls (with value) and bubbles their reverts.
contract EtherRejecter {
    /// @notice Ether was sent to this contract without calldata.
    /// @param amount The rejected amount, in wei.
    error EtherRejected(uint256 amount);

    /// @notice Always reverts with EtherRejected.
    receive() external payable {
        revert EtherRejected(msg.value);
    }

    /// @notice Calls `target` with `data` and the ether sent, as this contract.
    /// @dev Bubbles the callee's revert data unchanged.
    /// @param target Contract to call.
    /// @param data Calldata.
    /// @return result The callee's return data.
    function execute(address target, bytes calldata data) external payable returns (bytes memory result) {
        bool ok;
        (ok, result) = target.call{value: msg.value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
    }
}

// SPDX-License-Identifier: MIT
/*
 * BlockContextProbe (test helper): reports the block environment a call or a
 * transaction sees, so the differential tests can compare what Hardhat's
 * network and the parallel network give at every block tag. Not part of the
 * protocol; never deployed by workloads.
 *
 * Storage layout (solc 0.8.28):
 *
 * | slot | variable | type    |
 * |------|----------|---------|
 * | 0    | seen     | uint256 |
 */
pragma solidity ^0.8.24;

contract BlockContextProbe {
    /// @notice Last block number a transaction to `touch` ran in.
    uint256 public seen;

    /// @notice The block fields a call sees.
    function env()
        external
        view
        returns (
            uint256 number,
            uint256 timestamp,
            uint256 baseFee,
            address coinbase,
            uint256 prevrandao,
            uint256 gasLimit,
            uint256 blobBaseFee,
            uint256 chainId,
            uint256 gasPrice,
            address origin
        )
    {
        return (
            block.number,
            block.timestamp,
            block.basefee,
            block.coinbase,
            block.prevrandao,
            block.gaslimit,
            block.blobbasefee,
            block.chainid,
            tx.gasprice,
            tx.origin
        );
    }

    /// @notice BLOCKHASH at the given distances below the current block (0 is the current block itself).
    function hashes(uint256[] calldata distances) external view returns (bytes32[] memory out) {
        out = new bytes32[](distances.length);
        for (uint256 i = 0; i < distances.length; i++) {
            out[i] = distances[i] > block.number ? bytes32(0) : blockhash(block.number - distances[i]);
        }
    }

    /// @notice Reverts unless the current timestamp is at least `t` (a time lock, for estimates at a tag).
    function requireTime(uint256 t) external {
        require(block.timestamp >= t, "too early");
        seen = block.number;
    }

    /// @notice Records the block number (a state change, so pending blocks differ from the latest).
    function touch() external {
        seen = block.number;
    }
}

// SPDX-License-Identifier: MIT
/*
 * NftRejectingReceiver: TEST ONLY. A contract account that can refuse ETH, to
 * check that the NFT marketplace and auction house fall back to their
 * pull-payment ledgers when a push fails. In mode Accept it takes ETH; in
 * Revert its receive() reverts; in BurnGas it loops until the gas forwarded
 * to it runs out. It accepts ERC-721 tokens (onERC721Received) and relays
 * arbitrary calls with `execute`, so it can list, bid and withdraw like a
 * user. `execute` is deliberately unrestricted: never deploy this outside tests.
 *
 * Storage layout (solc 0.8.28):
 *
 * | slot | variable | type                 |
 * |------|----------|----------------------|
 * | 0    | mode     | enum Mode (uint8)    |
 */
pragma solidity ^0.8.24;

import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";

/// @title Test-only account that rejects ETH on demand
/// @notice Relays calls with `execute`; its ETH receive behaviour is set by `setMode`.
contract NftRejectingReceiver is IERC721Receiver {
    /// @notice How receive() treats incoming ETH.
    enum Mode {
        Accept,
        Revert,
        BurnGas
    }

    /// @notice Current receive behaviour.
    Mode public mode;

    /// @notice receive() refused ETH.
    /// @param amount Wei refused.
    error EthRejected(uint256 amount);

    /// @notice A relayed call reverted.
    /// @param returnData The revert data of the call.
    error CallFailed(bytes returnData);

    /// @notice The receive behaviour changed.
    /// @param mode New mode.
    event ModeChanged(Mode mode);

    /// @notice Deploys the receiver in the given mode.
    /// @param mode_ Initial receive behaviour.
    constructor(Mode mode_) {
        mode = mode_;
    }

    /// @notice Sets how receive() treats incoming ETH.
    /// @param mode_ New mode.
    function setMode(Mode mode_) external {
        mode = mode_;
        emit ModeChanged(mode_);
    }

    /// @notice Calls `target` with `data` and `value` wei from this contract (test only, unrestricted).
    /// @param target Contract to call.
    /// @param value Wei to send (taken from msg.value and this contract's balance).
    /// @param data Calldata.
    /// @return The call's return data.
    function execute(address target, uint256 value, bytes calldata data) external payable returns (bytes memory) {
        (bool ok, bytes memory ret) = target.call{value: value}(data);
        if (!ok) revert CallFailed(ret);
        return ret;
    }

    /// @notice Accepts every ERC-721 token.
    /// @return The IERC721Receiver.onERC721Received selector.
    function onERC721Received(address, address, uint256, bytes calldata) external pure returns (bytes4) {
        return IERC721Receiver.onERC721Received.selector;
    }

    /// @notice Receives ETH according to `mode`.
    receive() external payable {
        if (mode == Mode.Revert) revert EthRejected(msg.value);
        if (mode == Mode.BurnGas) {
            uint256 i;
            while (true) {
                unchecked {
                    ++i;
                }
            }
        }
    }
}

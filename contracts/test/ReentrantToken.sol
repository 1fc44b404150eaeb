// SPDX-License-Identifier: MIT
/*
 * ReentrantToken (test helper): an ERC-20 that, once armed, calls a chosen
 * target with chosen calldata after every balance change. Paired in an
 * AmmPair it re-enters the pair from inside a pair's token transfer, to show
 * that the reentrancy lock rejects it. Not part of the protocol.
 *
 * Hotspots: `_totalSupply` on mint, like any ERC-20 (tests only).
 *
 * Storage layout (solc 0.8.28 `storageLayout` output):
 *
 * | slot | variable     | type                                            |
 * |------|--------------|-------------------------------------------------|
 * | 0    | _balances    | mapping(address => uint256)                     |
 * | 1    | _allowances  | mapping(address => mapping(address => uint256)) |
 * | 2    | _totalSupply | uint256                                         |
 * | 3    | _name        | string                                          |
 * | 4    | _symbol      | string                                          |
 * | 5    | hookTarget   | address                                         |
 * | 6    | hookData     | bytes                                           |
 */
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title ERC-20 with a reentrancy hook (tests only)
/// @notice Anyone may mint and arm the hook: this token exists to attack the AMM in tests.
contract ReentrantToken is ERC20 {
    /// @notice Contract called after every balance change while armed (zero: disarmed).
    address public hookTarget;
    /// @notice Calldata of the hook call.
    bytes public hookData;

    /// @notice Emitted when the hook is armed or disarmed.
    /// @param target New hook target (zero address: disarmed).
    /// @param data New hook calldata.
    event HookSet(address indexed target, bytes data);

    /// @notice Deploys the token ("Reentrant", "REENT", 18 decimals) with zero supply and no hook.
    constructor() ERC20("Reentrant", "REENT") {}

    /// @notice Mints `amount` to `to` (anyone may call).
    /// @param to Recipient.
    /// @param amount Amount to mint.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arms the hook (or disarms it with the zero address).
    /// @param target Contract to call after each balance change.
    /// @param data Calldata of that call.
    function setHook(address target, bytes calldata data) external {
        hookTarget = target;
        hookData = data;
        emit HookSet(target, data);
    }

    /// @dev Moves the balances, then calls the hook and bubbles its revert.
    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        address target = hookTarget;
        if (target != address(0)) {
            (bool ok, bytes memory result) = target.call(hookData);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(result, 32), mload(result))
                }
            }
        }
    }
}

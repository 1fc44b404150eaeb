// SPDX-License-Identifier: MIT
/*
 * WETH: wrapped ether, an ERC-20 backed 1:1 by the ether the contract holds.
 * `deposit()` (or a plain ether transfer) mints as many tokens as wei sent;
 * `withdraw(amount)` burns tokens and sends the ether back. Invariant: the
 * contract's ether balance equals `totalSupply()`.
 *
 * Hotspots for parallel execution: every deposit and every withdrawal writes
 * `_totalSupply` (slot 2), so any two of them conflict even for different
 * users. Transfers only touch the balance (and allowance) entries of the
 * accounts involved; a popular recipient such as an AMM pair holding WETH
 * makes its own balance entry hot.
 *
 * Storage layout (solc 0.8.28, checked against the compiler's
 * `storageLayout` output and by test/contracts/amm/weth.test.ts):
 *
 * | slot | variable     | type                                            |
 * |------|--------------|-------------------------------------------------|
 * | 0    | _balances    | mapping(address => uint256)                     |
 * | 1    | _allowances  | mapping(address => mapping(address => uint256)) |
 * | 2    | _totalSupply | uint256                                         |
 * | 3    | _name        | string                                          |
 * | 4    | _symbol      | string                                          |
 *
 * No immutables or constants. Balance of `a`: keccak256(abi.encode(a, 0)).
 */
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title Wrapped Ether
/// @notice ERC-20 token minted 1:1 against deposited ether and burned on withdrawal.
contract WETH is ERC20 {
    /// @notice Emitted when ether is wrapped.
    /// @param dst Account credited with the new WETH.
    /// @param wad Amount of ether deposited (and WETH minted), in wei.
    event Deposit(address indexed dst, uint256 wad);

    /// @notice Emitted when WETH is unwrapped back into ether.
    /// @param src Account whose WETH was burned and who received the ether.
    /// @param wad Amount of WETH burned (and ether sent), in wei.
    event Withdrawal(address indexed src, uint256 wad);

    /// @notice Sending the ether of a withdrawal failed (the recipient rejected it).
    /// @param to Account the ether was sent to.
    /// @param amount Amount of ether, in wei.
    error EthTransferFailed(address to, uint256 amount);

    /// @notice Deploys the token ("Wrapped Ether", "WETH", 18 decimals) with zero supply.
    constructor() ERC20("Wrapped Ether", "WETH") {}

    /// @notice Wraps ether sent without calldata, exactly like `deposit()`.
    receive() external payable {
        _deposit();
    }

    /// @notice Wraps the ether sent with the call: mints `msg.value` WETH to the caller.
    /// @dev Emits Transfer (from the zero address) and Deposit. A zero deposit is allowed.
    function deposit() external payable {
        _deposit();
    }

    /// @notice Unwraps `amount` WETH: burns it from the caller and sends as much ether to the caller.
    /// @dev Burns before sending (checks-effects-interactions). Reverts with ERC20InsufficientBalance
    ///      if the caller holds less than `amount`, and with EthTransferFailed if the caller rejects
    ///      the ether. Emits Transfer (to the zero address) and Withdrawal.
    /// @param amount Amount to unwrap, in wei.
    function withdraw(uint256 amount) external {
        _burn(msg.sender, amount);
        emit Withdrawal(msg.sender, amount);
        (bool ok, ) = payable(msg.sender).call{value: amount}("");
        if (!ok) revert EthTransferFailed(msg.sender, amount);
    }

    function _deposit() private {
        _mint(msg.sender, msg.value);
        emit Deposit(msg.sender, msg.value);
    }
}

// SPDX-License-Identifier: MIT
/*
 * TestToken: the ERC-20 asset of the test workloads (stablecoins, wrapped
 * ether, governance tokens...). A plain OpenZeppelin ERC-20 with settable
 * decimals whose owner can mint freely, so a workload can fund thousands of
 * accounts before the measured block.
 *
 * Conflicts between transfers come from the balance and allowance entries
 * they touch; minting also writes _totalSupply, so every mint conflicts with
 * every other mint. `decimals` is immutable (kept in the code, not storage):
 * reading it touches no slot.
 *
 * Storage layout (solc 0.8.28, `storageLayout` output):
 *
 * | slot | variable     | type                                            |
 * |------|--------------|-------------------------------------------------|
 * | 0    | _balances    | mapping(address => uint256)                     |
 * | 1    | _allowances  | mapping(address => mapping(address => uint256)) |
 * | 2    | _totalSupply | uint256                                         |
 * | 3    | _name        | string                                          |
 * | 4    | _symbol      | string                                          |
 * | 5    | _owner       | address (Ownable)                               |
 *
 * Balance of `a`: keccak256(abi.encode(a, 0)).
 * Allowance of `spender` from `owner`:
 *   keccak256(abi.encode(spender, keccak256(abi.encode(owner, 1)))).
 */
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title Mintable ERC-20 with configurable decimals, for tests and benchmarks
/// @notice The deployer is the owner and the only account allowed to mint.
contract TestToken is ERC20, Ownable {
    uint8 private immutable _decimals;

    /// @notice Deploys the token with zero supply; the deployer becomes its owner.
    /// @param name_ Token name, e.g. "Test USD".
    /// @param symbol_ Token symbol, e.g. "TUSD".
    /// @param decimals_ Decimals reported by `decimals()`, e.g. 6 for a USDC-like asset.
    constructor(string memory name_, string memory symbol_, uint8 decimals_)
        ERC20(name_, symbol_)
        Ownable(msg.sender)
    {
        _decimals = decimals_;
    }

    /// @notice Number of decimals used to display amounts, as set at deployment.
    /// @return The decimals given to the constructor.
    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @notice Creates `amount` tokens and assigns them to `to`.
    /// @dev Owner only. Emits a Transfer from the zero address.
    ///      Reverts with ERC20InvalidReceiver if `to` is the zero address.
    /// @param to Recipient of the new tokens.
    /// @param amount Amount to mint, in the token's smallest unit.
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }

    /// @notice Mints the same `amount` to each address in `to`.
    /// @dev Owner only. One Transfer event per recipient; a recipient listed
    ///      twice is minted twice. Reverts as a whole if any recipient is the
    ///      zero address. Total supply grows by `amount * to.length`.
    /// @param to Recipients of the new tokens.
    /// @param amount Amount minted to each recipient, in the token's smallest unit.
    function batchMint(address[] calldata to, uint256 amount) external onlyOwner {
        uint256 count = to.length;
        for (uint256 i = 0; i < count; ++i) {
            _mint(to[i], amount);
        }
    }
}

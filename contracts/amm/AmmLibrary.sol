// SPDX-License-Identifier: MIT
/*
 * AmmLibrary: the pure pricing maths of the constant-product AMM and the
 * lookup of pair addresses, shared by AmmRouter (internal functions only, so
 * it is inlined into its callers and never deployed).
 *
 * Pair addresses are computed with the CREATE2 formula
 *   keccak256(0xff ++ factory ++ keccak256(token0 ++ token1) ++ pairCodeHash)[12:]
 * so resolving a pair reads no storage at all (only the pair's code, to check
 * it exists): swaps through the router touch no factory slot, and the only
 * hotspots they have are those of the pairs and tokens themselves.
 *
 * Storage layout: none (a library with internal functions only; no state,
 * no immutables).
 */
pragma solidity ^0.8.24;

import {IAmmPair} from "./AmmPair.sol";

/// @title Constant-product AMM maths and pair address lookup
/// @notice Quotes with the 0.3% input fee, multi-hop amounts and CREATE2 pair addresses.
library AmmLibrary {
    /// @notice The two tokens of a pair are the same token.
    /// @param token The token given twice.
    error IdenticalAddresses(address token);

    /// @notice A token of a pair is the zero address.
    error ZeroAddress();

    /// @notice `quote` was asked for a zero amount.
    error ZeroAmount();

    /// @notice `getAmountOut` was asked for a zero input.
    error ZeroInputAmount();

    /// @notice `getAmountIn` was asked for a zero output.
    error ZeroOutputAmount();

    /// @notice A reserve is empty, so no price exists.
    /// @param reserveIn Reserve of the input token.
    /// @param reserveOut Reserve of the output token.
    error InsufficientLiquidity(uint256 reserveIn, uint256 reserveOut);

    /// @notice The output asked for is not less than the whole output reserve.
    /// @param amountOut Output asked for.
    /// @param reserveOut Reserve of the output token.
    error ExcessiveOutputAmount(uint256 amountOut, uint256 reserveOut);

    /// @notice A swap path has fewer than two tokens.
    /// @param length Number of tokens in the path.
    error InvalidPathLength(uint256 length);

    /// @notice No pair has been created for these two tokens.
    /// @param tokenA One token.
    /// @param tokenB The other token.
    error PairNotFound(address tokenA, address tokenB);

    /// @dev Orders two token addresses as a pair stores them (token0 < token1).
    function sortTokens(address tokenA, address tokenB) internal pure returns (address token0, address token1) {
        if (tokenA == tokenB) revert IdenticalAddresses(tokenA);
        (token0, token1) = tokenA < tokenB ? (tokenA, tokenB) : (tokenB, tokenA);
        if (token0 == address(0)) revert ZeroAddress();
    }

    /// @dev CREATE2 address of the pair of `tokenA` and `tokenB`, created or not.
    function pairFor(address factory, bytes32 pairCodeHash, address tokenA, address tokenB)
        internal
        pure
        returns (address pair)
    {
        (address token0, address token1) = sortTokens(tokenA, tokenB);
        bytes32 salt = keccak256(abi.encodePacked(token0, token1));
        pair = address(uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), factory, salt, pairCodeHash)))));
    }

    /// @dev Reserves of the pair, ordered as (tokenA, tokenB). Reverts with PairNotFound if the
    ///      pair has no code (was never created).
    function getReserves(address factory, bytes32 pairCodeHash, address tokenA, address tokenB)
        internal
        view
        returns (uint256 reserveA, uint256 reserveB)
    {
        address pair = pairFor(factory, pairCodeHash, tokenA, tokenB);
        if (pair.code.length == 0) revert PairNotFound(tokenA, tokenB);
        (uint112 reserve0, uint112 reserve1, ) = IAmmPair(pair).getReserves();
        (reserveA, reserveB) = tokenA < tokenB ? (uint256(reserve0), uint256(reserve1)) : (reserve1, reserve0);
    }

    /// @dev Amount of B worth `amountA` of A at the current reserve ratio (no fee).
    function quote(uint256 amountA, uint256 reserveA, uint256 reserveB) internal pure returns (uint256 amountB) {
        if (amountA == 0) revert ZeroAmount();
        if (reserveA == 0 || reserveB == 0) revert InsufficientLiquidity(reserveA, reserveB);
        amountB = (amountA * reserveB) / reserveA;
    }

    /// @dev Largest output that `amountIn` buys after the 0.3% fee, keeping the product of the
    ///      reserves from decreasing: out = in*997*rOut / (rIn*1000 + in*997), rounded down.
    function getAmountOut(uint256 amountIn, uint256 reserveIn, uint256 reserveOut)
        internal
        pure
        returns (uint256 amountOut)
    {
        if (amountIn == 0) revert ZeroInputAmount();
        if (reserveIn == 0 || reserveOut == 0) revert InsufficientLiquidity(reserveIn, reserveOut);
        uint256 inWithFee = amountIn * 997;
        amountOut = (inWithFee * reserveOut) / (reserveIn * 1000 + inWithFee);
    }

    /// @dev Smallest input that buys `amountOut` after the 0.3% fee:
    ///      in = rIn*out*1000 / ((rOut - out)*997) + 1.
    function getAmountIn(uint256 amountOut, uint256 reserveIn, uint256 reserveOut)
        internal
        pure
        returns (uint256 amountIn)
    {
        if (amountOut == 0) revert ZeroOutputAmount();
        if (reserveIn == 0 || reserveOut == 0) revert InsufficientLiquidity(reserveIn, reserveOut);
        if (amountOut >= reserveOut) revert ExcessiveOutputAmount(amountOut, reserveOut);
        amountIn = (reserveIn * amountOut * 1000) / ((reserveOut - amountOut) * 997) + 1;
    }

    /// @dev Amounts along `path` for an exact input: amounts[0] = amountIn, amounts[i+1] = output of hop i.
    function getAmountsOut(address factory, bytes32 pairCodeHash, uint256 amountIn, address[] calldata path)
        internal
        view
        returns (uint256[] memory amounts)
    {
        uint256 n = path.length;
        if (n < 2) revert InvalidPathLength(n);
        amounts = new uint256[](n);
        amounts[0] = amountIn;
        for (uint256 i = 0; i < n - 1; ++i) {
            (uint256 reserveIn, uint256 reserveOut) = getReserves(factory, pairCodeHash, path[i], path[i + 1]);
            amounts[i + 1] = getAmountOut(amounts[i], reserveIn, reserveOut);
        }
    }

    /// @dev Amounts along `path` for an exact output: amounts[n-1] = amountOut, amounts[i] = input of hop i.
    function getAmountsIn(address factory, bytes32 pairCodeHash, uint256 amountOut, address[] calldata path)
        internal
        view
        returns (uint256[] memory amounts)
    {
        uint256 n = path.length;
        if (n < 2) revert InvalidPathLength(n);
        amounts = new uint256[](n);
        amounts[n - 1] = amountOut;
        for (uint256 i = n - 1; i > 0; --i) {
            (uint256 reserveIn, uint256 reserveOut) = getReserves(factory, pairCodeHash, path[i - 1], path[i]);
            amounts[i - 1] = getAmountIn(amounts[i], reserveIn, reserveOut);
        }
    }
}

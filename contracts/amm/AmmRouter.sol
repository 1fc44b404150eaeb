// SPDX-License-Identifier: MIT
/*
 * AmmRouter: the user-facing entry point of the constant-product AMM, in the
 * style of Uniswap V2's router. It adds and removes liquidity at the pool's
 * ratio, and swaps exact-in or exact-out along multi-hop paths, with ETH
 * wrapped into / unwrapped from WETH at the ends of a path. Users approve the
 * router; it pulls their tokens straight into the first pair
 * (transferFrom(user, pair, ...)), so it never holds tokens, except WETH for
 * the instant between a swap and its unwrapping. It accepts ether only from
 * WETH (withdrawals).
 *
 * Pair addresses come from the CREATE2 formula with the factory's pair code
 * hash (read once, at construction), not from the factory's mapping: a swap
 * reads no factory storage. The router itself has no storage at all, so it
 * adds no hotspot; the conflicts of routed trades are those of the pairs
 * they cross (the packed reserves slot of each pair, see AmmPair.sol) and of
 * the token balance entries they move. addLiquidity on a missing pair creates
 * it through the factory (see AmmFactory.sol for that hotspot).
 *
 * Storage layout: none.
 *
 * | slot | variable | type |
 * |------|----------|------|
 * | -    | (none)   | -    |
 *
 * `factory`, `weth` and `pairCodeHash` are immutables (in the code, no slot).
 */
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AmmFactory} from "./AmmFactory.sol";
import {IAmmPair} from "./AmmPair.sol";
import {AmmLibrary} from "./AmmLibrary.sol";
import {WETH} from "../tokens/WETH.sol";

/// @title Router of the constant-product AMM
/// @notice Adds/removes liquidity and swaps along paths of pairs, with deadlines and slippage limits.
contract AmmRouter {
    using SafeERC20 for IERC20;

    /// @notice The factory whose pairs this router trades on.
    address public immutable factory;
    /// @notice The wrapped-ether token used for ETH swaps.
    address public immutable weth;
    /// @notice The factory's pair creation code hash, used to compute pair addresses.
    bytes32 public immutable pairCodeHash;

    /// @notice The deadline of the call has passed.
    /// @param deadline The caller's deadline (unix seconds).
    /// @param timestamp The timestamp of the block.
    error Expired(uint256 deadline, uint256 timestamp);

    /// @notice The swap would pay out less than the caller's minimum.
    /// @param amountOut Output the swap would give.
    /// @param amountOutMin The caller's minimum.
    error InsufficientOutputAmount(uint256 amountOut, uint256 amountOutMin);

    /// @notice The swap would cost more than the caller's maximum.
    /// @param amountIn Input the swap would need.
    /// @param amountInMax The caller's maximum.
    error ExcessiveInputAmount(uint256 amountIn, uint256 amountInMax);

    /// @notice Less of token A than the caller's minimum would be deposited or withdrawn.
    /// @param amountA Amount of token A.
    /// @param amountAMin The caller's minimum.
    error InsufficientAAmount(uint256 amountA, uint256 amountAMin);

    /// @notice Less of token B than the caller's minimum would be deposited or withdrawn.
    /// @param amountB Amount of token B.
    /// @param amountBMin The caller's minimum.
    error InsufficientBAmount(uint256 amountB, uint256 amountBMin);

    /// @notice An ETH swap path does not start (ETH in) or end (ETH out) with WETH.
    /// @param token The token found where WETH was required.
    /// @param weth The WETH address.
    error InvalidPath(address token, address weth);

    /// @notice Sending ether to the recipient failed.
    /// @param to The recipient.
    /// @param amount Amount of ether, in wei.
    error EthTransferFailed(address to, uint256 amount);

    /// @notice Ether was sent to the router by an account other than WETH.
    /// @param sender The sender.
    error EthNotFromWeth(address sender);

    modifier ensure(uint256 deadline) {
        if (deadline < block.timestamp) revert Expired(deadline, block.timestamp);
        _;
    }

    /// @notice Deploys a router for `factory_`'s pairs and the `weth_` token.
    /// @param factory_ The AmmFactory.
    /// @param weth_ The WETH token.
    constructor(address factory_, address weth_) {
        factory = factory_;
        weth = weth_;
        pairCodeHash = AmmFactory(factory_).pairCodeHash();
    }

    /// @notice Accepts ether from WETH only (unwrapping during swapExactTokensForETH).
    receive() external payable {
        if (msg.sender != weth) revert EthNotFromWeth(msg.sender);
    }

    // ---------------------------------------------------------------- liquidity

    /// @notice Deposits tokenA and tokenB at the pool's current ratio and mints LP tokens to `to`.
    /// @dev Creates the pair if it does not exist (then the desired amounts set the price). Otherwise
    ///      deposits amountADesired and the matching B if that is at most amountBDesired, else
    ///      amountBDesired and the matching A. Tokens are pulled from the caller into the pair.
    /// @param tokenA One token.
    /// @param tokenB The other token.
    /// @param amountADesired Most of tokenA to deposit.
    /// @param amountBDesired Most of tokenB to deposit.
    /// @param amountAMin Least of tokenA to deposit (slippage bound).
    /// @param amountBMin Least of tokenB to deposit (slippage bound).
    /// @param to Recipient of the LP tokens.
    /// @param deadline Unix time after which the call reverts.
    /// @return amountA Amount of tokenA deposited.
    /// @return amountB Amount of tokenB deposited.
    /// @return liquidity LP tokens minted to `to`.
    function addLiquidity(
        address tokenA,
        address tokenB,
        uint256 amountADesired,
        uint256 amountBDesired,
        uint256 amountAMin,
        uint256 amountBMin,
        address to,
        uint256 deadline
    ) external ensure(deadline) returns (uint256 amountA, uint256 amountB, uint256 liquidity) {
        (amountA, amountB) = _addLiquidity(tokenA, tokenB, amountADesired, amountBDesired, amountAMin, amountBMin);
        liquidity = _depositAndMint(tokenA, tokenB, amountA, amountB, to);
    }

    /// @notice Returns `liquidity` LP tokens of the tokenA/tokenB pair and sends the underlying tokens to `to`.
    /// @dev The LP tokens are pulled from the caller into the pair, which burns them.
    /// @param tokenA One token.
    /// @param tokenB The other token.
    /// @param liquidity LP tokens to return.
    /// @param amountAMin Least of tokenA to receive.
    /// @param amountBMin Least of tokenB to receive.
    /// @param to Recipient of the tokens.
    /// @param deadline Unix time after which the call reverts.
    /// @return amountA Amount of tokenA sent to `to`.
    /// @return amountB Amount of tokenB sent to `to`.
    function removeLiquidity(
        address tokenA,
        address tokenB,
        uint256 liquidity,
        uint256 amountAMin,
        uint256 amountBMin,
        address to,
        uint256 deadline
    ) external ensure(deadline) returns (uint256 amountA, uint256 amountB) {
        address pair = _existingPair(tokenA, tokenB);
        IERC20(pair).safeTransferFrom(msg.sender, pair, liquidity);
        (uint256 amount0, uint256 amount1) = IAmmPair(pair).burn(to);
        (amountA, amountB) = tokenA < tokenB ? (amount0, amount1) : (amount1, amount0);
        if (amountA < amountAMin) revert InsufficientAAmount(amountA, amountAMin);
        if (amountB < amountBMin) revert InsufficientBAmount(amountB, amountBMin);
    }

    // ---------------------------------------------------------------- swaps

    /// @notice Swaps exactly `amountIn` of path[0] for as much as possible of the last token of `path`.
    /// @param amountIn Amount of path[0] to pay.
    /// @param amountOutMin Least output accepted.
    /// @param path Tokens to trade through, in order (at least two; each adjacent pair must exist).
    /// @param to Recipient of the output.
    /// @param deadline Unix time after which the call reverts.
    /// @return amounts Input followed by the output of each hop.
    function swapExactTokensForTokens(
        uint256 amountIn,
        uint256 amountOutMin,
        address[] calldata path,
        address to,
        uint256 deadline
    ) external ensure(deadline) returns (uint256[] memory amounts) {
        amounts = AmmLibrary.getAmountsOut(factory, pairCodeHash, amountIn, path);
        _checkOutput(amounts, amountOutMin);
        IERC20(path[0]).safeTransferFrom(msg.sender, _pairFor(path[0], path[1]), amounts[0]);
        _swap(amounts, path, to);
    }

    /// @notice Swaps as little as possible of path[0] for exactly `amountOut` of the last token of `path`.
    /// @param amountOut Output wanted.
    /// @param amountInMax Most input accepted.
    /// @param path Tokens to trade through, in order (at least two; each adjacent pair must exist).
    /// @param to Recipient of the output.
    /// @param deadline Unix time after which the call reverts.
    /// @return amounts Input followed by the output of each hop.
    function swapTokensForExactTokens(
        uint256 amountOut,
        uint256 amountInMax,
        address[] calldata path,
        address to,
        uint256 deadline
    ) external ensure(deadline) returns (uint256[] memory amounts) {
        amounts = AmmLibrary.getAmountsIn(factory, pairCodeHash, amountOut, path);
        if (amounts[0] > amountInMax) revert ExcessiveInputAmount(amounts[0], amountInMax);
        IERC20(path[0]).safeTransferFrom(msg.sender, _pairFor(path[0], path[1]), amounts[0]);
        _swap(amounts, path, to);
    }

    /// @notice Swaps exactly the ether sent (wrapped as WETH) for as much as possible of the last token of `path`.
    /// @param amountOutMin Least output accepted.
    /// @param path Tokens to trade through; path[0] must be WETH.
    /// @param to Recipient of the output.
    /// @param deadline Unix time after which the call reverts.
    /// @return amounts Input followed by the output of each hop.
    function swapExactETHForTokens(uint256 amountOutMin, address[] calldata path, address to, uint256 deadline)
        external
        payable
        ensure(deadline)
        returns (uint256[] memory amounts)
    {
        if (path.length < 2) revert AmmLibrary.InvalidPathLength(path.length);
        if (path[0] != weth) revert InvalidPath(path[0], weth);
        amounts = AmmLibrary.getAmountsOut(factory, pairCodeHash, msg.value, path);
        _checkOutput(amounts, amountOutMin);
        WETH(payable(weth)).deposit{value: amounts[0]}();
        IERC20(weth).safeTransfer(_pairFor(path[0], path[1]), amounts[0]);
        _swap(amounts, path, to);
    }

    /// @notice Swaps exactly `amountIn` of path[0] for as much ether as possible (the last token, WETH, unwrapped).
    /// @param amountIn Amount of path[0] to pay.
    /// @param amountOutMin Least ether accepted.
    /// @param path Tokens to trade through; the last one must be WETH.
    /// @param to Recipient of the ether.
    /// @param deadline Unix time after which the call reverts.
    /// @return amounts Input followed by the output of each hop.
    function swapExactTokensForETH(
        uint256 amountIn,
        uint256 amountOutMin,
        address[] calldata path,
        address to,
        uint256 deadline
    ) external ensure(deadline) returns (uint256[] memory amounts) {
        if (path.length < 2) revert AmmLibrary.InvalidPathLength(path.length);
        if (path[path.length - 1] != weth) revert InvalidPath(path[path.length - 1], weth);
        amounts = AmmLibrary.getAmountsOut(factory, pairCodeHash, amountIn, path);
        uint256 amountOut = _checkOutput(amounts, amountOutMin);
        IERC20(path[0]).safeTransferFrom(msg.sender, _pairFor(path[0], path[1]), amounts[0]);
        _swap(amounts, path, address(this));
        WETH(payable(weth)).withdraw(amountOut);
        (bool ok, ) = payable(to).call{value: amountOut}("");
        if (!ok) revert EthTransferFailed(to, amountOut);
    }

    // ---------------------------------------------------------------- quotes

    /// @notice Amounts along `path` for an exact input, at the current reserves.
    /// @param amountIn Amount of path[0] paid.
    /// @param path Tokens to trade through.
    /// @return amounts Input followed by the output of each hop.
    function getAmountsOut(uint256 amountIn, address[] calldata path) external view returns (uint256[] memory) {
        return AmmLibrary.getAmountsOut(factory, pairCodeHash, amountIn, path);
    }

    /// @notice Amounts along `path` for an exact output, at the current reserves.
    /// @param amountOut Amount of the last token wanted.
    /// @param path Tokens to trade through.
    /// @return amounts Input of each hop followed by the output.
    function getAmountsIn(uint256 amountOut, address[] calldata path) external view returns (uint256[] memory) {
        return AmmLibrary.getAmountsIn(factory, pairCodeHash, amountOut, path);
    }

    /// @notice Amount of B worth `amountA` of A at the ratio reserveB / reserveA (no fee).
    /// @param amountA Amount of A.
    /// @param reserveA Reserve of A.
    /// @param reserveB Reserve of B.
    /// @return amountB amountA * reserveB / reserveA, rounded down.
    function quote(uint256 amountA, uint256 reserveA, uint256 reserveB) external pure returns (uint256 amountB) {
        return AmmLibrary.quote(amountA, reserveA, reserveB);
    }

    /// @notice Output of one hop for an exact input, after the 0.3% fee.
    /// @param amountIn Input amount.
    /// @param reserveIn Reserve of the input token.
    /// @param reserveOut Reserve of the output token.
    /// @return amountOut amountIn*997*reserveOut / (reserveIn*1000 + amountIn*997), rounded down.
    function getAmountOut(uint256 amountIn, uint256 reserveIn, uint256 reserveOut)
        external
        pure
        returns (uint256 amountOut)
    {
        return AmmLibrary.getAmountOut(amountIn, reserveIn, reserveOut);
    }

    /// @notice Input one hop needs for an exact output, after the 0.3% fee.
    /// @param amountOut Output wanted.
    /// @param reserveIn Reserve of the input token.
    /// @param reserveOut Reserve of the output token.
    /// @return amountIn reserveIn*amountOut*1000 / ((reserveOut - amountOut)*997) + 1.
    function getAmountIn(uint256 amountOut, uint256 reserveIn, uint256 reserveOut)
        external
        pure
        returns (uint256 amountIn)
    {
        return AmmLibrary.getAmountIn(amountOut, reserveIn, reserveOut);
    }

    /// @notice CREATE2 address of the pair of two tokens (given in either order), whether created or not.
    /// @param tokenA One token.
    /// @param tokenB The other token.
    /// @return pair The pair's address.
    function pairFor(address tokenA, address tokenB) external view returns (address pair) {
        return _pairFor(tokenA, tokenB);
    }

    // ---------------------------------------------------------------- internals

    function _addLiquidity(
        address tokenA,
        address tokenB,
        uint256 amountADesired,
        uint256 amountBDesired,
        uint256 amountAMin,
        uint256 amountBMin
    ) private returns (uint256 amountA, uint256 amountB) {
        address pair = _pairFor(tokenA, tokenB);
        if (pair.code.length == 0) AmmFactory(factory).createPair(tokenA, tokenB);
        (uint256 reserveA, uint256 reserveB) = AmmLibrary.getReserves(factory, pairCodeHash, tokenA, tokenB);
        if (reserveA == 0 && reserveB == 0) {
            return (amountADesired, amountBDesired);
        }
        uint256 amountBOptimal = AmmLibrary.quote(amountADesired, reserveA, reserveB);
        if (amountBOptimal <= amountBDesired) {
            if (amountBOptimal < amountBMin) revert InsufficientBAmount(amountBOptimal, amountBMin);
            return (amountADesired, amountBOptimal);
        }
        // amountBOptimal > amountBDesired implies amountAOptimal <= amountADesired.
        uint256 amountAOptimal = AmmLibrary.quote(amountBDesired, reserveB, reserveA);
        if (amountAOptimal < amountAMin) revert InsufficientAAmount(amountAOptimal, amountAMin);
        return (amountAOptimal, amountBDesired);
    }

    /// @dev Pulls the deposit from the caller into the pair and mints the LP tokens to `to`.
    function _depositAndMint(address tokenA, address tokenB, uint256 amountA, uint256 amountB, address to)
        private
        returns (uint256 liquidity)
    {
        address pair = _pairFor(tokenA, tokenB);
        IERC20(tokenA).safeTransferFrom(msg.sender, pair, amountA);
        IERC20(tokenB).safeTransferFrom(msg.sender, pair, amountB);
        liquidity = IAmmPair(pair).mint(to);
    }

    /// @dev Sends each hop's output to the next pair, the last one to `to`. The first pair has been paid.
    function _swap(uint256[] memory amounts, address[] calldata path, address to) private {
        uint256 hops = path.length - 1;
        for (uint256 i = 0; i < hops; ++i) {
            (address input, address output) = (path[i], path[i + 1]);
            uint256 amountOut = amounts[i + 1];
            (uint256 amount0Out, uint256 amount1Out) = input < output ? (uint256(0), amountOut) : (amountOut, 0);
            address recipient = i < hops - 1 ? _pairFor(output, path[i + 2]) : to;
            IAmmPair(_pairFor(input, output)).swap(amount0Out, amount1Out, recipient);
        }
    }

    function _checkOutput(uint256[] memory amounts, uint256 amountOutMin) private pure returns (uint256 amountOut) {
        amountOut = amounts[amounts.length - 1];
        if (amountOut < amountOutMin) revert InsufficientOutputAmount(amountOut, amountOutMin);
    }

    function _pairFor(address tokenA, address tokenB) private view returns (address) {
        return AmmLibrary.pairFor(factory, pairCodeHash, tokenA, tokenB);
    }

    function _existingPair(address tokenA, address tokenB) private view returns (address pair) {
        pair = _pairFor(tokenA, tokenB);
        if (pair.code.length == 0) revert AmmLibrary.PairNotFound(tokenA, tokenB);
    }
}

// SPDX-License-Identifier: MIT
/*
 * AmmPair: one constant-product pool (x * y = k) of two ERC-20 tokens, in the
 * style of Uniswap V2, and at the same time the ERC-20 LP token ("AMM LP",
 * "AMM-LP") of that pool. Callers transfer tokens in first, then call:
 *   - mint(to):  deposit both tokens, receive LP tokens (the first mint locks
 *                MINIMUM_LIQUIDITY = 1000 LP at 0x...dEaD forever);
 *   - burn(to):  return LP tokens (sent to the pair first), receive both tokens;
 *   - swap(out0, out1, to): receive an output, paid by the input already sent,
 *                which must keep (b0*1000 - in0*3) * (b1*1000 - in1*3) >= r0*r1*1000^2
 *                (a 0.3% fee on the input stays in the pool);
 *   - skim(to) / sync(): reconcile the balances and the reserves.
 * No flash-swap callback. The pair is deployed by AmmFactory with CREATE2 and
 * no constructor arguments (so its address depends on the two tokens only);
 * the constructor reads its tokens back from the factory and keeps them as
 * immutables.
 *
 * Hotspots for parallel execution: every swap, mint, burn and sync writes
 * the packed reserves word (slot 6: reserve0, reserve1, blockTimestampLast),
 * so all trades on one pair conflict with each other (trades on different
 * pairs do not). The first reserve change in a block with time elapsed also
 * writes the TWAP accumulators (slots 7 and 8). Every state-changing call
 * writes the reentrancy lock `_status` (slot 5) to 2 and back to 1. Mint also
 * writes `_totalSupply` (slot 2) and the recipient's LP balance entry (and
 * DEAD's on the first mint); burn writes `_totalSupply` and the pair's own
 * LP balance entry. Outside the pair, each swap, mint and burn writes the
 * pair's balance entry in both token contracts.
 *
 * Storage layout (solc 0.8.28, checked against the compiler's
 * `storageLayout` output and by test/contracts/amm/amm.test.ts):
 *
 * | slot | variable             | type                                            |
 * |------|----------------------|-------------------------------------------------|
 * | 0    | _balances            | mapping(address => uint256)        (ERC20)      |
 * | 1    | _allowances          | mapping(address => mapping(address => uint256)) |
 * | 2    | _totalSupply         | uint256                            (ERC20)      |
 * | 3    | _name                | string                             (ERC20)      |
 * | 4    | _symbol              | string                             (ERC20)      |
 * | 5    | _status              | uint256                  (ReentrancyGuard)      |
 * | 6    | reserve0             | uint112, bytes 0-13 (lowest-order)              |
 * | 6    | reserve1             | uint112, bytes 14-27                            |
 * | 6    | blockTimestampLast   | uint32, bytes 28-31 (highest-order)             |
 * | 7    | price0CumulativeLast | uint256 (UQ112x112 price * seconds, wraps)      |
 * | 8    | price1CumulativeLast | uint256 (UQ112x112 price * seconds, wraps)      |
 *
 * `factory`, `token0` and `token1` are immutables and MINIMUM_LIQUIDITY /
 * DEAD are constants: they live in the code and take no slot.
 * LP balance of `a`: keccak256(abi.encode(a, 0)).
 */
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title Deployer interface the pair reads its tokens from
/// @notice Implemented by AmmFactory; only meaningful while the factory is creating a pair.
interface IAmmPairDeployer {
    /// @notice Tokens of the pair being created right now.
    /// @return token0 The smaller token address.
    /// @return token1 The larger token address.
    function deploymentParameters() external view returns (address token0, address token1);
}

/// @title Minimal AMM pair interface used by the router
/// @notice The pair functions the router calls.
interface IAmmPair {
    /// @notice Current reserves and the timestamp of their last update.
    /// @return reserve0 Reserve of token0.
    /// @return reserve1 Reserve of token1.
    /// @return blockTimestampLast Block timestamp (mod 2^32) of the last update.
    function getReserves() external view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast);

    /// @notice Mints LP tokens for the tokens transferred in since the last update.
    /// @param to Recipient of the LP tokens.
    /// @return liquidity LP tokens minted to `to`.
    function mint(address to) external returns (uint256 liquidity);

    /// @notice Burns the LP tokens held by the pair and sends out the underlying tokens.
    /// @param to Recipient of the tokens.
    /// @return amount0 Amount of token0 sent.
    /// @return amount1 Amount of token1 sent.
    function burn(address to) external returns (uint256 amount0, uint256 amount1);

    /// @notice Sends out the requested amounts, paid by the input transferred in beforehand.
    /// @param amount0Out Amount of token0 to send.
    /// @param amount1Out Amount of token1 to send.
    /// @param to Recipient of the output.
    function swap(uint256 amount0Out, uint256 amount1Out, address to) external;
}

/// @title Constant-product AMM pool and its LP token
/// @notice Holds two tokens, prices swaps by x*y=k with a 0.3% input fee, and mints/burns LP shares.
contract AmmPair is ERC20, ReentrancyGuard, IAmmPair {
    using SafeERC20 for IERC20;

    /// @notice LP tokens locked forever by the first mint, so the supply never returns to zero.
    uint256 public constant MINIMUM_LIQUIDITY = 1000;

    /// @notice Holder of the locked MINIMUM_LIQUIDITY (OpenZeppelin's ERC20 refuses to mint to address(0)).
    address public constant DEAD = 0x000000000000000000000000000000000000dEaD;

    /// @notice The factory that created this pair.
    address public immutable factory;
    /// @notice The pool's token with the smaller address.
    address public immutable token0;
    /// @notice The pool's token with the larger address.
    address public immutable token1;

    /// @notice Reserve of token0 (also returned by getReserves).
    uint112 public reserve0;
    /// @notice Reserve of token1 (also returned by getReserves).
    uint112 public reserve1;
    /// @notice Block timestamp (mod 2^32) of the last reserve update (also returned by getReserves).
    uint32 public blockTimestampLast;

    /// @notice Sum over time of the token0 price in token1 (UQ112x112, times seconds); wraps on overflow.
    uint256 public price0CumulativeLast;
    /// @notice Sum over time of the token1 price in token0 (UQ112x112, times seconds); wraps on overflow.
    uint256 public price1CumulativeLast;

    /// @notice Emitted when liquidity is added.
    /// @param sender Caller of `mint` (usually the router).
    /// @param amount0 Amount of token0 deposited.
    /// @param amount1 Amount of token1 deposited.
    event Mint(address indexed sender, uint256 amount0, uint256 amount1);

    /// @notice Emitted when liquidity is removed.
    /// @param sender Caller of `burn` (usually the router).
    /// @param amount0 Amount of token0 sent out.
    /// @param amount1 Amount of token1 sent out.
    /// @param to Recipient of the tokens.
    event Burn(address indexed sender, uint256 amount0, uint256 amount1, address indexed to);

    /// @notice Emitted on every swap.
    /// @param sender Caller of `swap` (usually the router).
    /// @param amount0In Amount of token0 paid in.
    /// @param amount1In Amount of token1 paid in.
    /// @param amount0Out Amount of token0 sent out.
    /// @param amount1Out Amount of token1 sent out.
    /// @param to Recipient of the output.
    event Swap(
        address indexed sender,
        uint256 amount0In,
        uint256 amount1In,
        uint256 amount0Out,
        uint256 amount1Out,
        address indexed to
    );

    /// @notice Emitted whenever the reserves are written.
    /// @param reserve0 New reserve of token0.
    /// @param reserve1 New reserve of token1.
    event Sync(uint112 reserve0, uint112 reserve1);

    /// @notice The deposit is too small to mint any LP token (or, on the first mint, more than MINIMUM_LIQUIDITY).
    /// @param amount0 Amount of token0 deposited.
    /// @param amount1 Amount of token1 deposited.
    error InsufficientLiquidityMinted(uint256 amount0, uint256 amount1);

    /// @notice The LP tokens returned are worth zero of one of the tokens.
    /// @param liquidity LP tokens returned.
    /// @param amount0 Amount of token0 they are worth.
    /// @param amount1 Amount of token1 they are worth.
    error InsufficientLiquidityBurned(uint256 liquidity, uint256 amount0, uint256 amount1);

    /// @notice A swap asked for no output at all.
    error InsufficientOutputAmount();

    /// @notice A swap was paid nothing in.
    error InsufficientInputAmount();

    /// @notice A swap asked for at least the whole reserve of a token.
    /// @param amount0Out Amount of token0 asked for.
    /// @param amount1Out Amount of token1 asked for.
    /// @param reserve0 Reserve of token0.
    /// @param reserve1 Reserve of token1.
    error InsufficientLiquidity(uint256 amount0Out, uint256 amount1Out, uint256 reserve0, uint256 reserve1);

    /// @notice The swap output cannot go to one of the pool's own tokens (or to the zero address).
    /// @param to The rejected recipient.
    error InvalidTo(address to);

    /// @notice The swap would decrease the fee-adjusted product of the reserves.
    /// @param balance0Adjusted New token0 balance * 1000 minus 3 * token0 input.
    /// @param balance1Adjusted New token1 balance * 1000 minus 3 * token1 input.
    /// @param reserve0 Reserve of token0 before the swap.
    /// @param reserve1 Reserve of token1 before the swap.
    error KViolated(uint256 balance0Adjusted, uint256 balance1Adjusted, uint256 reserve0, uint256 reserve1);

    /// @notice A balance does not fit the 112-bit reserves.
    /// @param balance0 Balance of token0.
    /// @param balance1 Balance of token1.
    error Overflow(uint256 balance0, uint256 balance1);

    /// @notice Created by the factory only: reads the pair's tokens from the deploying factory.
    /// @dev No arguments, so the creation code (and the CREATE2 address) depends on the tokens only via the salt.
    constructor() ERC20("AMM LP", "AMM-LP") {
        factory = msg.sender;
        (token0, token1) = IAmmPairDeployer(msg.sender).deploymentParameters();
    }

    /// @notice Current reserves and the timestamp of their last update.
    /// @return _reserve0 Reserve of token0.
    /// @return _reserve1 Reserve of token1.
    /// @return _blockTimestampLast Block timestamp (mod 2^32) of the last reserve update.
    function getReserves()
        public
        view
        returns (uint112 _reserve0, uint112 _reserve1, uint32 _blockTimestampLast)
    {
        _reserve0 = reserve0;
        _reserve1 = reserve1;
        _blockTimestampLast = blockTimestampLast;
    }

    /// @notice Mints LP tokens for the tokens transferred to the pair since the last update.
    /// @dev First mint: sqrt(amount0 * amount1) - MINIMUM_LIQUIDITY to `to`, MINIMUM_LIQUIDITY to DEAD.
    ///      Later: min(amount0 * supply / reserve0, amount1 * supply / reserve1). Emits Transfer, Sync, Mint.
    /// @param to Recipient of the LP tokens.
    /// @return liquidity LP tokens minted to `to`.
    function mint(address to) external nonReentrant returns (uint256 liquidity) {
        (uint112 _reserve0, uint112 _reserve1, ) = getReserves();
        uint256 balance0 = IERC20(token0).balanceOf(address(this));
        uint256 balance1 = IERC20(token1).balanceOf(address(this));
        uint256 amount0 = balance0 - _reserve0;
        uint256 amount1 = balance1 - _reserve1;

        uint256 supply = totalSupply();
        if (supply == 0) {
            uint256 root = Math.sqrt(amount0 * amount1);
            if (root <= MINIMUM_LIQUIDITY) revert InsufficientLiquidityMinted(amount0, amount1);
            liquidity = root - MINIMUM_LIQUIDITY;
            _mint(DEAD, MINIMUM_LIQUIDITY);
        } else {
            liquidity = Math.min((amount0 * supply) / _reserve0, (amount1 * supply) / _reserve1);
            if (liquidity == 0) revert InsufficientLiquidityMinted(amount0, amount1);
        }
        _mint(to, liquidity);

        _update(balance0, balance1, _reserve0, _reserve1);
        emit Mint(msg.sender, amount0, amount1);
    }

    /// @notice Burns the LP tokens the pair holds and sends the matching share of both tokens to `to`.
    /// @dev amountX = liquidity * balanceX / totalSupply. Emits Transfer (LP and tokens), Sync, Burn.
    /// @param to Recipient of the tokens.
    /// @return amount0 Amount of token0 sent.
    /// @return amount1 Amount of token1 sent.
    function burn(address to) external nonReentrant returns (uint256 amount0, uint256 amount1) {
        (uint112 _reserve0, uint112 _reserve1, ) = getReserves();
        address _token0 = token0;
        address _token1 = token1;
        uint256 balance0 = IERC20(_token0).balanceOf(address(this));
        uint256 balance1 = IERC20(_token1).balanceOf(address(this));
        uint256 liquidity = balanceOf(address(this));

        uint256 supply = totalSupply();
        if (supply == 0) revert InsufficientLiquidityBurned(liquidity, 0, 0); // never minted
        amount0 = (liquidity * balance0) / supply;
        amount1 = (liquidity * balance1) / supply;
        if (amount0 == 0 || amount1 == 0) revert InsufficientLiquidityBurned(liquidity, amount0, amount1);
        _burn(address(this), liquidity);
        IERC20(_token0).safeTransfer(to, amount0);
        IERC20(_token1).safeTransfer(to, amount1);

        balance0 = IERC20(_token0).balanceOf(address(this));
        balance1 = IERC20(_token1).balanceOf(address(this));
        _update(balance0, balance1, _reserve0, _reserve1);
        emit Burn(msg.sender, amount0, amount1, to);
    }

    /// @notice Sends `amount0Out` of token0 and `amount1Out` of token1 to `to`, paid by the input
    ///         transferred to the pair beforehand.
    /// @dev Optimistic transfer, then the check
    ///      (balance0*1000 - amount0In*3) * (balance1*1000 - amount1In*3) >= reserve0*reserve1*1000^2.
    ///      No flash-swap callback. Emits Transfer, Sync, Swap.
    /// @param amount0Out Amount of token0 to send.
    /// @param amount1Out Amount of token1 to send.
    /// @param to Recipient of the output; neither token of the pair nor the zero address.
    function swap(uint256 amount0Out, uint256 amount1Out, address to) external nonReentrant {
        if (amount0Out == 0 && amount1Out == 0) revert InsufficientOutputAmount();
        (uint112 _reserve0, uint112 _reserve1, ) = getReserves();
        if (amount0Out >= _reserve0 || amount1Out >= _reserve1) {
            revert InsufficientLiquidity(amount0Out, amount1Out, _reserve0, _reserve1);
        }

        uint256 balance0;
        uint256 balance1;
        {
            address _token0 = token0;
            address _token1 = token1;
            if (to == _token0 || to == _token1 || to == address(0)) revert InvalidTo(to);
            if (amount0Out > 0) IERC20(_token0).safeTransfer(to, amount0Out);
            if (amount1Out > 0) IERC20(_token1).safeTransfer(to, amount1Out);
            balance0 = IERC20(_token0).balanceOf(address(this));
            balance1 = IERC20(_token1).balanceOf(address(this));
        }
        if (balance0 > type(uint112).max || balance1 > type(uint112).max) revert Overflow(balance0, balance1);

        // Both outputs are below the reserves, so these subtractions cannot underflow.
        uint256 amount0In = balance0 > _reserve0 - amount0Out ? balance0 - (_reserve0 - amount0Out) : 0;
        uint256 amount1In = balance1 > _reserve1 - amount1Out ? balance1 - (_reserve1 - amount1Out) : 0;
        if (amount0In == 0 && amount1In == 0) revert InsufficientInputAmount();
        {
            // amountXIn <= balanceX, so balanceX*1000 - amountXIn*3 cannot underflow; with balances
            // below 2^112 the product stays below 2^244.
            uint256 balance0Adjusted = balance0 * 1000 - amount0In * 3;
            uint256 balance1Adjusted = balance1 * 1000 - amount1In * 3;
            if (balance0Adjusted * balance1Adjusted < uint256(_reserve0) * _reserve1 * 1_000_000) {
                revert KViolated(balance0Adjusted, balance1Adjusted, _reserve0, _reserve1);
            }
        }

        _update(balance0, balance1, _reserve0, _reserve1);
        emit Swap(msg.sender, amount0In, amount1In, amount0Out, amount1Out, to);
    }

    /// @notice Sends any token balance above the reserves (donations) to `to`, leaving the reserves unchanged.
    /// @param to Recipient of the surplus.
    function skim(address to) external nonReentrant {
        address _token0 = token0;
        address _token1 = token1;
        uint256 surplus0 = IERC20(_token0).balanceOf(address(this)) - reserve0;
        uint256 surplus1 = IERC20(_token1).balanceOf(address(this)) - reserve1;
        if (surplus0 > 0) IERC20(_token0).safeTransfer(to, surplus0);
        if (surplus1 > 0) IERC20(_token1).safeTransfer(to, surplus1);
    }

    /// @notice Sets the reserves to the pair's token balances (absorbing donations). Emits Sync.
    function sync() external nonReentrant {
        _update(
            IERC20(token0).balanceOf(address(this)),
            IERC20(token1).balanceOf(address(this)),
            reserve0,
            reserve1
        );
    }

    /// @dev Writes the new reserves and, on the first update of a block with time elapsed (and
    ///      non-empty reserves), adds price * seconds to the TWAP accumulators.
    function _update(uint256 balance0, uint256 balance1, uint112 _reserve0, uint112 _reserve1) private {
        if (balance0 > type(uint112).max || balance1 > type(uint112).max) revert Overflow(balance0, balance1);
        uint32 blockTimestamp = uint32(block.timestamp); // mod 2^32 on purpose
        unchecked {
            uint32 timeElapsed = blockTimestamp - blockTimestampLast; // wraps on purpose
            if (timeElapsed > 0 && _reserve0 != 0 && _reserve1 != 0) {
                // UQ112x112 prices: (reserve << 112) / otherReserve fits 224 bits; accumulators wrap.
                price0CumulativeLast += ((uint256(_reserve1) << 112) / _reserve0) * timeElapsed;
                price1CumulativeLast += ((uint256(_reserve0) << 112) / _reserve1) * timeElapsed;
            }
        }
        reserve0 = uint112(balance0);
        reserve1 = uint112(balance1);
        blockTimestampLast = blockTimestamp;
        emit Sync(uint112(balance0), uint112(balance1));
    }
}

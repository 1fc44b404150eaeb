// SPDX-License-Identifier: MIT
/*
 * AmmFactory: creates and registers the constant-product pairs (AmmPair), one
 * per unordered token pair, in the style of Uniswap V2's factory. Pairs are
 * deployed with CREATE2, salt keccak256(abi.encodePacked(token0, token1))
 * (token0 < token1), and creation code without constructor arguments, so a
 * pair's address follows from the two tokens alone:
 *   keccak256(0xff ++ factory ++ salt ++ pairCodeHash())[12:].
 * While a pair is being created the factory holds its tokens in two slots
 * that the pair's constructor reads back (deploymentParameters), then clears.
 *
 * Hotspots for parallel execution: only pair creation writes here, and every
 * creation writes the length of `allPairs` (slot 1), so two creations always
 * conflict; they also both write and clear slots 2 and 3. Trading does not
 * touch the factory: the router computes pair addresses with the CREATE2
 * formula instead of reading `_pairs`.
 *
 * Storage layout (solc 0.8.28, checked against the compiler's
 * `storageLayout` output and by test/contracts/amm/amm.test.ts):
 *
 * | slot | variable         | type                                            |
 * |------|------------------|-------------------------------------------------|
 * | 0    | _pairs           | mapping(address => mapping(address => address)) |
 * | 1    | allPairs         | address[]                                       |
 * | 2    | _deployingToken0 | address (non-zero only during createPair)       |
 * | 3    | _deployingToken1 | address (non-zero only during createPair)       |
 *
 * `_pairs` is keyed by the sorted tokens only: the pair of (token0, token1)
 * is at keccak256(abi.encode(token1, keccak256(abi.encode(token0, 0)))).
 * `allPairs[i]` is at keccak256(abi.encode(1)) + i. No immutables or constants.
 */
pragma solidity ^0.8.24;

import {AmmPair, IAmmPairDeployer} from "./AmmPair.sol";

/// @title Factory and registry of constant-product AMM pairs
/// @notice Deploys one AmmPair per unordered token pair at a CREATE2 address derived from the tokens.
contract AmmFactory is IAmmPairDeployer {
    mapping(address => mapping(address => address)) private _pairs;

    /// @notice Every pair created, in creation order.
    address[] public allPairs;

    address private _deployingToken0;
    address private _deployingToken1;

    /// @notice Emitted when a pair is created.
    /// @param token0 The pair's token with the smaller address.
    /// @param token1 The pair's token with the larger address.
    /// @param pair Address of the new pair.
    /// @param allPairsLength Number of pairs after this one was added.
    event PairCreated(address indexed token0, address indexed token1, address pair, uint256 allPairsLength);

    /// @notice Both tokens of the requested pair are the same.
    /// @param token The token given twice.
    error IdenticalAddresses(address token);

    /// @notice A token of the requested pair is the zero address.
    error ZeroAddress();

    /// @notice The pair of these tokens already exists.
    /// @param token0 The smaller token address.
    /// @param token1 The larger token address.
    /// @param pair The existing pair.
    error PairExists(address token0, address token1, address pair);

    /// @notice Deploys an empty factory.
    constructor() {}

    /// @notice Creates the pair of `tokenA` and `tokenB` (in either order).
    /// @dev CREATE2 with salt keccak256(abi.encodePacked(token0, token1)). Emits PairCreated.
    /// @param tokenA One token.
    /// @param tokenB The other token.
    /// @return pair Address of the new pair.
    function createPair(address tokenA, address tokenB) external returns (address pair) {
        if (tokenA == tokenB) revert IdenticalAddresses(tokenA);
        (address token0, address token1) = tokenA < tokenB ? (tokenA, tokenB) : (tokenB, tokenA);
        if (token0 == address(0)) revert ZeroAddress();
        address existing = _pairs[token0][token1];
        if (existing != address(0)) revert PairExists(token0, token1, existing);

        _deployingToken0 = token0;
        _deployingToken1 = token1;
        pair = address(new AmmPair{salt: keccak256(abi.encodePacked(token0, token1))}());
        delete _deployingToken0;
        delete _deployingToken1;

        _pairs[token0][token1] = pair;
        allPairs.push(pair);
        emit PairCreated(token0, token1, pair, allPairs.length);
    }

    /// @notice The pair of two tokens, given in either order.
    /// @param tokenA One token.
    /// @param tokenB The other token.
    /// @return pair The pair's address, or the zero address if it was never created.
    function getPair(address tokenA, address tokenB) external view returns (address pair) {
        pair = tokenA < tokenB ? _pairs[tokenA][tokenB] : _pairs[tokenB][tokenA];
    }

    /// @notice Number of pairs created so far.
    /// @return The length of `allPairs`.
    function allPairsLength() external view returns (uint256) {
        return allPairs.length;
    }

    /// @notice keccak256 of AmmPair's creation code, for computing pair addresses off-chain.
    /// @return The init code hash used in the CREATE2 address of every pair.
    function pairCodeHash() external pure returns (bytes32) {
        return keccak256(type(AmmPair).creationCode);
    }

    /// @notice Tokens of the pair being created; read by AmmPair's constructor.
    /// @dev Both are the zero address outside `createPair`.
    /// @return token0 The smaller token address.
    /// @return token1 The larger token address.
    function deploymentParameters() external view returns (address token0, address token1) {
        return (_deployingToken0, _deployingToken1);
    }
}

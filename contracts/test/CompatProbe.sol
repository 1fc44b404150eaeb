// SPDX-License-Identifier: MIT
/*
 * CompatProbe (test helper): one contract with every behaviour the toolbox
 * compatibility suite (test/compat) asserts on both networks: events with
 * indexed and non-indexed arguments, every kind of revert (reason string,
 * custom error with arguments, panics, no reason), ether payouts to several
 * accounts, a time lock, an owner check, storage that can be cleared (gas
 * refund) and a call forwarded with all remaining gas (the 63/64 rule), so
 * that gas estimates differ from the gas used. Not part of the protocol;
 * never deployed by workloads.
 *
 * Storage layout (solc 0.8.28):
 *
 * | slot | variable   | type                        |
 * |------|------------|-----------------------------|
 * | 0    | values     | mapping(uint256 => uint256) |
 * | 1    | counter    | uint256                     |
 * | 2    | owner      | address                     |
 * | 3    | unlockTime | uint256                     |
 *
 * Value stored under `key`: keccak256(abi.encode(key, 0)).
 */
pragma solidity ^0.8.24;

/// @title Toolbox compatibility probe (tests only)
contract CompatProbe {
    /// @notice The caller is not the owner.
    /// @param caller Who called.
    /// @param code The code the caller passed.
    error Unauthorized(address caller, uint256 code);

    /// @notice A custom error without arguments.
    error Empty();

    /// @notice A value was stored.
    event Stored(address indexed by, uint256 indexed key, uint256 value, string note);

    /// @notice Ether arrived without calldata.
    event Received(address from, uint256 amount);

    /// @notice The counter moved; `at` is the block timestamp.
    event Ticked(uint256 counter, uint256 at);

    mapping(uint256 => uint256) public values;
    uint256 public counter;
    address public owner;
    uint256 public unlockTime;

    /// @param unlockIn How many seconds after the deployment block `withdraw` starts working. (A duration,
    ///        not a timestamp, so the deployment's calldata, hence its gas, never depends on the clock.)
    constructor(uint256 unlockIn) payable {
        owner = msg.sender;
        unlockTime = block.timestamp + unlockIn;
    }

    receive() external payable {
        emit Received(msg.sender, msg.value);
    }

    /// @notice Stores `value` under `key` and bumps the counter.
    function store(uint256 key, uint256 value, string calldata note) external {
        values[key] = value;
        counter += 1;
        emit Stored(msg.sender, key, value, note);
    }

    /// @notice Stores `value` under each of `count` consecutive keys from `firstKey` (gas grows with count).
    function storeMany(uint256 firstKey, uint256 count, uint256 value) external {
        for (uint256 i = 0; i < count; ++i) values[firstKey + i] = value;
        counter += count;
    }

    /// @notice Clears the value under `key` (a storage refund, so the gas used is below the gas needed).
    function clear(uint256 key) external {
        delete values[key];
    }

    /// @notice Bumps the counter and emits it with the block timestamp.
    function tick() external {
        counter += 1;
        emit Ticked(counter, block.timestamp);
    }

    /// @notice Owner only: bumps the counter by `code`.
    function ownerOnly(uint256 code) external {
        if (msg.sender != owner) revert Unauthorized(msg.sender, code);
        counter += code;
    }

    /// @notice Reverts with `reason`.
    function failWith(string calldata reason) external pure {
        revert(reason);
    }

    /// @notice Requires x > 10, then adds x to the counter.
    function requireAbove10(uint256 x) external {
        require(x > 10, "x too small");
        counter += x;
    }

    /// @notice Always reverts with Empty().
    function failEmpty() external pure {
        revert Empty();
    }

    /// @notice Reverts without data.
    function failWithoutReason() external pure {
        revert();
    }

    /// @notice a / b (panic 0x12 when b is 0); bumps the counter.
    function divide(uint256 a, uint256 b) external returns (uint256) {
        counter += 1;
        return a / b;
    }

    /// @notice a + b in 8 bits (panic 0x11 on overflow).
    function add8(uint8 a, uint8 b) external pure returns (uint8) {
        return a + b;
    }

    /// @notice assert(false): panic 0x01.
    function failAssert() external pure {
        assert(false);
    }

    /// @notice Reads index `i` of a 3-element array (panic 0x32 when out of bounds).
    function at(uint256 i) external pure returns (uint256) {
        uint256[3] memory xs = [uint256(7), 8, 9];
        return xs[i];
    }

    /// @notice Sends `amounts[i]` wei to `to[i]` out of the ether sent.
    function payout(address payable[] calldata to, uint256[] calldata amounts) external payable {
        for (uint256 i = 0; i < to.length; ++i) {
            (bool ok, ) = to[i].call{value: amounts[i]}("");
            require(ok, "payout failed");
        }
    }

    /// @notice Sends the whole balance to the owner once `unlockTime` has passed.
    function withdraw() external {
        require(block.timestamp >= unlockTime, "still locked");
        require(msg.sender == owner, "not owner");
        payable(owner).transfer(address(this).balance);
    }

    /// @notice Calls `target` with `data` and every bit of gas the 63/64 rule allows; reverts if it fails.
    function forward(address target, bytes calldata data) external returns (bytes memory) {
        (bool ok, bytes memory ret) = target.call(data);
        require(ok, "forwarded call failed");
        return ret;
    }

    /// @notice Several values at once, for staticCall.
    function snapshot() external view returns (uint256, address, uint256, uint256) {
        return (counter, owner, unlockTime, address(this).balance);
    }
}

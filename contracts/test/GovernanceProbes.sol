// SPDX-License-Identifier: MIT
/*
 * Governance probes (test helpers): OpenZeppelin's checkpointed votes token
 * (ERC20Votes, clock in block numbers or in timestamps, ERC-6372), a
 * governor, a vesting wallet and a timelock, as real projects use them. The
 * call-context tests run them on Hardhat's network and on the parallel
 * network, because their answers depend on the block number and timestamp a
 * call sees. Not part of the protocol; never deployed by workloads.
 *
 * Storage layout: OpenZeppelin 5.4's (ERC-7201 namespaced where it is so).
 */
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";
import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorCountingSimple} from "@openzeppelin/contracts/governance/extensions/GovernorCountingSimple.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {GovernorVotesQuorumFraction} from "@openzeppelin/contracts/governance/extensions/GovernorVotesQuorumFraction.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {VestingWallet} from "@openzeppelin/contracts/finance/VestingWallet.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @notice A votes token whose clock is the block number (ERC20Votes' default).
contract VotesToken is ERC20, ERC20Permit, ERC20Votes {
    constructor(uint256 supply) ERC20("Votes", "VOTE") ERC20Permit("Votes") {
        _mint(msg.sender, supply);
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }

    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }
}

/// @notice A votes token whose clock is the block timestamp (ERC-6372 "mode=timestamp").
contract TimestampVotesToken is VotesToken {
    constructor(uint256 supply) VotesToken(supply) {}

    function clock() public view override returns (uint48) {
        return Time.timestamp();
    }

    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override returns (string memory) {
        return "mode=timestamp";
    }
}

/// @notice A governor with a 1-block voting delay, a 5-block voting period and a 4% quorum.
contract ProbeGovernor is Governor, GovernorSettings, GovernorCountingSimple, GovernorVotes, GovernorVotesQuorumFraction {
    constructor(IVotes token)
        Governor("ProbeGovernor")
        GovernorSettings(1, 5, 0)
        GovernorVotes(token)
        GovernorVotesQuorumFraction(4)
    {}

    function votingDelay() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingDelay();
    }

    function votingPeriod() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingPeriod();
    }

    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.proposalThreshold();
    }

    function quorum(uint256 timepoint) public view override(Governor, GovernorVotesQuorumFraction) returns (uint256) {
        return super.quorum(timepoint);
    }
}

/// @notice OpenZeppelin's vesting wallet, compiled for the tests.
contract ProbeVestingWallet is VestingWallet {
    constructor(address beneficiary, uint64 start, uint64 duration) payable VestingWallet(beneficiary, start, duration) {}
}

/// @notice OpenZeppelin's timelock, compiled for the tests.
contract ProbeTimelock is TimelockController {
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors)
        TimelockController(minDelay, proposers, executors, address(0))
    {}
}

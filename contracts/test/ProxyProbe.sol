// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// Test probe for parallel-conflicts: storage behind an EIP-1967 proxy is
/// named with the implementation's layout (test/analysis/conflict-proxy.test.ts).
contract ProbeProxy {
    /// keccak256("eip1967.proxy.implementation") - 1
    bytes32 private constant IMPLEMENTATION_SLOT = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;

    constructor(address implementation) {
        assembly {
            sstore(IMPLEMENTATION_SLOT, implementation)
        }
    }

    fallback() external payable {
        assembly {
            let implementation := sload(IMPLEMENTATION_SLOT)
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), implementation, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            switch ok
            case 0 {
                revert(0, returndatasize())
            }
            default {
                return(0, returndatasize())
            }
        }
    }
}

/// The implementation: a per-caller count (no conflict) and a global total (a hotspot).
contract ProbeCounter {
    uint256 public total;
    mapping(address => uint256) public counts;

    function bump() external {
        counts[msg.sender] += 1;
        total += 1;
    }
}

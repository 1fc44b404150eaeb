import type { HardhatUserConfig } from "hardhat/config";
import "@nomicfoundation/hardhat-toolbox";

// The plugin, imported the way a user imports "hardhat-parallel".
import "./plugin";
// This repository compiles with the npm `solc` package, never downloading,
// through the plugin's opt-in module (what users import as "hardhat-parallel/offline-solc").
import "./plugin/offline-solc";

const config: HardhatUserConfig = {
  solidity: {
    // Exactly the version of the pinned npm `solc` package: plugin/offline-solc.ts
    // refuses any other.
    version: "0.8.28",
    settings: {
      optimizer: { enabled: true, runs: 200 },
      // Cancun, as on Hardhat's default network (osaka): the test probes use
      // BLOBBASEFEE and OpenZeppelin's governance code uses MCOPY.
      evmVersion: "cancun",
    },
  },
  // Example of the plugin's options; see plugin/hardhat/config.ts.
  parallel: {
    workers: 2,
  },
  mocha: {
    // Benchmarks and mainnet-block replays run inside tests.
    timeout: 600000,
  },
};

export default config;

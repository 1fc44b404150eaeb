// hardhat-parallel: parallel (Block-STM) EVM execution for Hardhat 2.
//
// This entry only declares the plugin: config typing, config resolution and
// task registration. Everything heavy is imported lazily by the tasks.
import "./hardhat/type-extensions";

import { extendConfig } from "hardhat/config";

import { resolveParallelConfig } from "./hardhat/config";
import "./hardhat/tasks";
import "./hardhat/network";

extendConfig((config, userConfig) => {
  config.parallel = resolveParallelConfig(userConfig.parallel);
  // parallel-conflicts names storage slots as Solidity variables from the
  // compiler's storage layouts (as OpenZeppelin's upgrades plugin does, the
  // layout is requested for every contract; the first compile after adding
  // the plugin recompiles everything once).
  for (const compiler of [...config.solidity.compilers, ...Object.values(config.solidity.overrides)]) {
    const selection = (compiler.settings.outputSelection ??= {});
    const perContract = ((selection["*"] ??= {})["*"] ??= []);
    if (!perContract.includes("storageLayout")) perContract.push("storageLayout");
  }
});

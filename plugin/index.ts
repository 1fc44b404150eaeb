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
});

// Adds the `parallel` section to Hardhat's config types. Imported for its
// side effect by the plugin entry; importing "hardhat-parallel" is enough for
// users to get it.
import "hardhat/types/config";

import type { ParallelConfig, ParallelUserConfig } from "./config";

declare module "hardhat/types/config" {
  interface HardhatUserConfig {
    /** Options of hardhat-parallel; every field is optional. */
    parallel?: ParallelUserConfig;
  }

  interface HardhatConfig {
    /** Options of hardhat-parallel, validated and with defaults applied. */
    parallel: ParallelConfig;
  }
}

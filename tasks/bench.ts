// PLACEHOLDER so that hardhat.config.ts loads before the real action exists.
// To be replaced by the bench action.
import type { HardhatRuntimeEnvironment } from "hardhat/types";

import { pluginError } from "../plugin/hardhat/errors";
import type { BenchTaskArgs } from "../plugin/hardhat/task-args";

export async function benchAction(_args: BenchTaskArgs, _hre: HardhatRuntimeEnvironment): Promise<unknown> {
  throw pluginError("not implemented yet");
}

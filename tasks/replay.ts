// PLACEHOLDER so that hardhat.config.ts loads before the real action exists.
// To be replaced by the replay action.
import type { HardhatRuntimeEnvironment } from "hardhat/types";

import { pluginError } from "../plugin/hardhat/errors";
import type { ReplayTaskArgs } from "../plugin/hardhat/task-args";

export async function replayAction(_args: ReplayTaskArgs, _hre: HardhatRuntimeEnvironment): Promise<unknown> {
  throw pluginError("not implemented yet");
}

import { HardhatPluginError } from "hardhat/plugins";

/** The name Hardhat prints in front of every error this plugin throws. */
export const PLUGIN_NAME = "hardhat-parallel";

/**
 * Builds the error for user misuse (bad config, bad task arguments).
 *
 * The message should name the offending field or argument, what was given,
 * what is valid and how to fix it: Hardhat prints it as "Error in plugin
 * hardhat-parallel: <message>", with a stack trace only on CI or with
 * --show-stack-traces.
 * Broken invariants inside the engine are not user misuse and should not use
 * this helper.
 */
export function pluginError(message: string, parent?: Error): HardhatPluginError {
  return new HardhatPluginError(PLUGIN_NAME, message, parent);
}

// Offline compilation for this repository (CI and development machines
// without access to binaries.soliditylang.org).
//
// Hardhat normally downloads the compiler for the configured version. For the
// version that the pinned npm package `solc` ships, this override hands
// Hardhat that package's wasm build instead; any other version takes Hardhat's
// usual path (runSuper). It belongs to this project's config only: the plugin
// must never change how its users obtain compilers.
import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import type { SolcBuild } from "hardhat/types/builtin-tasks";

// `solc` ships no type declarations; only these two entry points are used.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const solc = require("solc") as { version(): string };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version: BUNDLED_SOLC_VERSION } = require("solc/package.json") as { version: string };

/**
 * The bundled compiler's long version in the form Hardhat's compiler list
 * uses ("0.8.28+commit.7893614a"). `solc.version()` appends the build
 * platform (".Emscripten.clang"); dropping it keeps the build-info files the
 * same as those of a downloaded compiler.
 */
export function bundledSolcLongVersion(): string {
  const full = solc.version();
  const match = /^\d+\.\d+\.\d+\+commit\.[0-9a-f]+/.exec(full);
  return match !== null ? match[0] : full;
}

export { BUNDLED_SOLC_VERSION };

subtask(
  TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD,
  async (args: { quiet: boolean; solcVersion: string }, _hre, runSuper): Promise<SolcBuild> => {
    if (args.solcVersion !== BUNDLED_SOLC_VERSION) {
      return runSuper(args);
    }
    return {
      compilerPath: require.resolve("solc/soljson.js"),
      isSolcJs: true,
      version: args.solcVersion,
      longVersion: bundledSolcLongVersion(),
    };
  },
);

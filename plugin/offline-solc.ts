// hardhat-parallel/offline-solc: compile with the project's npm `solc`
// package instead of downloading compilers (opt-in).
//
//   // hardhat.config.ts
//   import "hardhat-parallel/offline-solc";
//   export default { solidity: "0.8.28" }; // the version of the installed `solc`
//
// For machines that reach the npm registry but not binaries.soliditylang.org.
// Every configured compiler version must equal the installed package's
// version; any other is refused with an error that says what to pin. This
// entry only registers the override; the logic is plugin/hardhat/offline-solc.ts.
import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, TASK_COMPILE_SOLIDITY_RUN_SOLCJS } from "hardhat/builtin-tasks/task-names";
import type { SolcBuild } from "hardhat/types/builtin-tasks";

import { findInstalledSolc, offlineSolcBuild, runSolcjsOnHeap, solcLongVersion } from "./hardhat/offline-solc";

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, hre): Promise<SolcBuild> =>
  offlineSolcBuild(args.solcVersion, findInstalledSolc(hre.config.paths.root), solcLongVersion),
);

// Hardhat's own solcjs runner passes the compiler input on the wasm stack, which a large project overflows.
subtask(TASK_COMPILE_SOLIDITY_RUN_SOLCJS, async (args: { input: unknown; solcJsPath: string }) => runSolcjsOnHeap(args.input, args.solcJsPath));

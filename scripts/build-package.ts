// Builds the npm package into dist/ (run by `npm pack` through `prepack`):
//
// - the plugin and its tasks compiled to JavaScript with type declarations
//   (tsconfig.build.json), plus the worker threads' plain-JS entry;
// - the bundled contracts' artifacts (ABI, creation and runtime bytecode,
//   storage layout and immutables' places) as
//   dist/bundled-artifacts/<Name>.json, so the workloads and parallel-bench
//   work in a user's project without compiling this repository's Solidity.
//
// Run with `npx hardhat run scripts/build-package.ts` (it compiles first).
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import hre from "hardhat";

import { BUNDLED_CONTRACT_FOLDERS } from "../plugin/workloads/bundled-artifacts";

const ROOT = path.resolve(__dirname, "..");
const DIST = path.join(ROOT, "dist");

async function main(): Promise<void> {
  rmSync(DIST, { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(ROOT, "tsconfig.build.json")], { stdio: "inherit" });
  copyFileSync(path.join(ROOT, "plugin/engine/worker-entry.js"), path.join(DIST, "plugin/engine/worker-entry.js"));

  await hre.run("compile", { quiet: true });
  const out = path.join(DIST, "bundled-artifacts");
  mkdirSync(out, { recursive: true });
  let count = 0;
  for (const name of await hre.artifacts.getAllFullyQualifiedNames()) {
    const folder = /^contracts\/([^/]+)\//.exec(name)?.[1];
    if (folder === undefined || !(BUNDLED_CONTRACT_FOLDERS as readonly string[]).includes(folder)) continue;
    const a = await hre.artifacts.readArtifact(name);
    if (a.bytecode === "0x") continue; // interfaces and libraries without code
    // The storage layout and immutables' places let parallel-conflicts name the workloads' slots in a user's project.
    const compiled = (await hre.artifacts.getBuildInfo(name))?.output.contracts[a.sourceName]?.[a.contractName] as
      | { storageLayout?: unknown; evm?: { deployedBytecode?: { immutableReferences?: unknown } } }
      | undefined;
    writeFileSync(
      path.join(out, `${a.contractName}.json`),
      JSON.stringify({
        contractName: a.contractName,
        sourceName: a.sourceName,
        abi: a.abi,
        bytecode: a.bytecode,
        deployedBytecode: a.deployedBytecode,
        storageLayout: compiled?.storageLayout,
        immutableReferences: compiled?.evm?.deployedBytecode?.immutableReferences ?? {},
      }) + "\n",
    );
    count++;
  }
  console.log(`dist/: plugin compiled, ${count} bundled contract artifacts written`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});

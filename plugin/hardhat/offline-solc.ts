// Offline compilation with the project's npm `solc` package (opt-in).
//
// Hardhat 2 downloads the compiler for every configured Solidity version from
// binaries.soliditylang.org. Machines that reach only the npm registry (CI
// runners behind a proxy, air-gapped hosts) cannot do that, but they can
// install the npm package `solc`, which ships one compiler version as wasm
// (soljson.js). Importing "hardhat-parallel/offline-solc" in hardhat.config.ts
// makes Hardhat compile with that package instead of downloading; without the
// import nothing here runs and Hardhat behaves as usual.
//
// The decision is a plain function (`offlineSolcBuild`) so it can be tested
// without running a compilation; plugin/offline-solc.ts only registers it.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { SolcBuild } from "hardhat/types/builtin-tasks";

import { pluginError } from "./errors";

/** The module users import to turn this on; named in every error. */
export const OFFLINE_SOLC_MODULE = "hardhat-parallel/offline-solc";

/** The npm `solc` package as installed in the user's project. */
export interface InstalledSolc {
  /** The package's version, which is the version of the compiler it ships ("0.8.28"). */
  readonly version: string;
  /** The package's folder. */
  readonly dir: string;
}

/**
 * Finds the `solc` package that the project at `projectRoot` installed.
 *
 * Resolved from the project, not from this plugin: `solc` is the user's
 * dependency (they choose its version), and under strict layouts such as
 * pnpm's the plugin could not see it from its own folder.
 */
export function findInstalledSolc(projectRoot: string): InstalledSolc | undefined {
  let manifest: string;
  try {
    manifest = require.resolve("solc/package.json", { paths: [projectRoot] });
  } catch {
    return undefined;
  }
  const { version } = JSON.parse(readFileSync(manifest, "utf8")) as { version: string };
  return { version, dir: path.dirname(manifest) };
}

/**
 * The compiler build Hardhat should use for `solcVersion`: the installed
 * package's wasm compiler when the versions are equal. Throws a plugin error
 * that says what to install or configure when there is no package or it ships
 * another version: falling back to a download would fail on exactly the
 * machines this is for, with a network error that names nothing useful.
 *
 * `longVersion` yields the compiler's full version ("0.8.28+commit.7893614a");
 * it is a parameter because reading it loads the compiler (a few seconds), and
 * tests should not.
 */
export function offlineSolcBuild(
  solcVersion: string,
  installed: InstalledSolc | undefined,
  longVersion: (installed: InstalledSolc) => string,
): SolcBuild {
  if (installed === undefined) {
    throw pluginError(
      `${OFFLINE_SOLC_MODULE} compiles with the npm package "solc", which is not installed in this project. ` +
        `Install the version your config uses: npm install --save-dev --save-exact solc@${solcVersion}. ` +
        `With internet access you can instead remove the import "${OFFLINE_SOLC_MODULE}" from hardhat.config.ts ` +
        `and let Hardhat download compilers.`,
    );
  }
  if (installed.version !== solcVersion) {
    throw pluginError(
      `Your config compiles with Solidity ${solcVersion}, but ${OFFLINE_SOLC_MODULE} compiles only with the npm ` +
        `package "solc" installed in this project, which is ${installed.version}. Either pin the package to the ` +
        `config's version (npm install --save-dev --save-exact solc@${solcVersion}) or set the config's version to ` +
        `the package's (solidity: "${installed.version}" in hardhat.config.ts). Every compiler version in the config ` +
        `(solidity.compilers and solidity.overrides included) must be ${installed.version}.`,
    );
  }
  return {
    compilerPath: path.join(installed.dir, "soljson.js"),
    isSolcJs: true,
    version: solcVersion,
    longVersion: longVersion(installed),
  };
}

/** Long versions already read, by package folder: loading a compiler takes seconds. */
const longVersions = new Map<string, string>();

/**
 * The installed compiler's version in the form Hardhat's compiler list uses
 * ("0.8.28+commit.7893614a"). `solc.version()` appends the build platform
 * (".Emscripten.clang"); dropping it keeps build-info files the same as those
 * of a downloaded compiler.
 */
export function solcLongVersion(installed: InstalledSolc): string {
  let long = longVersions.get(installed.dir);
  if (long === undefined) {
    // `solc` ships no type declarations; only `version()` is used.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const solc = require(installed.dir) as { version(): string };
    const full = solc.version();
    long = /^\d+\.\d+\.\d+\+commit\.[0-9a-f]+/.exec(full)?.[0] ?? full;
    longVersions.set(installed.dir, long);
  }
  return long;
}

/**
 * A program that compiles the standard JSON input on stdin with the
 * soljson.js named as its last argument and prints the output. The same call
 * as solc-js's `solidity_compile` binding, but with the input copied into
 * memory from the compiler's own allocator: solc-js's binding declares it a
 * 'string' argument, which Emscripten copies onto the small, fixed wasm
 * stack, and a large project's input (OpenZeppelin Contracts: 1.4 MB)
 * overflows it with "RuntimeError: memory access out of bounds".
 */
export const HEAP_SOLCJS_RUNNER = `const soljson = require(process.argv[process.argv.length - 1]);
const chunks = [];
process.stdin.on("data", (chunk) => chunks.push(chunk));
process.stdin.on("end", () => {
  const input = Buffer.concat(chunks);
  const pointer = soljson._solidity_alloc(input.length + 1);
  // HEAPU8 is read after the allocation: growing the memory replaces it.
  soljson.HEAPU8.set(input, pointer);
  soljson.HEAPU8[pointer + input.length] = 0;
  process.stdout.write(soljson.UTF8ToString(soljson._solidity_compile(pointer, 0, 0)));
});
`;

/** Compiles `input` with the wasm compiler at `solcJsPath` in a child process, the input on the wasm heap. */
export function runSolcjsOnHeap(input: unknown, solcJsPath: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ["-e", HEAP_SOLCJS_RUNNER, solcJsPath], { maxBuffer: 2 ** 30 }, (error, stdout) => {
      if (error !== null) reject(pluginError(`the wasm compiler ${solcJsPath} failed: ${error.message}`));
      else resolve(JSON.parse(stdout));
    });
    child.stdin!.end(JSON.stringify(input));
  });
}

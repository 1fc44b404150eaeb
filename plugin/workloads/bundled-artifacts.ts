/**
 * The compiled bundled contracts (tokens, AMM, lending, NFT) that workloads
 * deploy. The published package ships them as JSON beside its compiled code
 * (`dist/bundled-artifacts/<Name>.json`, written by
 * `scripts/build-package.ts`), so `parallel-bench` works in a user's project
 * without compiling anything there. Running from this repository's sources
 * there is no such folder, and callers fall back to Hardhat's artifacts of
 * `contracts/`.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import type { ArtifactReader, ContractArtifact } from "./builder";

/** Source folders (under `contracts/`) whose contracts are bundled; `contracts/test` is not. */
export const BUNDLED_CONTRACT_FOLDERS = ["tokens", "amm", "lending", "nft"] as const;

/** Where the package keeps them: dist/bundled-artifacts, next to dist/plugin. */
export const SHIPPED_ARTIFACTS_DIR = path.resolve(__dirname, "..", "..", "bundled-artifacts");

/** A reader over the shipped artifacts, or undefined when running from sources. */
export function shippedArtifactReader(dir = SHIPPED_ARTIFACTS_DIR): ArtifactReader | undefined {
  if (!existsSync(dir)) return undefined;
  const cache = new Map<string, ContractArtifact>();
  return (name) => {
    let artifact = cache.get(name);
    if (artifact === undefined) {
      const file = path.join(dir, `${name}.json`);
      if (!existsSync(file)) throw new Error(`hardhat-parallel ships no compiled contract named ${name} (looked for ${file}); the package may be damaged, reinstall it`);
      artifact = JSON.parse(readFileSync(file, "utf8")) as ContractArtifact;
      cache.set(name, artifact);
    }
    return artifact;
  };
}

/** A shipped contract as the conflict analysis needs it (storage layout and immutables, from the build). */
export interface ShippedContract {
  contractName: string;
  abi?: readonly unknown[];
  deployedBytecode: string;
  storageLayout?: unknown;
  immutableReferences?: Record<string, { start: number; length: number }[]>;
}

/** Every shipped contract, or none when running from sources. */
export function shippedContracts(dir = SHIPPED_ARTIFACTS_DIR): ShippedContract[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), "utf8")) as ShippedContract);
}

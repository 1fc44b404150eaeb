import type { HardhatRuntimeEnvironment } from "hardhat/types";

import { shippedArtifactReader } from "../workloads";
import type { ArtifactReader } from "../workloads";

/**
 * The compiled contracts the workloads deploy: those the package ships, or,
 * running from this repository's sources, Hardhat's artifacts of contracts/
 * (compiled first). A user's own project is never compiled by the tasks.
 */
export async function bundledArtifacts(hre: HardhatRuntimeEnvironment): Promise<ArtifactReader> {
  const shipped = shippedArtifactReader();
  if (shipped !== undefined) return shipped;
  await hre.run("compile", { quiet: true });
  return (name) => hre.artifacts.readArtifactSync(name);
}

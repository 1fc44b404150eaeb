/**
 * A project of any size for the startup measurement of `parallel-bench
 * --vs-hardhat`: this project's artifacts listed again and again under other
 * source names until there are `count`, read on demand from the real ones.
 * It counts every read, so the bench can show that creating the network reads
 * none (artifacts are read only when a revert first needs a custom error's
 * name; network-factory.ts).
 */
import type { Artifact, Artifacts } from "hardhat/types";

export interface LargeProject {
  artifacts: Artifacts;
  /** Names listed (getAllFullyQualifiedNames). */
  count: number;
  /** Artifact, build-info and name-list reads so far. */
  reads(): number;
}

/** The fully qualified names of copy `copy`: "contracts/Copy7/Token.sol:Token" for "contracts/Token.sol:Token". */
function copyName(name: string, copy: number): string {
  return copy === 0 ? name : `contracts/Copy${copy}/${name.replace(/^contracts\//, "")}`;
}

export async function largeProject(real: Artifacts, count: number): Promise<LargeProject> {
  const own = await real.getAllFullyQualifiedNames();
  if (own.length === 0) throw new Error("the project has no artifacts to repeat: compile it first (npx hardhat compile)");
  const names: string[] = [];
  const original = new Map<string, string>();
  for (let copy = 0; names.length < count; copy++) {
    for (const name of own) {
      if (names.length === count) break;
      const listed = copyName(name, copy);
      names.push(listed);
      original.set(listed, name);
    }
  }
  let reads = 0;
  const resolve = (name: string) => original.get(name) ?? name;
  // A copy's artifact names its copy's source, as a real project's would.
  const relabel = (artifact: Artifact, name: string): Artifact => (name.includes(":") ? { ...artifact, sourceName: name.slice(0, name.lastIndexOf(":")) } : artifact);
  const overrides: Partial<Artifacts> = {
    getAllFullyQualifiedNames: async () => {
      reads++;
      return [...names];
    },
    readArtifact: async (name: string) => {
      reads++;
      return relabel(await real.readArtifact(resolve(name)), name);
    },
    readArtifactSync: (name: string) => {
      reads++;
      return relabel(real.readArtifactSync(resolve(name)), name);
    },
    getBuildInfo: async (name: string) => {
      reads++;
      return real.getBuildInfo(resolve(name));
    },
    getBuildInfoPaths: async () => {
      reads++;
      return real.getBuildInfoPaths();
    },
  };
  const artifacts = new Proxy(real, {
    get: (target, key, receiver) => {
      if (key in overrides) return overrides[key as keyof Artifacts];
      const value = Reflect.get(target, key, receiver) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { artifacts, count: names.length, reads: () => reads };
}

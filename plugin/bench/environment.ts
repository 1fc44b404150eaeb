/**
 * What a bench report records about where it ran (metrics.md: every report
 * names the machine's cores and Node version): the plugin's version, Node,
 * and the machine's cores, CPU model, OS and memory, so two JSON reports can
 * be compared knowing whether they came from the same setup.
 */
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export interface BenchMachine {
  /** Threads the OS lets this process run at once (os.availableParallelism()). */
  cores: number;
  /** The first CPU's model string, as the OS reports it. */
  cpuModel: string;
  /** OS name and release, e.g. "Linux 6.1.0". */
  os: string;
  /** Platform and architecture, e.g. "linux x64". */
  platform: string;
  totalMemoryBytes: number;
}

export interface BenchEnvironment {
  plugin: { name: string; version: string };
  node: string;
  machine: BenchMachine;
}

export function benchEnvironment(): BenchEnvironment {
  return { plugin: pluginPackage(), node: process.version, machine: thisMachine() };
}

export function thisMachine(): BenchMachine {
  return {
    cores: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? "unknown",
    os: `${os.type()} ${os.release()}`,
    platform: `${os.platform()} ${os.arch()}`,
    totalMemoryBytes: os.totalmem(),
  };
}

const PACKAGE_NAME = "hardhat-parallel";

/**
 * The plugin's own package.json: the repository's root when running from the
 * sources (plugin/bench/), the package's root when installed (dist/plugin/bench/).
 * Looked up by name, because the depth differs between the two.
 */
function pluginPackage(): { name: string; version: string } {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (manifest.name === PACKAGE_NAME && manifest.version !== undefined) return { name: PACKAGE_NAME, version: manifest.version };
    }
    if (path.dirname(dir) === dir) return { name: PACKAGE_NAME, version: "unknown" };
  }
}

/** "2 cores (AMD EPYC 7B13), 24.0 GiB, Linux 6.1.0, linux x64" */
export function describeMachine(m: BenchMachine): string {
  return `${m.cores} cores (${m.cpuModel}), ${(m.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB, ${m.os}, ${m.platform}`;
}

/** This package's name and version, read from its package.json (two levels up from the sources, three from dist/). */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

export function pluginVersion(): string {
  for (let dir = __dirname, i = 0; i < 4; i++, dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (!existsSync(manifest)) continue;
    const { name, version } = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; version?: string };
    if (name === "hardhat-parallel") return `${name} ${version}`;
  }
  return "hardhat-parallel (version unknown)";
}

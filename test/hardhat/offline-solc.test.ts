import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { expect } from "chai";
import { HardhatPluginError } from "hardhat/plugins";

import { PLUGIN_NAME } from "../../plugin/hardhat/errors";
import { findInstalledSolc, offlineSolcBuild, type InstalledSolc } from "../../plugin/hardhat/offline-solc";

const ROOT = path.resolve(__dirname, "..", "..");
const INSTALLED: InstalledSolc = { version: "0.8.28", dir: path.join("/project", "node_modules", "solc") };
/** Stands in for loading the compiler, which takes seconds. */
const longVersion = (s: InstalledSolc) => `${s.version}+commit.0123abcd`;

/** The plugin error `fn` must throw. */
function rejection(fn: () => unknown): HardhatPluginError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(HardhatPluginError);
    expect((error as HardhatPluginError).pluginName).to.equal(PLUGIN_NAME);
    return error as HardhatPluginError;
  }
  expect.fail("expected a plugin error");
}

describe("hardhat-parallel/offline-solc", function () {
  it("hands Hardhat the installed package's wasm compiler for its own version", function () {
    expect(offlineSolcBuild("0.8.28", INSTALLED, longVersion)).to.deep.equal({
      compilerPath: path.join(INSTALLED.dir, "soljson.js"),
      isSolcJs: true,
      version: "0.8.28",
      longVersion: "0.8.28+commit.0123abcd",
    });
  });

  it("refuses another version, naming both and the two ways to fix it", function () {
    const { message } = rejection(() => offlineSolcBuild("0.8.30", INSTALLED, longVersion));
    expect(message).to.contain("Solidity 0.8.30");
    expect(message).to.contain("which is 0.8.28");
    expect(message).to.contain("npm install --save-dev --save-exact solc@0.8.30");
    expect(message).to.contain('solidity: "0.8.28"');
  });

  it("says what to install when the project has no solc package", function () {
    const { message } = rejection(() => offlineSolcBuild("0.8.28", undefined, longVersion));
    expect(message).to.contain('"solc", which is not installed');
    expect(message).to.contain("npm install --save-dev --save-exact solc@0.8.28");
    expect(message).to.contain('remove the import "hardhat-parallel/offline-solc"');
  });

  it("finds the package from the project's root, not from the plugin", function () {
    const pinned = (require(path.join(ROOT, "package.json")) as { devDependencies: Record<string, string> }).devDependencies.solc;
    expect(findInstalledSolc(ROOT)).to.deep.equal({ version: pinned, dir: realpathSync(path.join(ROOT, "node_modules", "solc")) });
    const empty = mkdtempSync(path.join(os.tmpdir(), "no-solc-"));
    try {
      expect(findInstalledSolc(empty)).to.equal(undefined);
    } finally {
      rmSync(empty, { recursive: true });
    }
  });
});

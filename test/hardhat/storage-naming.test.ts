/**
 * The project side of slot naming: contracts whose build has no storage
 * layout are reported (the task tells the user to recompile), and code is
 * recognised with its immutables masked.
 */
import { expect } from "chai";
import hre from "hardhat";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Artifacts } from "hardhat/types";

import { projectNaming } from "../../plugin/hardhat/storage-naming";

describe("project naming", function () {
  before(async function () {
    await hre.run("compile", { quiet: true });
  });

  it("lists the contracts built without a storage layout, and names those built with one", async function () {
    const files = await hre.artifacts.getBuildInfoPaths();
    const buildInfo = files.map((f) => JSON.parse(readFileSync(f, "utf8"))).find((b) => b.output.contracts["contracts/tokens/TestToken.sol"] !== undefined);
    // The same build as if compiled before the plugin asked for layouts.
    for (const byName of Object.values(buildInfo.output.contracts) as Record<string, { storageLayout?: unknown }>[]) {
      for (const compiled of Object.values(byName)) delete compiled.storageLayout;
    }
    const stripped = path.join(mkdtempSync(path.join(os.tmpdir(), "naming-")), "build-info.json");
    writeFileSync(stripped, JSON.stringify(buildInfo));
    const withStripped = { getBuildInfoPaths: async () => [stripped] } as unknown as Artifacts;
    const naming = await projectNaming(withStripped, []);
    expect(naming.withoutLayout).to.include("TestToken");
    expect(naming.contracts.find((c) => c.name === "TestToken")!.storage).to.equal(null);

    const named = await projectNaming(hre.artifacts, []);
    expect(named.withoutLayout).to.deep.equal([]);
    expect(named.contracts.find((c) => c.name === "TestToken")!.storage).to.not.equal(null);
  });
});

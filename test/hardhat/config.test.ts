import os from "os";

import { expect } from "chai";
import { HardhatPluginError } from "hardhat/plugins";

import { resolveParallelConfig } from "../../plugin/hardhat/config";
import { PLUGIN_NAME } from "../../plugin/hardhat/errors";
import { parallelNetworkRequested } from "../../plugin/hardhat/network";
import type { HardhatConfig } from "hardhat/types";

/** Runs resolveParallelConfig and returns the plugin error it must throw. */
function rejection(user: unknown): HardhatPluginError {
  try {
    resolveParallelConfig(user);
  } catch (error) {
    expect(error).to.be.instanceOf(HardhatPluginError);
    const pluginError = error as HardhatPluginError;
    expect(pluginError.pluginName).to.equal(PLUGIN_NAME);
    return pluginError;
  }
  expect.fail(`expected ${JSON.stringify(user)} to be rejected`);
}

describe("resolveParallelConfig", function () {
  const expectedDefaultWorkers = Math.max(1, Math.min(8, os.availableParallelism()));

  describe("defaults", function () {
    it("applies every default when the section is absent", function () {
      expect(resolveParallelConfig(undefined)).to.deep.equal({
        enabled: false,
        workers: expectedDefaultWorkers,
        minTxsForParallel: 8,
        maxReexecutionRatio: 1,
        onWorkerFailure: "sequential",
        verify: false,
        report: { enabled: false, json: "parallel-report.json" },
      });
    });

    it("applies every default to an empty section", function () {
      expect(resolveParallelConfig({})).to.deep.equal(resolveParallelConfig(undefined));
    });

    it("defaults a field explicitly set to undefined", function () {
      expect(resolveParallelConfig({ workers: undefined }).workers).to.equal(expectedDefaultWorkers);
    });

    it("defaults workers to between 1 and 8", function () {
      const { workers } = resolveParallelConfig(undefined);
      expect(workers).to.be.within(1, 8);
    });

    it("keeps values the user set and defaults the rest", function () {
      expect(resolveParallelConfig({ workers: 4, onWorkerFailure: "error" })).to.deep.equal({
        enabled: false,
        workers: 4,
        minTxsForParallel: 8,
        maxReexecutionRatio: 1,
        onWorkerFailure: "error",
        verify: false,
        report: { enabled: false, json: "parallel-report.json" },
      });
    });

    it("accepts every field at its bounds", function () {
      expect(
        resolveParallelConfig({
          enabled: true,
          workers: 256,
          minTxsForParallel: 1,
          maxReexecutionRatio: 0.5,
          onWorkerFailure: "sequential",
          verify: true,
          report: { json: "reports/parallel.json" },
        }),
      ).to.deep.equal({
        enabled: true,
        workers: 256,
        minTxsForParallel: 1,
        maxReexecutionRatio: 0.5,
        onWorkerFailure: "sequential",
        verify: true,
        report: { enabled: true, json: "reports/parallel.json" },
      });
      expect(resolveParallelConfig({ workers: 1 }).workers).to.equal(1);
    });
  });

  describe("invalid values", function () {
    it("rejects a section that is not an object", function () {
      for (const section of [null, 4, "fast", [2]]) {
        expect(rejection(section).message).to.match(/^Invalid config: parallel must be an object/);
      }
    });

    it("rejects a non-boolean enabled", function () {
      const { message } = rejection({ enabled: "yes" });
      expect(message).to.contain("parallel.enabled");
      expect(message).to.contain('got "yes"');
      expect(message).to.contain("parallel: { enabled: true }");
    });

    it("rejects a non-integer or out-of-range workers", function () {
      expect(rejection({ workers: "four" }).message).to.equal(
        'Invalid config: parallel.workers must be an integer from 1 to 256, got "four". ' +
          "Set it in hardhat.config.ts, e.g. parallel: { workers: 4 }.",
      );
      for (const [workers, shown] of [
        [0, "got 0"],
        [257, "got 257"],
        [2.5, "got 2.5"],
        [-1, "got -1"],
        [Number.NaN, "got NaN"],
        [null, "got null"],
        [4n, "got 4n"],
      ] as const) {
        const { message } = rejection({ workers });
        expect(message).to.contain("parallel.workers must be an integer from 1 to 256");
        expect(message).to.contain(shown);
      }
    });

    it("rejects a minTxsForParallel below 1 or not an integer", function () {
      for (const minTxsForParallel of [0, -3, 1.5, "8", Infinity]) {
        const { message } = rejection({ minTxsForParallel });
        expect(message).to.contain("parallel.minTxsForParallel must be an integer of at least 1");
        expect(message).to.contain("parallel: { minTxsForParallel: 8 }");
      }
    });

    it("rejects a maxReexecutionRatio that is not a finite number above 0", function () {
      for (const maxReexecutionRatio of [0, -1, Number.NaN, Infinity, "3", true]) {
        const { message } = rejection({ maxReexecutionRatio });
        expect(message).to.contain("parallel.maxReexecutionRatio must be a finite number greater than 0");
      }
    });

    it("rejects an unknown onWorkerFailure policy", function () {
      const { message } = rejection({ onWorkerFailure: "retry" });
      expect(message).to.contain('parallel.onWorkerFailure must be one of "sequential", "error"');
      expect(message).to.contain('got "retry"');
    });

    it("rejects a report that is not a boolean or { enabled, json }", function () {
      expect(rejection({ report: "yes" }).message).to.match(/^Invalid config: parallel\.report must be true, false or an object, got "yes"/);
      expect(rejection({ report: { enabled: 1 } }).message).to.contain("parallel.report.enabled must be true or false, got 1");
      expect(rejection({ report: { json: "" } }).message).to.contain('parallel.report.json must be a file path, got ""');
      expect(rejection({ report: { file: "x.json" } }).message).to.contain("parallel.report.file is not a known option");
      expect(resolveParallelConfig({ report: true }).report).to.deep.equal({ enabled: true, json: "parallel-report.json" });
      expect(resolveParallelConfig({ report: { enabled: false, json: "r.json" } }).report).to.deep.equal({ enabled: false, json: "r.json" });
    });

    it("rejects a non-boolean verify", function () {
      for (const [verify, shown] of [["yes", 'got "yes"'], [1, "got 1"], [null, "got null"]] as const) {
        expect(rejection({ verify }).message).to.equal(
          `Invalid config: parallel.verify must be true or false, ${shown}. Set it in hardhat.config.ts, e.g. parallel: { verify: true }.`,
        );
      }
    });

    it("rejects an unknown field and suggests the closest known one", function () {
      const { message } = rejection({ worker: 4 });
      expect(message).to.contain("parallel.worker is not a known option");
      expect(message).to.contain("Did you mean parallel.workers?");
      expect(message).to.contain("Known options: enabled, workers, minTxsForParallel");
    });

    it("rejects an unknown field unlike any known one without a suggestion", function () {
      const { message } = rejection({ workers: 2, turbo: true });
      expect(message).to.contain("parallel.turbo is not a known option");
      expect(message).not.to.contain("Did you mean");
    });
  });

  describe("in the Hardhat runtime environment", function () {
    it("resolves the parallel section of this project's hardhat.config.ts", async function () {
      const hre = await import("hardhat");
      expect(hre.config.parallel).to.deep.equal({ ...resolveParallelConfig(undefined), workers: 2 });
    });
  });
});

describe("parallel network selection", function () {
  const config = (enabled: boolean) => ({ parallel: { ...resolveParallelConfig({ enabled }) } }) as unknown as HardhatConfig;

  it("follows parallel.enabled unless HARDHAT_PARALLEL says otherwise", function () {
    expect(parallelNetworkRequested(config(false), {})).to.equal(false);
    expect(parallelNetworkRequested(config(true), {})).to.equal(true);
    expect(parallelNetworkRequested(config(false), { HARDHAT_PARALLEL: "1" })).to.equal(true);
    expect(parallelNetworkRequested(config(false), { HARDHAT_PARALLEL: "true" })).to.equal(true);
    expect(parallelNetworkRequested(config(true), { HARDHAT_PARALLEL: "0" })).to.equal(false);
    expect(parallelNetworkRequested(config(true), { HARDHAT_PARALLEL: "" })).to.equal(true);
  });

  it("rejects any other HARDHAT_PARALLEL value, saying which are valid", function () {
    expect(() => parallelNetworkRequested(config(false), { HARDHAT_PARALLEL: "yes" })).to.throw(
      HardhatPluginError,
      'HARDHAT_PARALLEL must be "1"/"true" (use the parallel network) or "0"/"false" (use Hardhat\'s network), got "yes".',
    );
  });

  it("refuses a forking network config with a message saying how to run it", async function () {
    const { default: hre } = await import("hardhat");
    const { createParallelNetwork } = await import("../../plugin/hardhat/network-factory");
    const forked = { ...hre.config.networks.hardhat, forking: { enabled: true, url: "http://127.0.0.1:8545", httpHeaders: {} } };
    const error = await createParallelNetwork(forked as never, hre.config.parallel, hre.artifacts).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(HardhatPluginError);
    expect((error as Error).message).to.equal(
      "networks.hardhat.forking is enabled (url http://127.0.0.1:8545), which the parallel network does not support: it cannot fork a remote chain yet. Run on Hardhat's own network instead: set HARDHAT_PARALLEL=0 for this run, or parallel.enabled: false in the config.",
    );
  });

  it("serves the in-process network from the parallel network only when asked", async function () {
    const { default: hre } = await import("hardhat");
    const version = (await hre.network.provider.request({ method: "web3_clientVersion" })) as string;
    // Both report HardhatNetwork (the network helpers require it); only the parallel one names the plugin.
    expect(version.includes("hardhat-parallel")).to.equal(parallelNetworkRequested(hre.config));
  });
});

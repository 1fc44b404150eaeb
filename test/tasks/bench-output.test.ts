/**
 * What `parallel-bench` tells its reader: output paths refused before any
 * work, the JSON's record of the options, plugin, Node and machine, tables
 * within 120 columns, the ideal capped by the cores, warnings for worker
 * counts beyond the cores and for too few repeats, and progress lines with
 * the time left.
 */
import { expect } from "chai";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";

import { cappedIdeal } from "../../plugin/bench/bench";
import type { BenchReport } from "../../plugin/bench/bench";
import { REPORT_WIDTH, renderBench } from "../../plugin/bench/bench-text";
import { BenchProgress, formatLeft } from "../../plugin/bench/progress";
import { benchWarnings } from "../../plugin/bench/warnings";

const ROOT = path.resolve(__dirname, "..", "..");
const cores = os.availableParallelism();
/** The smallest real run: one flat ERC-20 block, a worker count beyond the cores, two timed runs. */
const tiny = { txs: 60, accounts: 150, workers: `1,${cores + 1}`, repeats: 2, workload: "erc20-independent", full: false, skipStock: false, vsHardhat: false };

/** Runs the task and returns what it threw and the lines it wrote to stderr. */
async function runCapturingStderr(args: Record<string, unknown>): Promise<{ error?: Error; result?: unknown; stderr: string[] }> {
  const stderr: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr.push(...String(chunk).split("\n").filter((l) => l !== ""));
    return true;
  }) as typeof process.stderr.write;
  try {
    return { result: await hre.run("parallel-bench", args), stderr };
  } catch (e) {
    return { error: e as Error, stderr };
  } finally {
    process.stderr.write = write;
  }
}

describe("parallel-bench output", function () {
  describe("output paths, checked before any work", function () {
    const dir = mkdtempSync(path.join(os.tmpdir(), "hp-bench-paths-"));
    const file = path.join(dir, "file.txt");
    writeFileSync(file, "not a folder");
    // Root may write anywhere it has permission bits for; /sys refuses even root.
    const unwritable = process.getuid?.() === 0 ? "/sys/hp-bench.json" : (() => {
      const locked = path.join(dir, "locked");
      mkdirSync(locked);
      chmodSync(locked, 0o500);
      return path.join(locked, "bench.json");
    })();
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ["a missing folder", { json: path.join(dir, "no", "such", "bench.json") }, /--json .*bench\.json: the folder .*no\/such does not exist\. Create it first \(mkdir -p .*\) or write somewhere else\. Nothing was run\./],
      ["a folder", { html: dir }, /--html .* is a folder; give a file name inside it, e.g\. .*report\.html\. Nothing was run\./],
      ["a file as the folder", { json: path.join(file, "bench.json") }, /--json .*: .*file\.txt is not a folder\. Nothing was run\./],
      ["a place it cannot write", { json: unwritable }, /--json .*bench\.json cannot be written \(E[A-Z]+\)\. Choose a path you can write to\. Nothing was run\./],
      ["one file for both reports", { json: path.join(dir, "r"), html: path.join(dir, "r") }, /--json and --html both name .*: the second report would overwrite the first/],
      ["--vs-hardhat's JSON too", { vsHardhat: true, workload: "amm", json: dir }, /--json .* is a folder/],
    ];
    for (const [what, paths, message] of cases) {
      it(`refuses ${what}, naming the option and the path, before generating anything`, async function () {
        const { error, stderr } = await runCapturingStderr({ ...tiny, ...paths });
        expect(error, "the task should have failed").to.be.instanceOf(Error);
        expect(error!.message).to.match(message);
        expect(stderr, "nothing was run").to.deep.equal([]);
      });
    }

    it("leaves no file behind after checking a new path", async function () {
      const { error } = await runCapturingStderr({ ...tiny, json: path.join(dir, "new.json"), html: dir });
      expect(error?.message).to.match(/--html .* is a folder/);
      expect(existsSync(path.join(dir, "new.json"))).to.equal(false);
    });
  });

  describe("a tiny run with more workers than cores", function () {
    let report: BenchReport;
    let stderr: string[];
    let json: BenchReport;

    before(async function () {
      const out = path.join(mkdtempSync(path.join(os.tmpdir(), "hp-bench-tiny-")), "bench.json");
      const run = await runCapturingStderr({ ...tiny, json: out });
      if (run.error !== undefined) throw run.error;
      report = run.result as BenchReport;
      stderr = run.stderr;
      json = JSON.parse(readFileSync(out, "utf8")) as BenchReport;
    });

    it("records the options, the plugin version, Node and the machine in the JSON", function () {
      const manifest = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };
      expect(json.plugin).to.deep.equal({ name: "hardhat-parallel", version: manifest.version });
      expect(json.node).to.equal(process.version);
      expect(json.machine).to.deep.equal({
        cores,
        cpuModel: os.cpus()[0].model.trim(),
        os: `${os.type()} ${os.release()}`,
        platform: `${os.platform()} ${os.arch()}`,
        totalMemoryBytes: os.totalmem(),
      });
      expect(json.options).to.deep.equal({
        workloads: ["erc20-independent"],
        txs: { "erc20-independent": 60 },
        accounts: 150,
        workers: [1, cores + 1],
        repeats: 2,
        warmupRuns: 2,
        stock: false,
        full: false,
      });
    });

    it("caps the ideal by the cores above them, and says so in the table", function () {
      const [one, many] = report.rows;
      expect([one.workers, one.idealCappedBy, one.ideal]).to.deep.equal([1, "workers", 1]);
      // A conflict-free block: its bound is the number of transactions over the heaviest one's share, above the cores.
      expect(many.idealBound).to.be.greaterThan(cores);
      expect([many.workers, many.idealCappedBy, many.ideal]).to.deep.equal([cores + 1, "cores", cores]);
      const text = renderBench(report);
      expect(text).to.contain(`| ${cores.toFixed(2)}x* |`);
      expect(text).to.contain(`* capped by this machine's ${cores} cores`);
    });

    it("prints every line within 120 columns, each table column named in the legend", function () {
      const lines = renderBench(report).split("\n");
      const wide = lines.filter((l) => l.length > REPORT_WIDTH);
      expect(wide, "lines wider than 120 columns").to.deep.equal([]);
      const legend = lines.filter((l) => !l.startsWith("|")).join(" ");
      const header = lines.find((l) => l.startsWith("| Workload "))!;
      for (const column of header.split("|").map((c) => c.trim()).filter((c) => c !== "" && c !== "Workload" && c !== "Txs" && c !== "Workers")) {
        expect(legend, `the legend defines ${column}`).to.match(new RegExp(`${column.replace(/[.*+?^${}()|[\]\\%]/g, "\\$&")}[,:]`));
      }
    });

    it("warns about the worker count beyond the cores, before the run and in the report", function () {
      expect(stderr.find((l) => l.includes("warning"))).to.match(new RegExp(`worker count ${cores + 1} exceeds this machine's ${cores} cores`));
      expect(json.warnings.join("\n")).to.match(new RegExp(`worker count ${cores + 1} exceeds this machine's ${cores} cores.*capped at ${cores}\\.00x by the cores`));
      expect(renderBench(report)).to.contain(`warning: worker count ${cores + 1} exceeds`);
    });

    it("prints one progress line per step, numbered, with the time left", function () {
      const steps = stderr.filter((l) => /^parallel-bench \[\d+\/\d+\]/.test(l));
      // Generate, 2 warm-ups and 2 timed runs for sequential and each of the two worker counts, the model.
      expect(steps).to.have.length(1 + 3 * 2 + 3 * 2 + 1);
      expect(steps.map((l) => /\[(\d+)\/14\]/.exec(l)?.[1])).to.deep.equal(steps.map((_, i) => String(i + 1)));
      for (const l of steps) expect(l).to.match(/ … (~\d+ s left|~\d+ min( \d+ s)? left|almost done)$/);
      expect(steps[steps.length - 2]).to.match(new RegExp(`erc20-independent @${cores + 1}w run 2/2`));
      expect(steps[steps.length - 1]).to.match(/erc20-independent: ideal and scheduler model, 1 to 64 workers/);
      for (const l of stderr) expect(l.length, l).to.be.at.most(REPORT_WIDTH);
    });
  });

  describe("warnings", function () {
    const row = (workload: string, workers: number, seq: [number, number, number], par: [number, number, number]) => ({
      workload,
      workers,
      sequentialMs: { min: seq[0], median: seq[1], max: seq[2] },
      parallelMs: { min: par[0], median: par[1], max: par[2] },
    });

    it("asks for more repeats when the runs spread by more than 20% of their median, naming the rows", function () {
      const rows = [row("amm", 1, [95, 100, 105], [98, 100, 102]), row("amm", 2, [95, 100, 105], [60, 80, 100])];
      expect(benchWarnings({ workers: [1, 2], cores: 2, repeats: 3, rows })).to.deep.equal([
        "runs spread by up to 50% of their median (amm @2) with 3 timed runs each, so those ratios are uncertain by about as much. Rerun with --repeats 7, or on a quieter machine.",
      ]);
      expect(benchWarnings({ workers: [1, 2], cores: 2, repeats: 7, rows })[0]).to.match(/even with 7 timed runs each: the machine is busy/);
      expect(benchWarnings({ workers: [1, 2], cores: 2, repeats: 3, rows: rows.slice(0, 1) })).to.deep.equal([]);
    });

    it("says that one run gives no spread to judge the noise by", function () {
      expect(benchWarnings({ workers: [2], cores: 2, repeats: 1, rows: [row("amm", 2, [100, 100, 100], [90, 90, 90])] })[0]).to.match(/^--repeats 1: one timed run .* Use --repeats 3 or more/);
    });
  });

  it("caps the ideal by dependencies, workers or cores, whichever is lowest", function () {
    expect(cappedIdeal(1.4, 2, 2)).to.deep.equal({ ideal: 1.4, idealBound: 1.4, idealCappedBy: "dependencies" });
    expect(cappedIdeal(5, 2, 8)).to.deep.equal({ ideal: 2, idealBound: 5, idealCappedBy: "workers" });
    expect(cappedIdeal(5, 4, 2)).to.deep.equal({ ideal: 2, idealBound: 5, idealCappedBy: "cores" });
    expect(cappedIdeal(1.5, 4, 2)).to.deep.equal({ ideal: 1.5, idealBound: 1.5, idealCappedBy: "dependencies" });
  });

  it("estimates the time left from the steps already measured", function () {
    let now = 0;
    const lines: string[] = [];
    const step = (key: string, kind: string, priorMs: number) => ({ label: key, key, kind, priorMs });
    const progress = new BenchProgress([step("a", "run", 1000), step("a", "run", 1000), step("b", "run", 2000), step("c", "stock", 5000)], (l) => lines.push(l), () => now);
    progress.next(); // priors: 9 s
    now += 3000; // the first run took three times its prior
    progress.next(); // a: measured 3 s; b: 2 s x 3; c: no stock measured yet, 5 s x 3 (all steps so far)
    now += 3000;
    progress.next();
    now += 6000;
    progress.next();
    progress.done();
    expect(lines).to.deep.equal(["[1/4] a … ~10 s left", "[2/4] a … ~25 s left", "[3/4] b … ~20 s left", "[4/4] c … ~15 s left"]);
    // A cold first run (JIT, pre-state shipped) stands in for its key only until a warm one is measured, and scales nothing.
    lines.length = 0;
    now = 0;
    const cold = new BenchProgress([{ ...step("w", "run", 1000), cold: true }, step("w", "run", 1000), step("w", "run", 1000), step("x", "run", 1000)], (l) => lines.push(l), () => now);
    cold.next();
    now += 20_000;
    cold.next(); // w: the cold 20 s; x: its prior, nothing warm measured yet
    now += 5000;
    cold.next(); // w: 5 s; x: 1 s x 5
    cold.done();
    expect(lines).to.deep.equal(["[1/4] w … ~5 s left", "[2/4] w … ~40 s left", "[3/4] w … ~10 s left"]);
    // Inside a long step, its own pace: a quarter done in 10 s leaves 30 s of it.
    lines.length = 0;
    const long = new BenchProgress([step("s", "stock", 1000)], (l) => lines.push(l), () => now);
    long.next();
    now += 10_000;
    long.note("250/1000 txs", 0.25);
    expect(lines).to.deep.equal(["[1/1] s … almost done", "[1/1] s: 250/1000 txs … ~30 s left"]);
    expect([formatLeft(1000), formatLeft(44_000), formatLeft(125_000), formatLeft(180_000)]).to.deep.equal(["almost done", "~45 s left", "~2 min 5 s left", "~3 min left"]);
  });
});

/**
 * The scheduler model behind the simulated speedup, on blocks whose
 * schedules can be worked out by hand.
 */
import { expect } from "chai";

import { simulateBlockStm } from "../../plugin/analysis/simulate";
import type { SimulationInput } from "../../plugin/analysis/simulate";

function block(work: number[], dependsOn: number[][] = work.map(() => []), coordinatorMicros = 0, serialMicros = 0): SimulationInput {
  return { work, dependsOn, coordinatorMicros, serialMicros };
}

describe("simulated speedup (scheduler model)", function () {
  it("independent equal txs: P threads finish in ceil(n / P) rounds", function () {
    const input = block(new Array(10).fill(100));
    for (const p of [1, 2, 3, 4, 10, 64]) {
      const run = simulateBlockStm(input, p);
      expect(run.executionMicros, `${p} workers`).to.be.closeTo(100 * Math.ceil(10 / Math.min(p, 10)), 1e-6);
      expect(run.incarnations).to.equal(10);
      expect(run.executionSpeedup).to.be.closeTo(10 / Math.ceil(10 / Math.min(p, 10)), 1e-6);
    }
  });

  it("a tx whose dependency is published before it starts is valid the first time", function () {
    // 2 threads: tx 0 and tx 1 run at 0; tx 2 (reads tx 0) starts at 10, after tx 0 is published.
    const run = simulateBlockStm(block([10, 10, 10], [[], [], [0]]), 2);
    expect(run.executionMicros).to.be.closeTo(20, 1e-6);
    expect(run.incarnations).to.equal(3);
    expect(run.executionSpeedup).to.be.closeTo(1.5, 1e-6);
  });

  it("a tx that started before its dependency was published is wasted, then waits and runs once more", function () {
    // 2 threads: tx 1 (reads tx 0) runs beside tx 0 and is aborted; it runs again after tx 0.
    const run = simulateBlockStm(block([10, 10], [[], [0]]), 2);
    expect(run.incarnations).to.equal(3);
    expect(run.executionMicros).to.be.closeTo(20, 1e-6);
    expect(run.executionSpeedup).to.be.closeTo(1, 1e-6);
  });

  it("a full dependency chain gains nothing from more threads, and wastes at most one execution per tx", function () {
    const n = 50;
    const input = block(new Array(n).fill(10), Array.from({ length: n }, (_, j) => (j === 0 ? [] : [j - 1])));
    for (const p of [2, 8, 64]) {
      const run = simulateBlockStm(input, p);
      expect(run.executionSpeedup, `${p} workers`).to.be.at.most(1 + 1e-9);
      expect(run.incarnations).to.be.at.most(2 * n);
    }
  });

  it("the calling thread's cost per incarnation bounds the speedup however many threads run", function () {
    const n = 200;
    const run = simulateBlockStm(block(new Array(n).fill(100), undefined, 20), 64);
    // Thread 0 handles all 200 results at 20 us each.
    expect(run.executionMicros).to.be.at.least(n * 20);
    expect(run.executionSpeedup).to.be.at.most((n * 100) / (n * 20));
    // With one thread, coordination only adds to execution.
    expect(simulateBlockStm(block(new Array(n).fill(100), undefined, 20), 1).executionSpeedup).to.be.closeTo(100 / 120, 1e-6);
  });

  it("time outside execution is added to both sides of the end-to-end speedup", function () {
    const run = simulateBlockStm(block(new Array(8).fill(100), undefined, 0, 400), 4);
    expect(run.executionSpeedup).to.be.closeTo(4, 1e-6);
    expect(run.speedup).to.be.closeTo((800 + 400) / (200 + 400), 1e-6);
    expect(() => simulateBlockStm(block([1]), 0)).to.throw(RangeError, /workers/);
  });

  it("a calling thread that only coordinates leaves the execution to the other threads", function () {
    const input = { ...block(new Array(12).fill(100)), callerExecutes: false };
    expect(simulateBlockStm(input, 5).executionMicros).to.be.closeTo(300, 1e-6);
    expect(simulateBlockStm(input, 2).executionMicros).to.be.closeTo(1200, 1e-6);
    // With one thread there is nobody else: it executes.
    expect(simulateBlockStm(input, 1).executionMicros).to.be.closeTo(1200, 1e-6);
  });
});

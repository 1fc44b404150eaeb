/**
 * `hardhat-parallel/testing`: parallel-friendliness checks in a test suite.
 *
 *   import { mineBatch } from "hardhat-parallel/testing";   // also registers the matchers with chai
 *   const batch = await mineBatch(network.provider, async () => { for (...) await token.transfer(...); });
 *   expect(batch).to.be.conflictFree();
 */
import chai from "chai";

import { parallelMatchers } from "./matchers";

chai.use(parallelMatchers);

export { isParallelNetwork, mineBatch, ParallelNetworkNeededError, requireParallelNetwork } from "./batch";
export type { Batch, BatchProvider } from "./batch";
export { parallelMatchers } from "./matchers";

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Chai {
    interface Assertion {
      conflictFree(): void;
      conflictRateBelow(bound: number): void;
      hotspot(name: string): void;
      matchSequentialExecution(): void;
      conflictBetween(first: string, second: string): void;
    }
  }
}

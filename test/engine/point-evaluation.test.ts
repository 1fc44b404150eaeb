/**
 * The point-evaluation precompile (0x0a, EIP-4844) in a block without blob
 * transactions. @ethereumjs throws "kzg not initialized" when the Common
 * carries no KZG, so such a block could not be executed at all (the fuzz
 * script found two random blocks whose calls reach 0x0a: seeds 200106 and
 * 200131). Every Common now carries a KZG that loads on first use: the
 * blocks run, and parallel equals sequential.
 */
import { expect } from "chai";

import { executeBlockSequential } from "../../plugin/engine/sequential";
import { assertParallelMatchesSequential } from "../helpers/oracle";
import { randomBlock } from "../helpers/random-block";

describe("point-evaluation precompile in a block without blob transactions", function () {
  this.timeout(120_000);

  for (const seed of [200106, 200131]) {
    it(`random block ${seed}: runs sequentially and equals it in parallel at 1 and 2 workers`, async function () {
      const { input } = randomBlock(seed);
      expect(input.block.transactions.some((tx) => tx.type === 3), "no blob transaction in the block").to.equal(false);
      const sequential = await executeBlockSequential(input);
      expect(sequential.receipts).to.have.length(input.block.transactions.length);
      await assertParallelMatchesSequential(input, { workers: [1, 2], label: `seed ${seed}` });
    });
  }
});

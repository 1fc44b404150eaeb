// An example for `npx hardhat parallel-conflicts --run scripts/examples/hot-recipient.ts`
// (docs/conflicts.md; test/tasks/conflicts-run.test.ts runs it): twelve token transfers to one recipient, mined in one block.
import { ethers, network } from "hardhat";

async function main(): Promise<void> {
  const signers = await ethers.getSigners();
  const token = await ethers.deployContract("TestToken", ["Test", "TST", 18]);
  for (const s of signers.slice(1, 13)) await (await token.getFunction("mint")(s.address, 1000n)).wait();
  await network.provider.send("evm_setAutomine", [false]);
  for (const s of signers.slice(1, 13)) await (token.connect(s) as typeof token).getFunction("transfer")(signers[0].address, 1n);
  await network.provider.send("evm_mine", []);
  await network.provider.send("evm_setAutomine", [true]);
  if (process.env.FAIL_AFTER_MINING === "1") throw new Error("deliberate failure after mining");
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

// A script that mines no block: `parallel-conflicts --run` says so (test/tasks/conflicts-run.test.ts).
import { ethers } from "hardhat";

ethers.provider.getBlockNumber().then((n) => console.log(`at block ${n}, sending nothing`));

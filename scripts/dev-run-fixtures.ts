
import { loadBlockchainTests, runBlockchainTest } from "../plugin/fixtures/blockchain-tests";
import { executeBlockSequential } from "../plugin/engine/sequential";
async function main() {
  const dir = process.argv[2];
  const files = require("child_process").execSync(`find ${dir} -name '*.json' ! -name selection.json`).toString().trim().split("\n");
  let ok = 0, bad = 0, err = 0;
  const t0 = Date.now();
  for (const f of files) {
    for (const tc of loadBlockchainTests(f)) {
      try {
        const checks = await runBlockchainTest(tc, executeBlockSequential);
        const mm = checks.filter((c) => c.mismatches.length > 0);
        if (mm.length === 0) ok++; else { bad++; if (bad <= 8) console.log("MISMATCH", tc.name.slice(-90), tc.network, mm[0].number, mm[0].mismatches.join("; ").slice(0, 300)); }
      } catch (e) { err++; if (err <= 8) console.log("ERROR", tc.name.slice(-90), tc.network, (e as Error).message.slice(0, 300)); }
    }
  }
  console.log({ ok, bad, err, ms: Date.now() - t0 });
}
main();

import { execSync } from "node:child_process";
import { loadBlockchainTests, runBlockchainTest } from "../plugin/fixtures/blockchain-tests";
import { ParallelExecutor } from "../plugin/engine/parallel";
async function main() {
  const dir = process.argv[2];
  const workers = Number(process.argv[3] ?? 2);
  const ex = new ParallelExecutor({ workers, minTxsForParallel: 1, jitter: [7, 1500] });
  const files = execSync(`find ${dir} -name '*.json' ! -name selection.json`).toString().trim().split("\n");
  let ok = 0, bad = 0, err = 0, fb = 0;
  const t0 = Date.now();
  for (const f of files) {
    for (const tc of loadBlockchainTests(f)) {
      try {
        const checks = await runBlockchainTest(tc, (i) => ex.executeBlock(i));
        for (const c of checks) if (c.result?.stats.fallbackReason) { fb++; if (fb < 5) console.log("FALLBACK", c.result.stats.fallbackReason, c.result.stats.events); }
        const mm = checks.filter((c) => c.mismatches.length > 0);
        if (mm.length === 0) ok++; else { bad++; if (bad <= 8) console.log("MISMATCH", tc.name.slice(-90), tc.network, mm[0].number, mm[0].mismatches.join("; ").slice(0, 300)); }
      } catch (e) { err++; if (err <= 8) console.log("ERROR", tc.name.slice(-90), tc.network, (e as Error).stack?.slice(0, 600)); }
    }
  }
  await ex.close();
  console.log({ ok, bad, err, fb, ms: Date.now() - t0 });
}
main();

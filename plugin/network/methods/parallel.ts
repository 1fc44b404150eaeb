/** The parallel_ methods: verification, the worker pool, block reports. */
import { blockReport } from "../../analysis/block-report";
import { CONFLICT_REPORT_SCHEMA_VERSION, conflictReport } from "../../analysis/conflict-report";
import type { ConflictReportOptions, ConflictsReport } from "../../analysis/conflict-report";
import { RpcError } from "../errors";
import type { Handlers, NetworkNode } from "../node";
import { ParamReader } from "../params";

export function parallelHandlers(node: NetworkNode): Handlers {
  return {
    /**
     * Verification: every block executed in parallel is executed again
     * sequentially and must give the same receipts, gas, logs bloom, roots
     * and state diff, or the call that mined it fails and the chain stays as
     * it was.
     */
    parallel_setVerification: (params: unknown[], method: string) => {
      node.options.verify = new ParamReader(method, params).count(1).boolean(0);
      return true;
    },
    parallel_getVerification: (params: unknown[], method: string) => {
      new ParamReader(method, params).count(0);
      return node.options.verify === true;
    },
    /** Replaces the worker pool (closing the old one) with one of `n` threads, 1 to 256. */
    parallel_setWorkers: async (params: unknown[], method: string) => {
      const n = new ParamReader(method, params).count(1).params[0];
      if (!(typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= 256)) throw new RpcError(-32602, `Workers must be an integer from 1 to 256, got ${JSON.stringify(n)}`);
      await node.chain.setWorkers(n);
      return true;
    },

    /** The engine's report for a block: how it executed and what each transaction read and wrote. */
    parallel_getBlockReport: ([tag, options]: unknown[]) => {
      if (options !== undefined && (typeof options !== "object" || options === null)) {
        throw new RpcError(-32602, 'parallel_getBlockReport options must be an object such as { "details": true }');
      }
      const mined = node.chain.blockByNumber(node.blockNumberOf(tag ?? "latest"))!;
      const executed = {
        number: mined.block.header.number,
        txHashes: mined.receipts.map((r) => r.txHash),
        stats: mined.result.stats,
        reads: mined.result.reads,
        writeSets: mined.result.writeSets,
        verified: mined.verified === true,
        sequentialMs: mined.sequentialMs,
      };
      return blockReport(executed, { details: (options as { details?: unknown } | undefined)?.details === true });
    },

    /**
     * The conflict analysis of mined blocks (docs/conflicts.md): params
     * [fromBlock, toBlock, { top, shards, variables }], all optional; default the latest
     * block. Each block with transactions runs again sequentially on its own
     * pre-state with keccak preimages recorded; blocks without any are listed
     * as skipped.
     */
    parallel_getConflictReport: async (params: unknown[], method: string) => {
      new ParamReader(method, params).count(0, 3);
      const [fromTag, toTag, options] = params;
      const from = node.blockNumberOf(fromTag ?? "latest");
      const to = toTag === undefined ? from : node.blockNumberOf(toTag);
      if (to < from) throw new RpcError(-32602, `${method}: toBlock ${to} is before fromBlock ${from}; give the range in increasing order`);
      if (to - from + 1 > MAX_REPORT_BLOCKS) throw new RpcError(-32602, `${method}: at most ${MAX_REPORT_BLOCKS} blocks per request, asked for ${to - from + 1}; ask for the range in parts`);
      const opts = reportOptions(options, method);
      const naming = await (node.options.conflictNaming?.() ?? Promise.resolve(undefined));
      const report: ConflictsReport = { schemaVersion: CONFLICT_REPORT_SCHEMA_VERSION, source: { kind: "network", description: `blocks ${from} to ${to}` }, blocks: [], skipped: [] };
      for (let n = from; n <= to; n++) {
        const mined = node.chain.blockByNumber(n)!;
        if (mined.receipts.length === 0) {
          report.skipped.push({ block: `block ${n}`, reason: "the block has no transactions" });
          continue;
        }
        const traced = await node.chain.traceForAnalysis(n);
        report.blocks.push(conflictReport(traced.trace, { ...opts, naming: naming?.forBlock(traced) }));
      }
      return report;
    },
  };
}

/** Blocks one parallel_getConflictReport request may cover: each runs again, so keep answers quick. */
const MAX_REPORT_BLOCKS = 64;

function reportOptions(options: unknown, method: string): Pick<ConflictReportOptions, "top" | "shards" | "accessedVariables"> {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null) throw new RpcError(-32602, `${method} options must be an object such as { "top": 10, "shards": 8, "variables": true }`);
  const out: Pick<ConflictReportOptions, "top" | "shards" | "accessedVariables"> = {};
  for (const [name, value] of Object.entries(options)) {
    if (name === "variables") {
      if (typeof value !== "boolean") throw new RpcError(-32602, `${method}: variables must be true or false, got ${JSON.stringify(value)}`);
      out.accessedVariables = value;
      continue;
    }
    if (name !== "top" && name !== "shards") throw new RpcError(-32602, `${method}: unknown option "${name}"; known: top, shards, variables`);
    const min = name === "top" ? 1 : 2;
    if (!(typeof value === "number" && Number.isInteger(value) && value >= min && value <= 1000)) throw new RpcError(-32602, `${method}: ${name} must be an integer from ${min} to 1000, got ${JSON.stringify(value)}`);
    out[name] = value;
  }
  return out;
}

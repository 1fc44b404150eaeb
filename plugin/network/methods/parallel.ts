/** The parallel_ methods: verification, the worker pool, block reports. */
import { blockReport } from "../block-report";
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
      return blockReport(mined, { details: (options as { details?: unknown } | undefined)?.details === true });
    },
  };
}

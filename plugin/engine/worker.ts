/**
 * A worker thread: keeps a replica of the pre-state across blocks, and for
 * each block session mirrors the coordinator's multi-version memory and
 * executes the transactions it is handed. Loaded by piscina through
 * worker-entry.js.
 */
import { Block, createBlockHeaderFromRLP } from "@ethereumjs/block";
import { Common } from "@ethereumjs/common";
import { receiveMessageOnPort } from "node:worker_threads";
import type { MessagePort } from "node:worker_threads";

import { BlockOverlay } from "./block-overlay";
import { hasNativeEcrecover, lazyKzg, loadKzg, nativeEcrecover } from "./crypto";
import { keccak256, keccakReady } from "./hash";
import { FlatState, StateDiff } from "./flat-state";
import { MVMemory } from "./mv-memory";
import { LazyTransactions } from "./prepare";
import { ClaimBoard } from "./scheduler";
import { armedEstimate, jitter } from "./test-hooks";
import type { TxIndex, TxWriteSet } from "./types";
import { TxExecutor } from "./tx-executor";
import type { ReadSource } from "./tx-state";
import type { FromWorker, SessionConfig, ToWorker } from "./worker-protocol";

let replica: FlatState | undefined;

const NO_WRITES: TxWriteSet = { writes: [], code: [] };

/**
 * Messages in arrival order. One persistent listener delivers what arrives
 * while the worker waits; between executions the worker takes what is
 * already in the port synchronously (`poll`), without a trip through the
 * event loop.
 */
function inbox(port: MessagePort): { next: () => Promise<ToWorker>; poll: () => ToWorker | undefined } {
  const queued: ToWorker[] = [];
  let waiter: ((m: ToWorker) => void) | undefined;
  port.on("message", (m: ToWorker) => {
    if (waiter !== undefined) {
      const w = waiter;
      waiter = undefined;
      w(m);
    } else queued.push(m);
  });
  // The listener has delivered everything before what is still in the port.
  const poll = () => (queued.length > 0 ? queued.shift()! : (receiveMessageOnPort(port)?.message as ToWorker | undefined));
  return {
    poll,
    next: () => {
      const m = poll();
      return m !== undefined ? Promise.resolve(m) : new Promise((resolve) => (waiter = resolve));
    },
  };
}

export default async function session(config: SessionConfig): Promise<number> {
  const port = config.port as MessagePort;
  const send = (m: FromWorker) => port.postMessage(m);
  const { next: nextMessage, poll } = inbox(port);
  await keccakReady;
  send({ type: "hello", stateId: replica?.id ?? "", stateVersion: replica?.version ?? -1 });
  const stateMsg = await nextMessage();
  // The block was done before this thread started: nothing to do.
  if (stateMsg.type === "end") return 0;
  if (stateMsg.type !== "state") throw new Error(`bug: worker expected state, got ${stateMsg.type}`);
  if (stateMsg.snapshot !== undefined) {
    replica = FlatState.fromSnapshot(stateMsg.snapshot);
    // The coordinator keeps the history; a replica only ever moves forward.
    replica.diffLogLimit = 0;
  }
  for (const message of stateMsg.diffs ?? []) {
    const diff = new StateDiff();
    for (const [k, v] of message.entries) diff.entries.set(k, v);
    for (const a of message.wiped) diff.wiped.add(a);
    for (const [h, c] of message.code) diff.code.set(h, c);
    replica!.applyDiff(diff);
  }
  const state = replica!;

  const customCrypto = {
    ...(hasNativeEcrecover ? { ecrecover: nativeEcrecover } : {}),
    keccak256,
    // Blob txs need the setup now; any block may call the point-evaluation precompile (0x0a), which loads it on first use.
    kzg: config.needsKzg ? loadKzg() : lazyKzg,
  };
  const common = new Common({ chain: config.chain as never, hardfork: config.hardfork, eips: config.eips, customCrypto });
  // runTx needs only the header environment: no need to parse the block's transactions here.
  const block = new Block(createBlockHeaderFromRLP(config.headerRlp, { common }), [], [], config.withdrawals ? [] : undefined, { common });
  const txs = new LazyTransactions(config.txs, common, config.knownSenders === undefined ? undefined : new Map(config.knownSenders));
  const executor = await TxExecutor.create(common, new Map(config.blockHashes), config.rules);
  const base = new BlockOverlay(state);
  base.apply(-1, config.prePhase);
  const mv = new MVMemory((key) => base.read(key));
  const code = (hash: string) => mv.code.get(hash) ?? base.code.get(hash) ?? state.code.get(hash);
  let crashed = false;
  send({ type: "ready" });

  // First executions this worker takes off the claim board itself, lowest first.
  const board = config.claims === undefined ? undefined : new ClaimBoard(config.claims);
  const claimId = config.claimId ?? 0;
  let scan = 0;
  const claimFirstExecution = (): TxIndex | undefined => {
    while (board !== undefined && scan < config.txs.length && !board.stopped) {
      const tx = scan++;
      if (board.ownerOf(tx) === 0 && board.claim(tx, claimId)) return tx;
    }
    return undefined;
  };

  const assigned: { tx: TxIndex; incarnation: number }[] = [];
  let executed = 0;
  /** Handles a message; true when the session ends. */
  const handle = (msg: ToWorker): boolean => {
    switch (msg.type) {
      case "end":
        port.close();
        return true;
      case "updates":
        for (const u of msg.updates) mv.apply(u);
        return false;
      case "exec":
        for (const u of msg.updates) mv.apply(u);
        assigned.push({ tx: msg.tx, incarnation: msg.incarnation });
        return false;
      case "recover": {
        const keys: Uint8Array[] = [];
        for (let i = msg.from; i < msg.to; i++) {
          try {
            // A given sender needs no key; the executing thread knows its address.
            keys.push(txs.hasKnownSender(i) ? new Uint8Array(0) : txs.get(i).getSenderPublicKey());
          } catch {
            keys.push(new Uint8Array(0)); // the executing thread reports the invalid signature
          }
        }
        send({ type: "recovered", from: msg.from, keys });
        return false;
      }
      default:
        throw new Error(`bug: worker got unexpected ${msg.type}`);
    }
  };

  for (;;) {
    // Everything that has arrived first: the freshest mirror, and assigned
    // tasks (re-executions of lower txs) before claiming new ones.
    for (let m = poll(); m !== undefined; m = poll()) if (handle(m)) return executed;
    let task = assigned.shift();
    const claimed = task === undefined;
    if (task === undefined) {
      const tx = claimFirstExecution();
      if (tx !== undefined) task = { tx, incarnation: 0 };
    }
    if (task === undefined) {
      if (handle(await nextMessage())) return executed;
      continue;
    }
    const { tx, incarnation } = task;
    if (config.crashAt === tx && !crashed) {
      crashed = true;
      // A thread that dies mid-block (as on an out-of-memory abort) rather than a task that fails.
      if (config.crashMode === "exit") process.exit(70);
      throw new Error(`injected worker crash at tx ${tx}`);
    }
    // Tests only: no await on the execution path otherwise.
    if (config.jitter !== undefined) await jitter(config.jitter, claimId, tx, incarnation);
    const source: ReadSource = {
      resolve: (key) => mv.resolveForExecution(tx, key),
      resolveNonzero: (key) => mv.resolveNonzero(tx, key),
      code,
      forcedEstimate: armedEstimate(config.forceEstimate, tx, incarnation),
    };
    const outcome = await executor.run(block, txs.get(tx), tx, incarnation, source);
    executed++;
    // Our own writes go into our view at once (the coordinator does not send
    // them back), so a nonce-chain link queued right behind this tx reads them.
    if (outcome.kind !== "blocked") mv.record(tx, incarnation, outcome.kind === "executed" ? outcome.writeSet : NO_WRITES);
    send({ type: "outcome", outcome, claimed });
  }
}

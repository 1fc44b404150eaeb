/**
 * The parallel network's state (the chain, the mempool, the clock, the
 * miner, calls, snapshots, filters, accounts, the options) and the
 * operations the method handlers share: every handler module builds its
 * handlers over one NetworkNode. hardhat_reset replaces the chain, so the
 * parts read `node.chain` when they need it, never keep it.
 */
import type { Common } from "@ethereumjs/common";
import { StateDiff } from "../engine/flat-state";
import type { FlatState } from "../engine/flat-state";
import { balanceKey, infoKey } from "../engine/location";
import { sharedTxCommon } from "../engine/prepare";
import type { AccountInfo } from "../engine/types";
import { Accounts, EMPTY_ACCOUNT } from "./accounts";
import { Calls } from "./calls";
import { Chain } from "./chain";
import type { ChainOptions, MinedBlock } from "./chain";
import { Clock } from "./clock";
import { RpcError } from "./errors";
import type { Naming } from "../analysis/conflict-report";
import type { TracedBlock } from "../analysis/trace-block";
import type { CustomErrorDecoder } from "./errors";
import { FilterRegistry } from "./filters";
import type { BlockResolver } from "./filters";
import { formatBlock } from "./format";
import { Mempool } from "./mempool";
import { Miner } from "./mining";
import { parseAddress, parseQuantity } from "./params";
import type { RequestQueue } from "./queue";
import { Snapshots } from "./snapshots";

export interface NetworkOptions extends ChainOptions {
  /** Private keys (0x hex) of the accounts eth_sendTransaction may sign for. */
  localAccounts: string[];
  automine: boolean;
  /** Client string for web3_clientVersion. */
  clientVersion: string;
  /** Names custom errors in revert messages (from the project's artifacts). */
  errorDecoder?: CustomErrorDecoder;
  /** Prints Solidity console.log calls (their calldata), as Hardhat's network does; absent: not printed. */
  printConsoleLogs?: (calls: Uint8Array[]) => void;
  /** Interval mining: a block every this many ms, or a random delay in [min, max] ms; 0 or absent: off. */
  intervalMining?: number | [number, number];
  /**
   * Order of pending transactions in a mined block (Hardhat's
   * mining.mempool.order): "priority" (default) takes the highest miner tip
   * first, "fifo" the order they arrived in; a sender's nonce order always holds.
   */
  mempoolOrder?: "priority" | "fifo";
  /** A block may have its parent's timestamp (Hardhat's allowBlocksWithSameTimestamp). Default false. */
  allowBlocksWithSameTimestamp?: boolean;
  /** A failed transaction makes its send fail (it is still mined). Default true, as in Hardhat. */
  throwOnTransactionFailures?: boolean;
  /** A failed eth_call throws; false returns its return data instead. Default true, as in Hardhat. */
  throwOnCallFailures?: boolean;
  /** Names storage slots for parallel_getConflictReport (from the project's storage layouts); absent: addresses and slots only. */
  conflictNaming?: () => Promise<BlockNaming>;
  /** Who watches mined blocks right now (the test reporter while a test run records); asked at every block. */
  observer?: () => NetworkObserver | undefined;
}

/**
 * Watches the chain for the test reporter. A mined block is traced for it at
 * once, while the block's pre-state is still at hand (a later evm_revert may
 * take it away).
 */
export interface NetworkObserver {
  blockMined(traced: TracedBlock, naming: Naming | undefined): void;
  /** evm_snapshot, evm_revert or hardhat_reset: what is mined next no longer follows on from what came before in the same way. */
  stateMoved(): void;
  /** Tracing a block failed (a bug): the observer reports it; mining goes on. */
  failed(error: unknown): void;
}

/** Names a traced block's locations (plugin/hardhat/storage-naming.ts builds one from the project). */
export interface BlockNaming {
  forBlock(traced: TracedBlock): Naming;
}

/** A JSON-RPC method's handler: its params and its name (for error messages). */
export type Handler = (params: unknown[], method: string) => unknown;
export type Handlers = Record<string, Handler>;

export class NetworkNode {
  chain: Chain;
  /** The options as given, for hardhat_reset (evm_setBlockGasLimit changes the live ones). */
  readonly initial: NetworkOptions;
  /** Installed filters and subscriptions. */
  readonly filters: FilterRegistry;
  readonly mempool: Mempool;
  readonly clock: Clock;
  readonly miner: Miner;
  readonly calls: Calls;
  readonly snapshots: Snapshots;
  readonly accounts: Accounts;
  private sharedCommon: { of: Common; shared: Common } | undefined;

  /** `notify` delivers a subscription's event; `queue` is the provider's, where interval mining queues its blocks. */
  constructor(
    readonly options: NetworkOptions,
    notify: (subscription: string, result: unknown) => void,
    queue: RequestQueue,
  ) {
    this.filters = new FilterRegistry(notify);
    this.initial = { ...options };
    this.mempool = new Mempool(options.mempoolOrder ?? "priority", (address) => (this.infoAt(address, this.chain.journal.position) ?? EMPTY_ACCOUNT).nonce);
    this.chain = new Chain(options);
    this.clock = new Clock(this);
    this.miner = new Miner(this, queue, options.automine);
    this.calls = new Calls(this);
    this.snapshots = new Snapshots(this);
    this.miner.setIntervalMining(options.intervalMining);
    this.accounts = new Accounts(options.localAccounts);
  }

  readonly blocks: BlockResolver = {
    latest: () => this.chain.height,
    numberOfHash: (hash) => {
      const mined = this.chain.blockByHash(hash);
      return mined === undefined ? undefined : Number(mined.block.header.number);
    },
  };

  /** One Common for every transaction the network parses or builds (see sharedTxCommon: a copy per transaction cost about 0.2 ms). */
  txCommon(): Common {
    if (this.sharedCommon?.of !== this.chain.common) this.sharedCommon = { of: this.chain.common, shared: sharedTxCommon(this.chain.common) };
    return this.sharedCommon.shared;
  }

  /** The state a block tag reads: for "pending" with transactions waiting, the pending block's. */
  async stateFor(tag: unknown): Promise<FlatState | number> {
    if (tag === "pending" && this.mempool.length > 0) return (await this.miner.pendingBlock()).state;
    return this.positionAt(tag);
  }

  async readAt(key: string, tag: unknown) {
    const at = await this.stateFor(tag);
    return typeof at === "number" ? this.chain.journal.readAt(key, at) : at.read(key);
  }

  /** A block by tag for the block methods: the pending block for "pending", null for a number beyond the chain. */
  async blockForTag(tag: bigint | string): Promise<{ mined: MinedBlock; pending: boolean } | null> {
    if (tag === "pending") return { mined: (await this.miner.pendingBlock()).mined, pending: true };
    const n = tag === "earliest" ? 0 : typeof tag === "bigint" ? Number(tag) : this.chain.height;
    const mined = this.chain.blockByNumber(n);
    return mined === undefined ? null : { mined, pending: false };
  }

  /** Journal position of a block tag ("latest", "pending", "earliest", a number or a block hash). */
  positionAt(tag: unknown): number {
    return this.chain.positionOf(this.blockNumberOf(tag ?? "latest"));
  }

  blockNumberOf(tag: unknown): number {
    if (tag === "latest" || tag === "pending" || tag === "safe" || tag === "finalized") return this.chain.height;
    if (tag === "earliest") return 0;
    if (typeof tag === "object" && tag !== null) {
      const t = tag as { blockNumber?: string; blockHash?: string };
      if (t.blockHash !== undefined) return this.blockNumberOf(t.blockHash);
      if (t.blockNumber !== undefined) return this.blockNumberOf(t.blockNumber);
    }
    if (typeof tag === "string" && /^0x[0-9a-fA-F]{64}$/.test(tag)) {
      const mined = this.chain.blockByHash(tag);
      if (mined === undefined) throw new RpcError(-32000, `Block with hash ${tag} not found`);
      return Number(mined.block.header.number);
    }
    const n = Number(parseQuantity(tag, "block tag"));
    if (n > this.chain.height) throw new RpcError(-32000, `Received invalid block tag ${n}. Latest block number is ${this.chain.height}`);
    return n;
  }

  infoAt(address: string, position: number): AccountInfo | null {
    return this.chain.journal.readAt(infoKey(Chain.engineAddress(address)), position) as AccountInfo | null;
  }

  printLogs(calls: Uint8Array[] | undefined): void {
    if (calls !== undefined && calls.length > 0) this.options.printConsoleLogs?.(calls);
  }

  /** Tells filters and subscriptions about a new block. */
  announce(mined: MinedBlock): void {
    if (!this.filters.empty) this.filters.blockAdded(mined, () => formatBlock(mined, false));
  }

  /** Hands a mined block with transactions to the observer, if one watches. */
  async observe(mined: MinedBlock): Promise<void> {
    const observer = this.options.observer?.();
    if (observer === undefined || mined.receipts.length === 0) return;
    try {
      const traced = await this.chain.traceForAnalysis(Number(mined.block.header.number), { untimed: true });
      const naming = await this.options.conflictNaming?.();
      observer.blockMined(traced, naming?.forBlock(traced));
    } catch (error) {
      observer.failed(error);
    }
  }

  /** Tells the observer that the state moved (snapshot, revert, reset). */
  stateMoved(): void {
    this.options.observer?.()?.stateMoved();
  }

  /** Edits an account of the latest state in place (the hardhat_set* methods); an unknown one is created first. */
  editAccount(address: string, edit: (diff: StateDiff, addr: string, info: AccountInfo) => void): void {
    const addr = Chain.engineAddress(parseAddress(address));
    const info = this.chain.state.info(addr) ?? EMPTY_ACCOUNT;
    const diff = new StateDiff();
    if (this.chain.state.info(addr) === null) {
      diff.entries.set(infoKey(addr), info);
      diff.entries.set(balanceKey(addr), 0n);
    }
    edit(diff, addr, info);
    this.chain.edit(diff);
  }

  /** A fresh chain from the configured genesis (same accounts, same genesis block), as Hardhat's reset does without forking. */
  async reset(): Promise<void> {
    await this.chain.close();
    Object.assign(this.options, this.initial);
    this.chain = new Chain(this.options);
    this.miner.automine = this.initial.automine;
    this.mempool.replace([]);
    this.snapshots.clear();
    this.clock.restore({ timeOffset: 0n, nextTimestamp: undefined });
    this.accounts.impersonated.clear();
    this.filters.clear();
    this.miner.setIntervalMining(this.initial.intervalMining);
  }
}

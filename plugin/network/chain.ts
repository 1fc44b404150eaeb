/**
 * An in-memory chain whose blocks execute on the project's engine: the
 * sequential executor for small blocks (automine's one-transaction blocks),
 * the parallel executor for blocks of many transactions. It keeps blocks,
 * receipts and the state history (journal.ts) and answers the queries a
 * JSON-RPC layer needs. It knows nothing of JSON-RPC or Hardhat.
 */
import type { Block, HeaderData } from "@ethereumjs/block";
import { Block as BlockClass, createBlock, createBlockHeader } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import type { TypedTransaction } from "@ethereumjs/tx";
import { Address, KECCAK256_NULL, bigIntToBytes, bytesToHex, bytesToUnprefixedHex, concatBytes, hexToBytes } from "@ethereumjs/util";
import { performance } from "node:perf_hooks";

import { keccak256 } from "../engine/hash";

import type { BlockResult, TxReceipt } from "../engine/block-result";
import type { BlockInput } from "../engine/prepare";
import { EMPTY_CODE_HASH, FlatState, StateDiff } from "../engine/flat-state";
import { emptyStats } from "../engine/block-result";
import { firstDifference } from "../engine/compare";
import { stateRootComputerFor } from "../engine/finish";
import { ParallelExecutor } from "../engine/parallel";
import type { ParallelBlockInput, ParallelOptions } from "../engine/parallel";
import type { ExecutionRules } from "../engine/prepare";
import { executeBlockSequential } from "../engine/sequential";
import { InvalidBlockError } from "../engine/block-result";
import { TxExecutor } from "../engine/tx-executor";
import type { BlockHashes } from "../engine/tx-executor";
import { traceBlock } from "../analysis/trace-block";
import type { TracedBlock } from "../analysis/trace-block";
import { StateJournal } from "./journal";
import { BEACON_ROOT_SEED, HashSequence, MIX_HASH_SEED } from "./hash-sequence";
import type { HashSequenceState } from "./hash-sequence";
import { withFastCrypto } from "../engine/crypto";
import type { LocationKey, LocationValue } from "../engine/types";
import { addressOf, infoKey, kindOf } from "../engine/location";
import { MerkleTrie } from "../engine/merkle";
import { RLP } from "@ethereumjs/rlp";

/** The transactions trie root of a block (keys RLP(index), values the serialized transactions). */
function transactionsRoot(txs: TypedTransaction[]): Uint8Array {
  return MerkleTrie.empty()
    .update(txs.map((tx, i) => [RLP.encode(i), tx.serialize()] as const))
    .root();
}

export interface GenesisAccount {
  /** 0x-prefixed address. */
  address: string;
  balance: bigint;
  /** Default 0. */
  nonce?: bigint;
  /** Runtime code (system contracts); default none. */
  code?: Uint8Array;
}

export interface ChainOptions {
  common: Common;
  /** The genesis state; a later entry for the same address replaces an earlier one. */
  genesisAccounts: GenesisAccount[];
  blockGasLimit: bigint;
  initialBaseFeePerGas: bigint;
  /** 0x-prefixed beneficiary of every block. */
  coinbase: string;
  /** Seconds since the epoch of the genesis block. */
  genesisTimestamp: bigint;
  /** Parallel executor options; blocks below minTxsForParallel run sequentially. */
  parallel: ParallelOptions & { enabled: boolean };
  /** Hardhat's development relaxations (allowUnlimitedContractSize). */
  rules?: ExecutionRules;
  /** Also run every block the parallel executor runs on the sequential one, and refuse it when they differ. */
  verify?: boolean;
}

export interface MinedBlock {
  block: Block;
  hash: string;
  receipts: TxReceipt[];
  /** Engine statistics (mode, fallback reason, incarnations, timings). */
  result: Pick<BlockResult, "stats" | "reads" | "writeSets">;
  /** Journal position right after this block: its state. */
  position: number;
  /** Executed in parallel and checked against the sequential executor (options.verify). */
  verified?: boolean;
  /** When verified: the sequential executor's wall time on the same block, ms (the parallel one's is in result.stats). */
  sequentialMs?: number;
}

/**
 * A block executed in parallel whose result differs from the sequential
 * executor's: the first differing field, per transaction when it is one.
 */
export class VerificationError extends Error {
  constructor(
    readonly blockNumber: bigint,
    readonly field: string,
    readonly txIndex?: number,
    readonly txHash?: string,
  ) {
    const where = txIndex === undefined ? "" : ` in transaction ${txIndex} (${txHash})`;
    super(`Block ${blockNumber} failed verification: the parallel and the sequential executor disagree on ${field}${where}. The block was not added.`);
  }
}

/** The state the pending block would leave: the head with the block's diff on top (read and code only). */
class PendingState extends FlatState {
  constructor(
    private readonly head: FlatState,
    private readonly diff: StateDiff,
  ) {
    super(head.accounts, diff.code.size === 0 ? head.code : new Map([...head.code, ...diff.code]));
  }

  override read(key: LocationKey): LocationValue {
    if (this.diff.entries.has(key)) return this.diff.entries.get(key)!;
    if (kindOf(key) === "storage") {
      const addr = addressOf(key);
      if (this.diff.wiped.has(addr) || this.diff.entries.get(infoKey(addr)) === null) return 0n;
    }
    return this.head.read(key);
  }
}

/** The next block as it would be mined now, and the state after it; never added to the chain. */
export interface PendingBlock {
  mined: MinedBlock;
  state: FlatState;
}

/** The state as it stood at a journal position; only `read` and `code` are used by executions over it. */
class HistoricalState extends FlatState {
  constructor(
    head: FlatState,
    private readonly journal: StateJournal,
    private readonly position: number,
  ) {
    super(head.accounts, head.code);
  }

  override read(key: LocationKey): LocationValue {
    return this.journal.readAt(key, this.position);
  }
}

const GENESIS_EXTRA_DATA = Uint8Array.of(0x12, 0x34);

/** EIP-4788 beacon-roots and EIP-2935 history contracts: empty blocks change their storage. */
const SYSTEM_CONTRACTS = ["000f3df6d732807ef1319fb7b8bb8522d0beac02", "0000f90827f1c53a10cb7a02335b175320002935"];

/** Engine results of a block that ran no transactions. */
const emptyResult = (): MinedBlock["result"] => ({ stats: emptyStats("sequential", 1), reads: [], writeSets: [] });

interface ReservedRange {
  first: number;
  last: number;
  firstTimestamp: bigint;
  interval: bigint;
  /** Base fee of the first block; each later one is an eighth lower. */
  firstBaseFee: bigint;
  gasLimit: bigint;
  /** Hash of block first - 1. */
  parentHash: Uint8Array;
  stateRoot: Uint8Array;
  /** Journal position of the (unchanged) state of every block in the run. */
  position: number;
  /** 0x-prefixed beneficiary of the run's blocks. */
  coinbase: string;
}

export class Chain {
  readonly state = new FlatState();
  readonly journal = new StateJournal(this.state);
  /** Blocks that were executed (and genesis), by number. */
  private readonly real = new Map<number, MinedBlock>();
  /** Runs of empty blocks from hardhat_mine, built only when someone asks for one. */
  private readonly ranges: ReservedRange[] = [];
  private readonly materialized = new Map<number, MinedBlock>();
  private heightValue = -1;
  private readonly txLocations = new Map<string, { block: number; index: number }>();
  private readonly byHash = new Map<string, number>();
  private executor?: ParallelExecutor;
  /** PREVRANDAO of each mined block, as Hardhat's network draws it (hash-sequence.ts). */
  private readonly mixHashes = new HashSequence(MIX_HASH_SEED);
  /** Parent beacon block root of each mined block after genesis, likewise. */
  private readonly beaconRoots = new HashSequence(BEACON_ROOT_SEED);

  constructor(readonly options: ChainOptions) {
    // Native sender recovery and hashing: JSON-RPC validates and hashes every transaction it receives.
    options.common = withFastCrypto(options.common);
    for (const a of options.genesisAccounts) {
      const code = a.code !== undefined && a.code.length > 0 ? a.code : undefined;
      this.state.setAccount(a.address.slice(2).toLowerCase(), { balance: a.balance, nonce: a.nonce, code, codeHash: code && bytesToHex(keccak256(code)) });
    }
    const genesis = createBlock(
      {
        header: {
          number: 0n,
          gasLimit: options.blockGasLimit,
          baseFeePerGas: options.initialBaseFeePerGas,
          timestamp: options.genesisTimestamp,
          ...this.forkFields(),
          mixHash: this.mixHashes.next(),
          stateRoot: stateRootComputerFor(this.state).rootNow(this.state),
          // Hardhat's network's genesis, field for field, so that its hash (every block's ancestor) is the same:
          // a zero beneficiary, extra data 0x1234 and, for its (absent) transactions, keccak256 of nothing.
          coinbase: new Address(new Uint8Array(20)),
          extraData: GENESIS_EXTRA_DATA,
          transactionsTrie: KECCAK256_NULL,
        },
      },
      { common: options.common, setHardfork: false },
    );
    this.record(genesis, [], { stats: undefined as never, reads: [], writeSets: [] });
  }

  /** Number of the latest block. */
  get height(): number {
    return this.heightValue;
  }

  get head(): MinedBlock {
    return this.blockByNumber(this.heightValue)!;
  }

  get common(): Common {
    return this.options.common;
  }

  /** Header fields a block of this hardfork needs beyond the basics. */
  private forkFields(): Partial<HeaderData> {
    const c = this.options.common;
    const fields: Partial<HeaderData> = {};
    if (c.isActivatedEIP(4844)) Object.assign(fields, { excessBlobGas: 0n, blobGasUsed: 0n });
    if (c.isActivatedEIP(4788)) fields.parentBeaconBlockRoot = new Uint8Array(32);
    return fields;
  }

  /**
   * A block of these very transaction objects. createBlock would rebuild
   * each transaction from its fields (and copy its Common: 0.2 ms each, a
   * fifth of mining a 1,000-transfer block).
   */
  private assemble(header: HeaderData, txs: TypedTransaction[]): Block {
    const opts = { common: this.options.common, setHardfork: false };
    return new BlockClass(createBlockHeader(header, opts), txs, [], this.options.common.isActivatedEIP(4895) ? [] : undefined, opts);
  }

  /** Base fee of the next block only (hardhat_setNextBlockBaseFeePerGas); the usual progression resumes after it. */
  nextBaseFee?: bigint;
  /** PREVRANDAO (mixHash) of the next block (hardhat_setPrevRandao); later blocks continue the sequence from it. */
  setNextPrevRandao(value: Uint8Array): void {
    this.mixHashes.force(value);
  }

  /** Where the PREVRANDAO and beacon root sequences stand (kept by snapshots). */
  saveRandomness(): [HashSequenceState, HashSequenceState] {
    return [this.mixHashes.save(), this.beaconRoots.save()];
  }

  restoreRandomness([mix, beacon]: [HashSequenceState, HashSequenceState]): void {
    this.mixHashes.restore(mix);
    this.beaconRoots.restore(beacon);
  }

  /** Base fee of the next block (what pendingHeader gives it), without building the rest of the header. */
  pendingBaseFee(): bigint {
    return this.nextBaseFee ?? this.head.block.header.calcNextBaseFee();
  }

  /** The header the next block would get (the "pending" environment). */
  pendingHeader(timestamp: bigint): HeaderData {
    const parent = this.head.block.header;
    return {
      parentHash: this.hashOf(this.heightValue),
      number: parent.number + 1n,
      gasLimit: this.options.blockGasLimit,
      baseFeePerGas: this.pendingBaseFee(),
      timestamp,
      coinbase: new Address(hexToBytes(this.options.coinbase as `0x${string}`)),
      ...this.forkFields(),
      mixHash: this.mixHashes.peek(),
      ...(this.options.common.isActivatedEIP(4788) ? { parentBeaconBlockRoot: this.beaconRoots.peek() } : {}),
    };
  }

  private callBlockCache?: { key: string; block: Block };

  /**
   * The block eth_call and eth_estimateGas run in, as on Hardhat's network:
   * for "pending", the next block's header at `timestamp`; for a block
   * number, that block's own header (number, timestamp, coinbase,
   * PREVRANDAO, gas limit, blob gas). Either with a zero base fee (calls pay
   * nothing, so a zero gas price gets through, and BASEFEE reads 0 as on
   * Hardhat's network). Kept while nothing it depends on changes: building a
   * header costs more than a simple call.
   */
  callBlock(at: number | "pending", timestamp: bigint): Block {
    const mined = at === "pending" ? undefined : this.blockByNumber(at)!;
    const key =
      mined === undefined
        ? `pending|${this.hashOf(this.heightValue).join()}|${timestamp}|${this.options.blockGasLimit}|${this.mixHashes.peek().join()}|${this.options.coinbase}`
        : `${at}|${mined.hash}`;
    if (this.callBlockCache?.key === key) return this.callBlockCache.block;
    let header: HeaderData;
    if (mined === undefined) header = this.pendingHeader(timestamp);
    else {
      const h = mined.block.header;
      header = {
        parentHash: h.parentHash,
        number: h.number,
        timestamp: h.timestamp,
        gasLimit: h.gasLimit,
        coinbase: h.coinbase,
        mixHash: h.mixHash,
        excessBlobGas: h.excessBlobGas,
        blobGasUsed: h.blobGasUsed,
        parentBeaconBlockRoot: h.parentBeaconBlockRoot,
      };
    }
    this.callBlockCache = { key, block: this.assemble({ ...header, baseFeePerGas: 0n }, []) };
    return this.callBlockCache.block;
  }

  /**
   * Executes `txs` as the next block and appends it. The transactions must
   * be valid in this order (the caller checks nonces, funds and gas); an
   * invalid one throws the engine's InvalidBlockError and changes nothing.
   * `senders`, when given, are the transactions' senders as the caller
   * established them when it accepted them (recovered, or impersonated): the
   * engine takes them as they are instead of recovering them again.
   */
  async mine(txs: TypedTransaction[], timestamp: bigint, senders?: string[]): Promise<MinedBlock> {
    const header = this.pendingHeader(timestamp);
    if (txs.length === 0 && this.emptyBlock !== undefined && !this.hasSystemContracts()) return this.mineEmpty(header);
    const draft = this.assemble(header, txs);
    const input = this.blockInput(draft, senders);
    const useParallel = this.options.parallel.enabled && txs.length >= (this.options.parallel.minTxsForParallel ?? 8);
    const result = useParallel ? await this.parallelExecutor().executeBlock(input) : await this.executeSequential(input);
    const verified = useParallel && this.options.verify === true;
    // Before anything changes: a block that fails verification leaves the chain as it was.
    const sequentialMs = verified ? await this.verify(input, result) : undefined;
    // The root adopts the new tries (dryRun false) because the diff is applied right after.
    const stateRoot = await stateRootComputerFor(this.state).compute(this.state, result.diff, { dryRun: false });
    const block = this.assemble(
      {
        ...header,
        stateRoot,
        transactionsTrie: transactionsRoot(txs),
        receiptTrie: result.receiptsRoot,
        gasUsed: result.gasUsed,
        logsBloom: result.logsBloom,
        requestsHash: result.requestsHash,
      },
      txs,
    );
    this.journal.apply(result.diff);
    if (txs.length === 0 && result.diff.entries.size === 0) this.emptyBlock = { receiptsRoot: result.receiptsRoot, logsBloom: result.logsBloom, requestsHash: result.requestsHash };
    const mined = this.record(block, result.receipts, result);
    if (verified) Object.assign(mined, { verified: true, sequentialMs });
    return mined;
  }

  /**
   * Runs the block again on the sequential executor and compares the two
   * results and their state roots (engine/compare.ts: what "identical"
   * means); throws a VerificationError naming the first difference.
   */
  private async verify(input: BlockInput, parallel: BlockResult): Promise<number> {
    const started = performance.now();
    const sequential = await this.executeSequential(input);
    const sequentialMs = performance.now() - started;
    let difference = firstDifference(parallel, sequential, { preState: this.state });
    if (difference === undefined) {
      // Roots only for equal results: a wrong diff is named by its location, and may not even apply.
      const roots = stateRootComputerFor(this.state);
      const [parallelRoot, sequentialRoot] = [await roots.compute(this.state, parallel.diff, { dryRun: true }), await roots.compute(this.state, sequential.diff, { dryRun: true })];
      difference = firstDifference({ ...parallel, stateRoot: parallelRoot }, { ...sequential, stateRoot: sequentialRoot });
    }
    if (difference !== undefined) {
      const i = difference.txIndex;
      throw new VerificationError(input.block.header.number, difference.description, i, i === undefined ? undefined : bytesToHex(input.block.transactions[i].hash()));
    }
    return sequentialMs;
  }

  /**
   * The block the mempool's ready transactions would make now, executed
   * sequentially on the head state and kept apart from the chain (the
   * "pending" block and the state behind the pending tag).
   */
  async preview(txs: TypedTransaction[], timestamp: bigint, senders?: string[]): Promise<PendingBlock> {
    const header = this.pendingHeader(timestamp);
    const draft = this.assemble(header, txs);
    const result = await this.executeSequential(this.blockInput(draft, senders));
    const stateRoot = await stateRootComputerFor(this.state).compute(this.state, result.diff, { dryRun: true });
    const block = this.assemble(
      { ...header, stateRoot, transactionsTrie: transactionsRoot(txs), receiptTrie: result.receiptsRoot, gasUsed: result.gasUsed, logsBloom: result.logsBloom, requestsHash: result.requestsHash },
      txs,
    );
    const mined: MinedBlock = { block, hash: bytesToHex(block.hash()), receipts: result.receipts, result, position: this.journal.position };
    return { mined, state: new PendingState(this.state, result.diff) };
  }

  /** An executor for sequential blocks, kept between them; lent to one execution at a time. */
  private spareExecutor?: TxExecutor;

  /** Runs a block on the sequential executor, reusing the chain's TxExecutor (see TxExecutor.useBlockHashes). */
  private async executeSequential(input: BlockInput): Promise<BlockResult> {
    const executor = this.spareExecutor ?? (await TxExecutor.create(this.options.common, new Map(), this.options.rules));
    this.spareExecutor = undefined;
    const result = await executeBlockSequential(input, executor).catch((e: unknown) => {
      // A block the caller must change (a transaction that does not fit or is invalid) leaves the executor as usable as a failed transaction does; anything else retires it.
      if (e instanceof InvalidBlockError) this.spareExecutor ??= executor;
      throw e;
    });
    this.spareExecutor ??= executor;
    return result;
  }

  /** The engine's input for a block on the head state; `senders` are taken as given (see mine). */
  private blockInput(block: Block, senders: string[] | undefined): ParallelBlockInput {
    const knownSenders = senders === undefined ? undefined : new Map(senders.map((s, i) => [i, s]));
    return { block, preState: this.state, blockHashes: this.recentHashes(), senders, knownSenders, rules: this.options.rules, computeStateRoot: false };
  }

  /**
   * What keeping the state root's tries and the worker threads' state
   * replicas current has cost so far: full rebuilds and full copies, against
   * catch-ups from the diffs in between (blocks, direct edits, evm_revert).
   */
  stateUpkeep(): { rootRebuilds: number; rootCatchUps: number; workerSnapshots: number; workerDiffs: number } {
    const roots = stateRootComputerFor(this.state).stats;
    const shipping = this.executor?.stateShipping ?? { snapshots: 0, diffs: 0 };
    return { rootRebuilds: roots.rebuilds, rootCatchUps: roots.catchUps, workerSnapshots: shipping.snapshots, workerDiffs: shipping.diffs };
  }

  /** Replaces the worker pool with one of `workers` threads (the old one is closed; the next parallel block starts the new one). */
  async setWorkers(workers: number): Promise<void> {
    await this.executor?.close();
    this.executor = undefined;
    this.options.parallel = { ...this.options.parallel, workers };
  }

  /**
   * What an empty block's execution yields while no system contract
   * (EIP-4788 beacon roots, EIP-2935 block hashes) is deployed: nothing
   * changes, so hardhat_mine of thousands of blocks (tests that let interest
   * accrue) builds headers without running the engine.
   */
  private emptyBlock?: { receiptsRoot: Uint8Array; logsBloom: Uint8Array; requestsHash?: Uint8Array };

  private hasSystemContracts(): boolean {
    // A chain that runs no system calls (Hardhat's network) never changes state in an empty block.
    if (this.options.rules?.systemCalls === false) return false;
    return SYSTEM_CONTRACTS.some((addr) => (this.state.info(addr)?.codeHash ?? EMPTY_CODE_HASH) !== EMPTY_CODE_HASH);
  }

  private async mineEmpty(header: HeaderData): Promise<MinedBlock> {
    const stateRoot = await stateRootComputerFor(this.state).compute(this.state, undefined, { dryRun: true });
    const block = this.assemble({ ...header, ...this.emptyBlockFields(stateRoot) }, []);
    // No state change, but a history position of its own (and no state version bump, which would cost a trie rebuild).
    this.journal.mark();
    return this.record(block, [], emptyResult());
  }

  /** Header fields of a block without transactions on an unchanged state. */
  private emptyBlockFields(stateRoot: Uint8Array): Partial<HeaderData> {
    const empty = this.emptyBlock!;
    return { stateRoot, receiptTrie: empty.receiptsRoot, gasUsed: 0n, logsBloom: empty.logsBloom, requestsHash: empty.requestsHash };
  }

  private record(block: Block, receipts: TxReceipt[], result: MinedBlock["result"]): MinedBlock {
    const hash = bytesToHex(block.hash());
    const mined: MinedBlock = { block, hash, receipts, result, position: this.journal.position };
    const number = Number(block.header.number);
    this.real.set(number, mined);
    this.heightValue = number;
    if (number > 0) {
      this.nextBaseFee = undefined;
      // The block took the sequences' next values (pendingHeader peeked them).
      this.mixHashes.next();
      if (this.options.common.isActivatedEIP(4788)) this.beaconRoots.next();
    }
    this.byHash.set(hash, number);
    receipts.forEach((r, index) => this.txLocations.set(r.txHash, { block: number, index }));
    return mined;
  }

  /**
   * Appends `count` empty blocks, `interval` seconds apart from `timestamp`,
   * in constant time: tests mine hundreds of thousands of blocks to let
   * interest accrue. The blocks are built only when asked for. Inside such a
   * run, a block's hash is derived from the run and the block number rather
   * than from its header (which is all a header could contain, plus its
   * parent's hash), so the run needs no chain of hashes; parent links stay
   * consistent. Needs an empty block to have been executed once (see
   * mineEmpty) and no system contract whose storage empty blocks change.
   */
  async reserve(count: number, timestamp: bigint, interval: bigint): Promise<void> {
    if (count <= 0) return;
    // Like Hardhat's network, every block of the run has the base fee of the block before the run (empty
    // blocks in a reservation do not lower it); the block after the run continues from there.
    const baseFee = this.nextBaseFee ?? this.head.block.header.baseFeePerGas ?? 0n;
    if (this.emptyBlock === undefined || this.hasSystemContracts()) {
      this.nextBaseFee = baseFee;
      await this.mine([], timestamp);
      if (count > 1) this.nextBaseFee = baseFee;
      return this.reserve(count - 1, timestamp + interval, interval);
    }
    const stateRoot = await stateRootComputerFor(this.state).compute(this.state, undefined, { dryRun: true });
    this.journal.mark();
    this.ranges.push({
      first: this.heightValue + 1,
      last: this.heightValue + count,
      firstTimestamp: timestamp,
      interval,
      firstBaseFee: baseFee,
      gasLimit: this.options.blockGasLimit,
      parentHash: this.hashOf(this.heightValue),
      stateRoot,
      position: this.journal.position,
      coinbase: this.options.coinbase,
    });
    this.heightValue += count;
    this.nextBaseFee = undefined;
  }

  private rangeOf(n: number): ReservedRange | undefined {
    for (let i = this.ranges.length - 1; i >= 0; i--) {
      const r = this.ranges[i];
      if (n >= r.first && n <= r.last) return r;
      if (r.last < n) return undefined;
    }
    return undefined;
  }

  private reservedHash(r: ReservedRange, n: number): Uint8Array {
    return keccak256(concatBytes(r.parentHash, bigIntToBytes(BigInt(n))));
  }

  /** Hash of block n as reported and as its child's parentHash. */
  hashOf(n: number): Uint8Array {
    const real = this.real.get(n);
    if (real !== undefined) return real.block.hash();
    return this.reservedHash(this.rangeOf(n)!, n);
  }

  /** The 256 hashes BLOCKHASH can reach from the next block. */
  private recentHashes(): BlockHashes {
    return this.hashesBefore(this.heightValue + 1);
  }

  /** The hashes BLOCKHASH can reach from block `n`: the 256 before it. */
  private hashesBefore(n: number): BlockHashes {
    const hashes: BlockHashes = new Map();
    for (let k = Math.max(0, n - 256); k < n; k++) hashes.set(BigInt(k), this.hashOf(k));
    return hashes;
  }

  /**
   * Block `n` run again for the conflict analysis (analysis/trace-block.ts),
   * sequentially on its own pre-state with every keccak input recorded; the
   * engine's stats from when it was mined give the measured re-executions.
   * The run must give the receipts the block has: anything else is a bug.
   */
  async traceForAnalysis(n: number, opts: { untimed?: boolean } = {}): Promise<TracedBlock> {
    const mined = this.real.get(n);
    if (mined === undefined || n === 0) throw new Error(`bug: block ${n} was not executed`);
    const senders = mined.receipts.map((r) => r.sender);
    const input: ParallelBlockInput = {
      block: mined.block,
      preState: this.stateAt(n - 1),
      blockHashes: this.hashesBefore(n),
      senders,
      knownSenders: new Map(senders.map((s, i) => [i, s])),
      rules: this.options.rules,
      computeStateRoot: false,
    };
    const traced = await traceBlock(input, { warmups: 0, untimed: opts.untimed });
    if (bytesToHex(traced.result.receiptsRoot) !== bytesToHex(mined.block.header.receiptTrie)) {
      throw new Error(`bug: running block ${n} again for the analysis gave other receipts than when it was mined; please report it`);
    }
    const stats = mined.result.stats;
    if (stats.mode === "parallel") traced.trace.measured = { workers: stats.workers, mode: stats.mode, reexecutions: stats.reexecutions, wasted: stats.wasted };
    return traced;
  }

  private materialize(n: number): MinedBlock | undefined {
    const r = this.rangeOf(n);
    if (r === undefined) return undefined;
    let mined = this.materialized.get(n);
    if (mined !== undefined) return mined;
    const baseFee = r.firstBaseFee;
    const block = this.assemble(
      {
        parentHash: n === r.first ? r.parentHash : this.reservedHash(r, n - 1),
        number: BigInt(n),
        gasLimit: r.gasLimit,
        baseFeePerGas: baseFee,
        timestamp: r.firstTimestamp + BigInt(n - r.first) * r.interval,
        coinbase: new Address(hexToBytes(r.coinbase as `0x${string}`)),
        ...this.forkFields(),
        ...this.emptyBlockFields(r.stateRoot),
      },
      [],
    );
    mined = { block, hash: bytesToHex(this.reservedHash(r, n)), receipts: [], result: emptyResult(), position: r.position };
    if (this.materialized.size > 4096) this.materialized.clear();
    this.materialized.set(n, mined);
    this.byHash.set(mined.hash, n);
    return mined;
  }

  /** Drops every block above `number` and the state changes after `position` (evm_revert). */
  rewind(number: number, position: number): void {
    for (const [n, dropped] of this.real) {
      if (n <= number) continue;
      this.real.delete(n);
      this.byHash.delete(dropped.hash);
      for (const r of dropped.receipts) this.txLocations.delete(r.txHash);
    }
    while (this.ranges.length > 0 && this.ranges[this.ranges.length - 1].first > number) this.ranges.pop();
    const lastRange = this.ranges[this.ranges.length - 1];
    if (lastRange !== undefined && lastRange.last > number) lastRange.last = number;
    for (const [n, m] of this.materialized) {
      if (n > number) {
        this.materialized.delete(n);
        this.byHash.delete(m.hash);
      }
    }
    this.heightValue = number;
    this.journal.revertTo(position);
  }

  /** A direct state edit (hardhat_setBalance and friends), undoable by evm_revert. */
  edit(diff: StateDiff): void {
    this.journal.apply(diff);
  }

  /** Executed blocks from `from` to `to` in order (empty runs hold no transactions, hence no logs). */
  *executedBlocks(from: number, to: number): Generator<MinedBlock> {
    // Map order is ascending: blocks are added in order and a rewind removes a suffix.
    for (const [n, mined] of this.real) if (n >= from && n <= to) yield mined;
  }

  blockByNumber(n: number): MinedBlock | undefined {
    if (n < 0 || n > this.heightValue) return undefined;
    return this.real.get(n) ?? this.materialize(n);
  }

  blockByHash(hash: string): MinedBlock | undefined {
    const n = this.byHash.get(hash.toLowerCase());
    return n === undefined ? undefined : this.blockByNumber(n);
  }

  transaction(hash: string): { mined: MinedBlock; index: number } | undefined {
    const at = this.txLocations.get(hash.toLowerCase());
    return at === undefined ? undefined : { mined: this.real.get(at.block)!, index: at.index };
  }

  /**
   * Journal position of the state "at block n": for the head, the current
   * state (direct edits such as hardhat_setBalance apply to the latest
   * block's state, as on Hardhat's network); for an older block, everything
   * up to the moment the next block was applied.
   */
  positionOf(n: number): number {
    if (n >= this.heightValue) return this.journal.position;
    const next = this.real.get(n + 1);
    if (next !== undefined) return next.position - 1;
    const r = this.rangeOf(n + 1)!;
    return n + 1 === r.first ? r.position - 1 : r.position;
  }

  /** A read-only view of the state at block n, for calls at a block tag. */
  stateAt(n: number): FlatState {
    const position = this.positionOf(n);
    return position === this.journal.position ? this.state : new HistoricalState(this.state, this.journal, position);
  }

  /** 0x-prefixed lowercase address to the engine's form. */
  static engineAddress(address: string | Address): string {
    return typeof address === "string" ? address.slice(2).toLowerCase() : bytesToUnprefixedHex(address.bytes);
  }

  private parallelExecutor(): ParallelExecutor {
    return (this.executor ??= new ParallelExecutor(this.options.parallel));
  }

  async close(): Promise<void> {
    await this.executor?.close();
    this.executor = undefined;
  }
}

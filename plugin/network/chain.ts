/**
 * An in-memory chain whose blocks execute on the project's engine: the
 * sequential executor for small blocks (automine's one-transaction blocks),
 * the parallel executor for blocks of many transactions. It keeps blocks,
 * receipts and the state history (journal.ts) and answers the queries a
 * JSON-RPC layer needs. It knows nothing of JSON-RPC or Hardhat.
 */
import type { Block, HeaderData } from "@ethereumjs/block";
import { createBlock } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import type { TypedTransaction } from "@ethereumjs/tx";
import { Address, bytesToHex, bytesToUnprefixedHex, hexToBytes } from "@ethereumjs/util";

import type { BlockResult, TxReceipt } from "../engine/block-result";
import { FlatState, StateDiff } from "../engine/flat-state";
import { stateRootComputerFor } from "../engine/finish";
import { ParallelExecutor } from "../engine/parallel";
import type { ParallelOptions } from "../engine/parallel";
import { executeBlockSequential } from "../engine/sequential";
import type { BlockHashes } from "../engine/tx-executor";
import { StateJournal } from "./journal";
import type { LocationKey, LocationValue } from "../engine/types";
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
}

export interface ChainOptions {
  common: Common;
  genesisAccounts: GenesisAccount[];
  blockGasLimit: bigint;
  initialBaseFeePerGas: bigint;
  /** 0x-prefixed beneficiary of every block. */
  coinbase: string;
  /** Seconds since the epoch of the genesis block. */
  genesisTimestamp: bigint;
  /** Parallel executor options; blocks below minTxsForParallel run sequentially. */
  parallel: ParallelOptions & { enabled: boolean };
}

export interface MinedBlock {
  block: Block;
  hash: string;
  receipts: TxReceipt[];
  /** Engine statistics (mode, fallback reason, incarnations, timings). */
  result: Pick<BlockResult, "stats" | "reads" | "writeSets">;
  /** Journal position right after this block: its state. */
  position: number;
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

export class Chain {
  readonly state = new FlatState();
  readonly journal = new StateJournal(this.state);
  readonly blocks: MinedBlock[] = [];
  private readonly txLocations = new Map<string, { block: number; index: number }>();
  private readonly blockHashes: BlockHashes = new Map();
  private readonly byHash = new Map<string, number>();
  private executor?: ParallelExecutor;

  constructor(readonly options: ChainOptions) {
    for (const a of options.genesisAccounts) this.state.setAccount(a.address.slice(2).toLowerCase(), { balance: a.balance });
    const genesis = createBlock(
      {
        header: {
          number: 0n,
          gasLimit: options.blockGasLimit,
          baseFeePerGas: options.initialBaseFeePerGas,
          timestamp: options.genesisTimestamp,
          coinbase: new Address(hexToBytes(options.coinbase as `0x${string}`)),
          ...this.forkFields(),
        },
      },
      { common: options.common, setHardfork: false },
    );
    this.record(genesis, [], { stats: undefined as never, reads: [], writeSets: [] });
  }

  get head(): MinedBlock {
    return this.blocks[this.blocks.length - 1];
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

  /** The header the next block would get (the "pending" environment). */
  pendingHeader(timestamp: bigint): HeaderData {
    const parent = this.head.block.header;
    return {
      parentHash: parent.hash(),
      number: parent.number + 1n,
      gasLimit: this.options.blockGasLimit,
      baseFeePerGas: parent.calcNextBaseFee(),
      timestamp,
      coinbase: new Address(hexToBytes(this.options.coinbase as `0x${string}`)),
      ...this.forkFields(),
    };
  }

  /**
   * Executes `txs` as the next block and appends it. The transactions must
   * be valid in this order (the caller checks nonces, funds and gas); an
   * invalid one throws the engine's InvalidBlockError and changes nothing.
   */
  async mine(txs: TypedTransaction[], timestamp: bigint, senders?: string[]): Promise<MinedBlock> {
    const header = this.pendingHeader(timestamp);
    const draft = createBlock({ header, transactions: txs }, { common: this.options.common, setHardfork: false });
    const input = { block: draft, preState: this.state, blockHashes: this.blockHashes, senders, computeStateRoot: false };
    const useParallel = this.options.parallel.enabled && txs.length >= (this.options.parallel.minTxsForParallel ?? 8);
    const result = useParallel ? await this.parallelExecutor().executeBlock(input) : await executeBlockSequential(input);
    // The root adopts the new tries (dryRun false) because the diff is applied right after.
    const stateRoot = await stateRootComputerFor(this.state).compute(this.state, result.diff, { dryRun: false });
    const block = createBlock(
      {
        header: {
          ...header,
          stateRoot,
          transactionsTrie: transactionsRoot(txs),
          receiptTrie: result.receiptsRoot,
          gasUsed: result.gasUsed,
          logsBloom: result.logsBloom,
          requestsHash: result.requestsHash,
        },
        transactions: txs,
      },
      { common: this.options.common, setHardfork: false },
    );
    this.journal.apply(result.diff);
    return this.record(block, result.receipts, result);
  }

  private record(block: Block, receipts: TxReceipt[], result: MinedBlock["result"]): MinedBlock {
    const hash = bytesToHex(block.hash());
    const mined: MinedBlock = { block, hash, receipts, result, position: this.journal.position };
    const number = Number(block.header.number);
    this.blocks.push(mined);
    this.byHash.set(hash, number);
    this.blockHashes.set(block.header.number, block.hash());
    receipts.forEach((r, index) => this.txLocations.set(r.txHash, { block: number, index }));
    return mined;
  }

  /** Drops every block above `number` and the state changes after `position` (evm_revert). */
  rewind(number: number, position: number): void {
    while (this.blocks.length - 1 > number) {
      const dropped = this.blocks.pop()!;
      this.byHash.delete(dropped.hash);
      this.blockHashes.delete(dropped.block.header.number);
      for (const r of dropped.receipts) this.txLocations.delete(r.txHash);
    }
    this.journal.revertTo(position);
  }

  /** A direct state edit (hardhat_setBalance and friends), undoable by evm_revert. */
  edit(diff: StateDiff): void {
    this.journal.apply(diff);
  }

  blockByNumber(n: number): MinedBlock | undefined {
    return this.blocks[n];
  }

  blockByHash(hash: string): MinedBlock | undefined {
    const n = this.byHash.get(hash.toLowerCase());
    return n === undefined ? undefined : this.blocks[n];
  }

  transaction(hash: string): { mined: MinedBlock; index: number } | undefined {
    const at = this.txLocations.get(hash.toLowerCase());
    return at === undefined ? undefined : { mined: this.blocks[at.block], index: at.index };
  }

  /**
   * Journal position of the state "at block n": for the head, the current
   * state (direct edits such as hardhat_setBalance apply to the latest
   * block's state, as on Hardhat's network); for an older block, everything
   * up to the moment the next block was applied.
   */
  positionOf(n: number): number {
    return n >= this.blocks.length - 1 ? this.journal.position : this.blocks[n + 1].position - 1;
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

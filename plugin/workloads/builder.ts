/**
 * The workload builder: protocols deploy contracts, configure them, declare
 * what each sender needs (tokens, approvals) and queue the measured block's
 * transactions; `build()` turns all of it into signed transactions, in
 * setup blocks and one measured block.
 *
 * Setup is planned *after* the block: a sender only gets the tokens and
 * approvals its own transactions in the block use, so setup stays
 * proportional to the block rather than to accounts x tokens.
 *
 * Addresses are known before anything is signed: every contract is deployed
 * by the deployer in the first setup phase, so its address follows from the
 * deployer's nonce (CREATE), and nothing else the deployer sends comes
 * before.
 */
import type { FeeMarket1559Tx } from "@ethereumjs/tx";
import { Interface, getCreateAddress } from "ethers";
import type { InterfaceAbi } from "ethers";

import { sharedTxCommon } from "../engine/prepare";
import type { TestAccount } from "./accounts";
import { prng } from "./prng";
import { TxSigner, workloadChainCommon } from "./signer";
import type { TxRequest } from "./signer";
import { shuffle } from "./zipf";

/** What the builder needs of a compiled contract (a Hardhat artifact has both). */
export interface ContractArtifact {
  abi: InterfaceAbi;
  bytecode: string;
  /** Runtime code (flat-state workloads install it without a deployment). */
  deployedBytecode?: string;
}

/** Looks up a compiled contract by name, e.g. Hardhat's `artifacts.readArtifactSync`. */
export type ArtifactReader = (contractName: string) => ContractArtifact;

export class DeployedContract {
  constructor(
    readonly name: string,
    readonly address: string,
    readonly iface: Interface,
  ) {}

  /** Calldata for `fn(args)`. */
  encode(fn: string, args: readonly unknown[] = []): string {
    return this.iface.encodeFunctionData(fn, args);
  }
}

/** Setup phases, signed in this order. */
export enum SetupPhase {
  /** Contract deployments by the deployer. */
  Deploy,
  /** Deployer-side configuration: markets, prices, pools and their liquidity. */
  Configure,
  /** Token funding of senders (batch mints), generated from declared needs. */
  Fund,
  /** Senders' approvals, generated from declared needs. */
  Approve,
  /** Senders' own positions: lending deposits and loans, NFT listings. */
  Position,
}

export interface FundedToken {
  contract: DeployedContract;
  symbol: string;
  decimals: number;
  /** What a funded holder receives, in the smallest unit. */
  fundingAmount: bigint;
}

export interface BuiltWorkload {
  /** Setup transactions, grouped into blocks. */
  setupBlocks: FeeMarket1559Tx[][];
  /** What each setup transaction does, same shape as setupBlocks. */
  setupLabels: string[][];
  /** The measured block's transactions, in block order. */
  blockTxs: FeeMarket1559Tx[];
  /** What each block transaction does. */
  blockLabels: string[];
  /** Sender of each block transaction, 0x-prefixed lowercase. */
  senders: string[];
}

/** Gas of one holder in a batch mint (a fresh balance slot, a log, the loop). */
const BATCH_MINT_GAS_PER_HOLDER = 35_000n;
const BATCH_MINT_CHUNK = 200;
const APPROVE_GAS = 60_000n;
/** Setup transactions are grouped into blocks of at most this much gas limit. */
export const SETUP_BLOCK_GAS = 30_000_000n;
/** Osaka's per-transaction gas cap (EIP-7825). */
export const MAX_TX_GAS = 16_777_216n;
export const MAX_UINT256 = (1n << 256n) - 1n;

export class WorkloadBuilder {
  readonly rand: () => number;
  private readonly phases: TxRequest[][] = [[], [], [], [], []];
  private readonly block: TxRequest[] = [];
  private readonly funding = new Map<string, { token: FundedToken; holders: Map<string, TestAccount> }>();
  private readonly approvals = new Map<string, { holder: TestAccount; token: DeployedContract; spender: string }>();
  private deployments = 0;

  constructor(
    readonly artifacts: ArtifactReader,
    readonly deployer: TestAccount,
    seed: number,
  ) {
    this.rand = prng(seed);
  }

  /** Queues a deployment in the Deploy phase and returns the contract at its future address. */
  deploy(contractName: string, args: readonly unknown[] = [], gasLimit = 6_000_000n): DeployedContract {
    const artifact = this.artifacts(contractName);
    const iface = new Interface(artifact.abi);
    const address = getCreateAddress({ from: this.deployer.address.toString(), nonce: this.deployments++ }).toLowerCase();
    const data = artifact.bytecode + iface.encodeDeploy(args).slice(2);
    this.phases[SetupPhase.Deploy].push({ from: this.deployer, data, gasLimit, label: `deploy ${contractName}` });
    return new DeployedContract(contractName, address, iface);
  }

  /** A contract deployed by someone else (e.g. a pair created by a factory). */
  at(contractName: string, address: string): DeployedContract {
    return new DeployedContract(contractName, address.toLowerCase(), new Interface(this.artifacts(contractName).abi));
  }

  setup(phase: SetupPhase, req: TxRequest): void {
    if (phase === SetupPhase.Deploy) throw new Error("use deploy() for the Deploy phase");
    this.phases[phase].push(req);
  }

  /** Appends a transaction to the measured block. */
  blockTx(req: TxRequest): void {
    this.block.push(req);
  }

  /** `holder` must own `token.fundingAmount` of the token before the block. */
  needTokens(token: FundedToken, holder: TestAccount): void {
    let entry = this.funding.get(token.contract.address);
    if (entry === undefined) this.funding.set(token.contract.address, (entry = { token, holders: new Map() }));
    entry.holders.set(holder.hex, holder);
  }

  /** `holder` must have approved `spender` for `token` (without limit) before the block. */
  needApproval(holder: TestAccount, token: DeployedContract, spender: string): void {
    this.approvals.set(`${holder.hex}:${token.address}:${spender.toLowerCase()}`, { holder, token, spender });
  }

  /**
   * Signs everything: the setup phases in order (funding and approvals from
   * the declared needs), then the block. With `shuffleBlock`, the block's
   * transactions are put in a random order first (a real block interleaves
   * protocols); nonces follow the final order.
   */
  build(opts: { shuffleBlock: boolean }): BuiltWorkload {
    this.emitFunding();
    this.emitApprovals();
    const signer = new TxSigner(sharedTxCommon(workloadChainCommon()));
    const setupBlocks: BuiltWorkload["setupBlocks"] = [];
    const setupLabels: BuiltWorkload["setupLabels"] = [];
    let gas = SETUP_BLOCK_GAS;
    for (const req of this.phases.flat()) {
      if (gas + req.gasLimit > SETUP_BLOCK_GAS) {
        setupBlocks.push([]);
        setupLabels.push([]);
        gas = 0n;
      }
      gas += req.gasLimit;
      setupBlocks[setupBlocks.length - 1].push(signer.sign(req));
      setupLabels[setupLabels.length - 1].push(req.label);
    }
    const ordered = opts.shuffleBlock ? shuffle([...this.block], this.rand) : this.block;
    return {
      setupBlocks,
      setupLabels,
      blockTxs: ordered.map((req) => signer.sign(req)),
      blockLabels: ordered.map((req) => req.label),
      senders: ordered.map((req) => req.from.address.toString()),
    };
  }

  private emitFunding(): void {
    for (const { token, holders } of this.funding.values()) {
      const all = [...holders.values()];
      for (let i = 0; i < all.length; i += BATCH_MINT_CHUNK) {
        const chunk = all.slice(i, i + BATCH_MINT_CHUNK);
        this.phases[SetupPhase.Fund].push({
          from: this.deployer,
          to: token.contract.address,
          data: token.contract.encode("batchMint", [chunk.map((h) => h.address.toString()), token.fundingAmount]),
          gasLimit: 100_000n + BATCH_MINT_GAS_PER_HOLDER * BigInt(chunk.length),
          label: `fund ${chunk.length} holders with ${token.symbol}`,
        });
      }
    }
  }

  private emitApprovals(): void {
    for (const { holder, token, spender } of this.approvals.values()) {
      this.phases[SetupPhase.Approve].push({
        from: holder,
        to: token.address,
        data: token.encode("approve", [spender, MAX_UINT256]),
        gasLimit: APPROVE_GAS,
        label: `approve ${spender} for ${token.name} at ${token.address}`,
      });
    }
  }
}

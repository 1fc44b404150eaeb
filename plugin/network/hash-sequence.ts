/**
 * Hardhat's network gives every block it mines a pseudo-random PREVRANDAO
 * (the header's mixHash) and parent beacon block root, each the keccak256 of
 * the value before it, starting from a fixed seed phrase, so that a test
 * sees the same "random" values on every run. The parallel network draws
 * them the same way: contracts that read `block.prevrandao` behave alike on
 * both networks.
 */
import { utf8ToBytes } from "@ethereumjs/util";

import { keccak256 } from "../engine/hash";

/** The seed phrases of Hardhat's two sequences. */
export const MIX_HASH_SEED = "randomMixHashSeed";
export const BEACON_ROOT_SEED = "randomParentBeaconBlockRootSeed";

/** Where a sequence stands, to put it back on evm_revert. */
export interface HashSequenceState {
  last: Uint8Array;
  forced?: Uint8Array;
}

export class HashSequence {
  private last: Uint8Array;
  /** A value set for the next block only (hardhat_setPrevRandao); the sequence continues from it. */
  private forced?: Uint8Array;
  /** keccak256(last), once computed: every pending header and pending call asks for it. */
  private following?: Uint8Array;

  constructor(seed: string) {
    this.last = utf8ToBytes(seed);
  }

  /** The value the next block will take. */
  peek(): Uint8Array {
    return this.forced ?? (this.following ??= keccak256(this.last));
  }

  /** Takes the next value. */
  next(): Uint8Array {
    this.last = this.peek();
    this.forced = undefined;
    this.following = undefined;
    return this.last;
  }

  /** The next block takes `value`; the one after it keccak256(value). */
  force(value: Uint8Array): void {
    this.forced = value;
  }

  save(): HashSequenceState {
    return { last: this.last, forced: this.forced };
  }

  restore(state: HashSequenceState): void {
    this.last = state.last;
    this.forced = state.forced;
    this.following = undefined;
  }
}

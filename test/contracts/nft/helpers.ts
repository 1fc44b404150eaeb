/**
 * Shared fixtures and helpers of the NFT contract tests (collection,
 * marketplace, auction house). Contracts are untyped ethers `Contract`s so the
 * tests type-check without generated typechain bindings.
 */
import { ethers } from "hardhat";
import type { Contract, Signer } from "ethers";

export const MINT_PRICE = ethers.parseEther("0.01");
export const MAX_SUPPLY = 20n;
export const ROYALTY_BPS = 500n; // 5 %
export const PROTOCOL_FEE_BPS = 250n; // 2.5 %
export const BPS = 10_000n;

/** RejectingReceiver modes (NftRejectingReceiver.Mode). */
export const Mode = { Accept: 0, Revert: 1, BurnGas: 2 } as const;
/** NftMockCollection.RoyaltyMode. */
export const RoyaltyMode = { NoErc2981: 0, Excessive: 1, Reverting: 2 } as const;

/** `c` connected to `signer`, still usable with dynamic method names. */
export function as(c: Contract, signer: Signer): Contract {
  return c.connect(signer) as Contract;
}

/** Storage slot of `mapping[key]` for a mapping declared at `slot`. */
export function mappingSlot(keyType: "uint256" | "address", key: bigint | string, slot: bigint): bigint {
  return BigInt(ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode([keyType, "uint256"], [key, slot])));
}

/** Raw 32-byte word at `slot` of `address`, as a bigint. */
export async function readSlot(address: string, slot: bigint): Promise<bigint> {
  return BigInt(await ethers.provider.getStorage(address, slot));
}

/** The address stored in the low 20 bytes of `word` (offset 0). */
export function lowAddress(word: bigint): string {
  return ethers.getAddress(ethers.toBeHex(word & ((1n << 160n) - 1n), 20));
}

/** Encoding of a short (< 32 bytes) Solidity string stored in place. */
export function shortStringWord(s: string): bigint {
  const bytes = ethers.toUtf8Bytes(s);
  const word = new Uint8Array(32);
  word.set(bytes);
  word[31] = bytes.length * 2;
  return BigInt(ethers.hexlify(word));
}

/** Calldata of `fn(args)` on `c`, for NftRejectingReceiver.execute. */
export function calldata(c: Contract, fn: string, args: unknown[]): string {
  return c.interface.encodeFunctionData(fn, args);
}

/** Timestamp of the block that mined `tx`. */
export async function minedAt(tx: { wait(): Promise<unknown> }): Promise<bigint> {
  const receipt = (await tx.wait()) as { blockNumber: number };
  const block = await ethers.provider.getBlock(receipt.blockNumber);
  if (block === null) throw new Error("block not found");
  return BigInt(block.timestamp);
}

/**
 * Everything the NFT tests need: a paid-mint collection (5 % royalty to
 * `artist`), the marketplace (2.5 % fee to `treasury`), the auction house, a
 * TestToken funded for the buyers, and a rejecting receiver.
 */
export async function deployNftFixture() {
  const [deployer, artist, treasury, alice, bob, carol, dave] = await ethers.getSigners();
  const collection = await ethers.deployContract("NftCollection", [
    "Parallel Punks",
    "PPUNK",
    MAX_SUPPLY,
    MINT_PRICE,
    artist.address,
    ROYALTY_BPS,
  ]);
  const marketplace = await ethers.deployContract("NftMarketplace", [treasury.address, PROTOCOL_FEE_BPS]);
  const house = await ethers.deployContract("NftAuctionHouse", []);
  const token = await ethers.deployContract("TestToken", ["Test USD", "TUSD", 6]);
  const rejecter = await ethers.deployContract("NftRejectingReceiver", [Mode.Revert]);
  await Promise.all([
    collection.waitForDeployment(),
    marketplace.waitForDeployment(),
    house.waitForDeployment(),
    token.waitForDeployment(),
    rejecter.waitForDeployment(),
  ]);
  await token.batchMint([alice.address, bob.address, carol.address, dave.address], 1_000_000_000n);
  return { deployer, artist, treasury, alice, bob, carol, dave, collection, marketplace, house, token, rejecter };
}

/** Deterministic PRNG (mulberry32), the one the workload generators use. */
export { prng as mulberry32 } from "../../../plugin/workloads/prng";

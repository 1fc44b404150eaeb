/**
 * Shared setup and helpers of the WETH / AMM tests (not a test file itself).
 *
 * Contracts are handled as plain ethers `Contract`s (no typechain import), so
 * `tsc --noEmit` passes on a fresh clone where typechain-types is not yet
 * generated.
 */
import { ethers } from "hardhat";
import type { Contract, Signer } from "ethers";

export const MINIMUM_LIQUIDITY = 1000n;
export const DEAD = "0x000000000000000000000000000000000000dEaD";
export const MAX_UINT112 = (1n << 112n) - 1n;
export const E18 = 10n ** 18n;
/** Far-future deadline for router calls. */
export const DEADLINE = 2n ** 40n;

/** Deterministic PRNG (mulberry32), the one the workload generators use: same seed, same sequence. */
export { prng as mulberry32 } from "../../../plugin/workloads/prng";

/** `contract` called by `signer`, keeping the index signature of `Contract`. */
export function as(contract: Contract, signer: Signer): Contract {
  return contract.connect(signer) as Contract;
}

/** Orders two addresses as a pair stores them (token0 < token1). */
export function sortAddresses(a: string, b: string): [string, string] {
  return BigInt(a) < BigInt(b) ? [a, b] : [b, a];
}

/** Storage slot of `mapping(address => ...)` entry `key` at mapping slot `slot`. */
export function mappingSlot(key: string, slot: bigint): string {
  return ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["address", "uint256"], [key, slot]));
}

/** Storage slot of `mapping(address => mapping(address => ...))` entry [outer][inner] at slot `slot`. */
export function nestedMappingSlot(outer: string, inner: string, slot: bigint): string {
  return ethers.keccak256(
    ethers.AbiCoder.defaultAbiCoder().encode(["address", "bytes32"], [inner, mappingSlot(outer, slot)])
  );
}

/** A storage word read as an unsigned integer. */
export async function storageAt(address: string, slot: bigint | string): Promise<bigint> {
  return BigInt(await ethers.provider.getStorage(address, slot));
}

/** Solidity's encoding of a short (< 32 bytes) string in its slot: data left-aligned, length*2 in the last byte. */
export function shortStringWord(s: string): bigint {
  const bytes = ethers.toUtf8Bytes(s);
  if (bytes.length >= 32) throw new Error("not a short string");
  const word = new Uint8Array(32);
  word.set(bytes, 0);
  word[31] = bytes.length * 2;
  return BigInt(ethers.hexlify(word));
}

export interface Reserves {
  reserve0: bigint;
  reserve1: bigint;
  blockTimestampLast: bigint;
}

export async function reservesOf(pair: Contract): Promise<Reserves> {
  const [reserve0, reserve1, blockTimestampLast] = (await pair.getReserves()) as [bigint, bigint, bigint];
  return { reserve0, reserve1, blockTimestampLast };
}

/** Uniswap-V2-style output for an exact input with the 0.3% fee (off-chain reference). */
export function amountOut(amountIn: bigint, reserveIn: bigint, reserveOut: bigint): bigint {
  const inWithFee = amountIn * 997n;
  return (inWithFee * reserveOut) / (reserveIn * 1000n + inWithFee);
}

/** Smallest input for an exact output with the 0.3% fee (off-chain reference). */
export function amountIn(amountOut_: bigint, reserveIn: bigint, reserveOut: bigint): bigint {
  return (reserveIn * amountOut_ * 1000n) / ((reserveOut - amountOut_) * 997n) + 1n;
}

export function sqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = n;
  let y = (x + 1n) / 2n;
  while (y < x) {
    x = y;
    y = (x + n / x) / 2n;
  }
  return x;
}

/** Initial user balance of every test token. */
export const FUNDING = 1_000_000n * E18;
/** Initial user balance of WETH (wrapped from the signer's 10,000 test ether). */
export const WETH_FUNDING = 1_000n * E18;

/**
 * WETH, factory, router and three 18-decimal TestTokens; the users hold FUNDING of each token
 * (and WETH_FUNDING of WETH) and have approved the router for everything.
 */
export async function deployAmm() {
  const [deployer, alice, bob, carol, dave] = await ethers.getSigners();
  const users = [alice, bob, carol, dave];

  const weth = (await ethers.deployContract("WETH")) as Contract;
  const factory = (await ethers.deployContract("AmmFactory")) as Contract;
  const router = (await ethers.deployContract("AmmRouter", [
    await factory.getAddress(),
    await weth.getAddress(),
  ])) as Contract;
  const tokenA = (await ethers.deployContract("TestToken", ["Token A", "TKA", 18])) as Contract;
  const tokenB = (await ethers.deployContract("TestToken", ["Token B", "TKB", 18])) as Contract;
  const tokenC = (await ethers.deployContract("TestToken", ["Token C", "TKC", 18])) as Contract;

  const userAddresses = users.map((u) => u.address);
  const routerAddress = await router.getAddress();
  for (const token of [tokenA, tokenB, tokenC]) {
    await token.batchMint(userAddresses, FUNDING);
  }
  for (const user of users) {
    await as(weth, user).deposit({ value: WETH_FUNDING });
    for (const token of [tokenA, tokenB, tokenC, weth]) {
      await as(token, user).approve(routerAddress, ethers.MaxUint256);
    }
  }
  return { deployer, alice, bob, carol, dave, users, weth, factory, router, tokenA, tokenB, tokenC };
}

/** The AmmPair at `address`. */
export async function pairAt(address: string): Promise<Contract> {
  return (await ethers.getContractAt("AmmPair", address)) as unknown as Contract;
}

import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { PRICES, USDC, WETH, deployLendingFixture } from "./fixtures";

const coder = ethers.AbiCoder.defaultAbiCoder();

/** Slot of `mapping(address => ...)` entry `key` for a mapping at `slot` (slot given as a number or bytes32). */
function mappingSlot(key: string, slot: bigint | string): bigint {
  const encodedSlot = typeof slot === "string" ? slot : ethers.toBeHex(slot, 32);
  return BigInt(ethers.keccak256(coder.encode(["address", "bytes32"], [key, encodedSlot])));
}

describe("lending: storage layout matches the headers", function () {
  async function withPositions() {
    const f = await deployLendingFixture();
    await f.pool.connect(f.bob).supply(f.usdcAddress, USDC("50000"));
    await f.pool.connect(f.alice).supply(f.wethAddress, WETH("10"));
    await f.pool.connect(f.alice).borrow(f.usdcAddress, USDC("5000"));
    return f;
  }

  async function read(address: string, slot: bigint): Promise<bigint> {
    return BigInt(await ethers.provider.getStorage(address, slot));
  }

  it("LendingPool: _owner at 0, _status at 1, _marketList at 3", async function () {
    const { pool, poolAddress, owner, usdcAddress, wethAddress, wbtcAddress } = await loadFixture(withPositions);
    expect(await read(poolAddress, 0n)).to.equal(BigInt(owner.address));
    expect(await read(poolAddress, 1n)).to.equal(1n); // ReentrancyGuard NOT_ENTERED
    expect(await read(poolAddress, 3n)).to.equal(3n);
    const first = BigInt(ethers.keccak256(ethers.toBeHex(3n, 32)));
    const listed = [usdcAddress, wethAddress, wbtcAddress];
    for (let i = 0; i < listed.length; i++) {
      expect(await read(poolAddress, first + BigInt(i))).to.equal(BigInt(listed[i]));
    }
    expect(await pool.marketList()).to.deep.equal(listed);
  });

  it("LendingPool: Market struct fields at keccak256(asset, 2) + 0..9", async function () {
    const { pool, poolAddress, usdcAddress, modelAddress } = await loadFixture(withPositions);
    const m = await pool.market(usdcAddress);
    const base = mappingSlot(usdcAddress, 2n);
    // slot 0 packs rateModel (bytes 0-19), decimals (byte 20) and listed (byte 21)
    const packed = await read(poolAddress, base);
    expect(packed & ((1n << 160n) - 1n)).to.equal(BigInt(modelAddress));
    expect((packed >> 160n) & 0xffn).to.equal(6n);
    expect((packed >> 168n) & 0xffn).to.equal(1n);
    const fields = [
      m.collateralFactor,
      m.reserveFactor,
      m.liquidationBonus,
      m.cash,
      m.totalSupplyShares,
      m.totalBorrows,
      m.totalReserves,
      m.borrowIndex,
      m.accrualBlockNumber,
    ];
    for (let i = 0; i < fields.length; i++) {
      expect(await read(poolAddress, base + 1n + BigInt(i)), `market slot +${i + 1}`).to.equal(fields[i]);
    }
    expect(m.cash).to.equal(USDC("45000"));
    expect(m.totalBorrows).to.equal(USDC("5000"));
  });

  it("LendingPool: Position struct at keccak256(asset, keccak256(user, 4)) + 0..2", async function () {
    const { pool, poolAddress, alice, usdcAddress, wethAddress } = await loadFixture(withPositions);
    const inner = ethers.toBeHex(mappingSlot(alice.address, 4n), 32);
    const debtBase = mappingSlot(usdcAddress, inner);
    const debt = await pool.position(alice.address, usdcAddress);
    expect(await read(poolAddress, debtBase)).to.equal(0n);
    expect(await read(poolAddress, debtBase + 1n)).to.equal(debt.borrowPrincipal);
    expect(await read(poolAddress, debtBase + 2n)).to.equal(debt.borrowIndex);
    expect(debt.borrowPrincipal).to.equal(USDC("5000"));
    const supplyBase = mappingSlot(wethAddress, inner);
    expect(await read(poolAddress, supplyBase)).to.equal(WETH("10"));
  });

  it("LendingPool: the oracle is an immutable (in the code, not in storage)", async function () {
    const { pool, poolAddress, oracle } = await loadFixture(withPositions);
    const oracleAddress = BigInt(await oracle.getAddress());
    for (const slot of [0n, 1n, 2n, 3n, 4n, 5n]) {
      expect(await read(poolAddress, slot)).to.not.equal(oracleAddress);
    }
    const code = await ethers.provider.getCode(poolAddress);
    expect(code.toLowerCase()).to.contain((await oracle.getAddress()).slice(2).toLowerCase());
    expect(await pool.oracle()).to.equal(await oracle.getAddress());
  });

  it("SimplePriceOracle: _owner at 0, _prices at keccak256(asset, 1)", async function () {
    const { oracle, owner, wethAddress } = await loadFixture(withPositions);
    const oracleAddress = await oracle.getAddress();
    expect(await read(oracleAddress, 0n)).to.equal(BigInt(owner.address));
    expect(await read(oracleAddress, mappingSlot(wethAddress, 1n))).to.equal(PRICES.weth);
  });

  it("KinkedRateModel: no storage, parameters live in the code", async function () {
    const { model, modelAddress } = await loadFixture(withPositions);
    for (const slot of [0n, 1n, 2n, 3n]) {
      expect(await read(modelAddress, slot)).to.equal(0n);
    }
    const code = await ethers.provider.getCode(modelAddress);
    expect(code.toLowerCase()).to.contain(ethers.toBeHex(await model.kink(), 32).slice(2));
  });
});

import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers, network } from "hardhat";
import type { Contract, Signer } from "ethers";

import {
  DEAD,
  E18,
  MAX_UINT112,
  MINIMUM_LIQUIDITY,
  amountOut,
  as,
  deployAmm,
  mappingSlot,
  nestedMappingSlot,
  pairAt,
  shortStringWord,
  sortAddresses,
  sqrt,
  storageAt,
} from "./helpers";

const Q112 = 1n << 112n;

describe("AmmFactory", function () {
  async function deployFactory() {
    return deployAmm();
  }

  it("creates the pair at the CREATE2 address computed off-chain and registers it both ways", async function () {
    const { factory, router, tokenA, tokenB } = await loadFixture(deployFactory);
    const a = await tokenA.getAddress();
    const b = await tokenB.getAddress();
    const [t0, t1] = sortAddresses(a, b);
    const codeHash = (await factory.pairCodeHash()) as string;
    const salt = ethers.keccak256(ethers.solidityPacked(["address", "address"], [t0, t1]));
    const expected = ethers.getCreate2Address(await factory.getAddress(), salt, codeHash);

    // Token order in the call does not matter.
    await expect(factory.createPair(b, a)).to.emit(factory, "PairCreated").withArgs(t0, t1, expected, 1n);
    expect(await factory.getPair(a, b)).to.equal(expected);
    expect(await factory.getPair(b, a)).to.equal(expected);
    expect(await factory.allPairs(0n)).to.equal(expected);
    expect(await factory.allPairsLength()).to.equal(1n);
    expect(await router.pairFor(a, b)).to.equal(expected);
    expect(await router.pairFor(b, a)).to.equal(expected);
    expect((await ethers.provider.getCode(expected)).length).to.be.greaterThan(2);
  });

  it("pairCodeHash is keccak256 of AmmPair's creation code (no constructor arguments)", async function () {
    const { factory, router } = await loadFixture(deployFactory);
    const pairFactory = await ethers.getContractFactory("AmmPair");
    expect(await factory.pairCodeHash()).to.equal(ethers.keccak256(pairFactory.bytecode));
    expect(await router.pairCodeHash()).to.equal(ethers.keccak256(pairFactory.bytecode));
  });

  it("initializes the pair with sorted tokens, the factory, and an empty LP token", async function () {
    const { factory, tokenA, tokenB } = await loadFixture(deployFactory);
    const a = await tokenA.getAddress();
    const b = await tokenB.getAddress();
    const [t0, t1] = sortAddresses(a, b);
    await factory.createPair(a, b);
    const pair = await pairAt(await factory.getPair(a, b));
    expect(await pair.token0()).to.equal(t0);
    expect(await pair.token1()).to.equal(t1);
    expect(await pair.factory()).to.equal(await factory.getAddress());
    expect(await pair.name()).to.equal("AMM LP");
    expect(await pair.symbol()).to.equal("AMM-LP");
    expect(await pair.decimals()).to.equal(18n);
    expect(await pair.totalSupply()).to.equal(0n);
    expect(await pair.MINIMUM_LIQUIDITY()).to.equal(MINIMUM_LIQUIDITY);
    expect(await pair.DEAD()).to.equal(DEAD);
    expect(await pair.getReserves()).to.deep.equal([0n, 0n, 0n]);
    expect(await pair.price0CumulativeLast()).to.equal(0n);
    expect(await pair.price1CumulativeLast()).to.equal(0n);
    // The hand-over slots are cleared once the pair exists.
    expect(await factory.deploymentParameters()).to.deep.equal([ethers.ZeroAddress, ethers.ZeroAddress]);
  });

  it("lists several pairs in creation order", async function () {
    const { factory, tokenA, tokenB, tokenC, weth } = await loadFixture(deployFactory);
    const tokens = [tokenA, tokenB, tokenC, weth];
    const addresses = await Promise.all(tokens.map((t) => t.getAddress()));
    const combos: [number, number][] = [
      [0, 1],
      [1, 2],
      [2, 0],
      [3, 0],
    ];
    for (let i = 0; i < combos.length; i++) {
      const [x, y] = combos[i];
      const [t0, t1] = sortAddresses(addresses[x], addresses[y]);
      await expect(factory.createPair(addresses[x], addresses[y]))
        .to.emit(factory, "PairCreated")
        .withArgs(t0, t1, (p: string) => ethers.isAddress(p), BigInt(i + 1));
      expect(await factory.allPairs(BigInt(i))).to.equal(await factory.getPair(addresses[y], addresses[x]));
    }
    expect(await factory.allPairsLength()).to.equal(4n);
    // A pair never created reads as the zero address.
    expect(await factory.getPair(addresses[1], addresses[3])).to.equal(ethers.ZeroAddress);
  });

  it("reverts with IdenticalAddresses, ZeroAddress and PairExists", async function () {
    const { factory, tokenA, tokenB } = await loadFixture(deployFactory);
    const a = await tokenA.getAddress();
    const b = await tokenB.getAddress();
    const [t0, t1] = sortAddresses(a, b);
    await expect(factory.createPair(a, a)).to.be.revertedWithCustomError(factory, "IdenticalAddresses").withArgs(a);
    await expect(factory.createPair(ethers.ZeroAddress, a)).to.be.revertedWithCustomError(factory, "ZeroAddress");
    await expect(factory.createPair(a, ethers.ZeroAddress)).to.be.revertedWithCustomError(factory, "ZeroAddress");
    await factory.createPair(a, b);
    const pair = await factory.getPair(a, b);
    await expect(factory.createPair(a, b)).to.be.revertedWithCustomError(factory, "PairExists").withArgs(t0, t1, pair);
    await expect(factory.createPair(b, a)).to.be.revertedWithCustomError(factory, "PairExists").withArgs(t0, t1, pair);
  });

  it("AmmPair cannot be deployed outside a factory", async function () {
    const pairFactory = await ethers.getContractFactory("AmmPair");
    // The constructor asks its deployer (an EOA here) for the tokens, which fails.
    await expect(pairFactory.deploy()).to.be.reverted;
  });

  it("storage layout matches the header (_pairs 0, allPairs 1, hand-over slots 2-3)", async function () {
    const { factory, tokenA, tokenB } = await loadFixture(deployFactory);
    const address = await factory.getAddress();
    const a = await tokenA.getAddress();
    const b = await tokenB.getAddress();
    const [t0, t1] = sortAddresses(a, b);
    await factory.createPair(a, b);
    const pair = BigInt(await factory.getPair(a, b));
    expect(await storageAt(address, nestedMappingSlot(t0, t1, 0n))).to.equal(pair);
    expect(await storageAt(address, nestedMappingSlot(t1, t0, 0n))).to.equal(0n); // keyed by sorted tokens only
    expect(await storageAt(address, 1n)).to.equal(1n); // allPairs.length
    const firstElement = BigInt(ethers.keccak256(ethers.toBeHex(1n, 32)));
    expect(await storageAt(address, firstElement)).to.equal(pair);
    expect(await storageAt(address, 2n)).to.equal(0n);
    expect(await storageAt(address, 3n)).to.equal(0n);
  });
});

describe("AmmPair", function () {
  async function deployPair() {
    const base = await deployAmm();
    const { factory, tokenA, tokenB } = base;
    const a = await tokenA.getAddress();
    const b = await tokenB.getAddress();
    await factory.createPair(a, b);
    const pair = await pairAt(await factory.getPair(a, b));
    const [t0] = sortAddresses(a, b);
    const token0 = t0 === a ? tokenA : tokenB;
    const token1 = t0 === a ? tokenB : tokenA;
    return { ...base, pair, pairAddress: await pair.getAddress(), token0, token1 };
  }

  /** Transfers the amounts to the pair and mints the LP tokens to `user`. */
  async function addDirect(pair: Contract, token0: Contract, token1: Contract, user: Signer, a0: bigint, a1: bigint) {
    const pairAddress = await pair.getAddress();
    await as(token0, user).transfer(pairAddress, a0);
    await as(token1, user).transfer(pairAddress, a1);
    await as(pair, user).mint(await user.getAddress());
  }

  const R0 = 10n * E18;
  const R1 = 40n * E18;

  async function deployFundedPair() {
    const f = await deployPair();
    await addDirect(f.pair, f.token0, f.token1, f.alice, R0, R1);
    return f;
  }

  describe("mint", function () {
    it("first mint: sqrt(a0*a1) - MINIMUM_LIQUIDITY to `to`, MINIMUM_LIQUIDITY locked at DEAD", async function () {
      const { pair, pairAddress, token0, token1, alice, bob } = await loadFixture(deployPair);
      await as(token0, alice).transfer(pairAddress, 1n * E18);
      await as(token1, alice).transfer(pairAddress, 4n * E18);
      const expected = 2n * E18 - MINIMUM_LIQUIDITY;
      expect(await as(pair, alice).mint.staticCall(bob.address)).to.equal(expected);

      const tx = as(pair, alice).mint(bob.address);
      await expect(tx).to.emit(pair, "Transfer").withArgs(ethers.ZeroAddress, DEAD, MINIMUM_LIQUIDITY);
      await expect(tx).to.emit(pair, "Transfer").withArgs(ethers.ZeroAddress, bob.address, expected);
      await expect(tx)
        .to.emit(pair, "Sync")
        .withArgs(1n * E18, 4n * E18);
      await expect(tx)
        .to.emit(pair, "Mint")
        .withArgs(alice.address, 1n * E18, 4n * E18);
      await expect(tx).to.changeTokenBalances(
        pair,
        [bob.address, DEAD, alice.address],
        [expected, MINIMUM_LIQUIDITY, 0n]
      );
      expect(await pair.totalSupply()).to.equal(2n * E18);
      const [r0, r1, ts] = (await pair.getReserves()) as [bigint, bigint, bigint];
      expect([r0, r1]).to.deep.equal([1n * E18, 4n * E18]);
      expect(ts).to.equal(BigInt(await time.latest()));
    });

    it("first mint reverts with InsufficientLiquidityMinted when sqrt(a0*a1) <= MINIMUM_LIQUIDITY", async function () {
      const { pair, pairAddress, token0, token1, alice } = await loadFixture(deployPair);
      await as(token0, alice).transfer(pairAddress, 1000n);
      await as(token1, alice).transfer(pairAddress, 1000n);
      await expect(as(pair, alice).mint(alice.address))
        .to.be.revertedWithCustomError(pair, "InsufficientLiquidityMinted")
        .withArgs(1000n, 1000n);
      await as(token1, alice).transfer(pairAddress, 2n); // sqrt(1000 * 1002) = 1000 still
      await expect(as(pair, alice).mint(alice.address))
        .to.be.revertedWithCustomError(pair, "InsufficientLiquidityMinted")
        .withArgs(1000n, 1002n);
      await as(token1, alice).transfer(pairAddress, 3n); // sqrt(1000 * 1005) = 1002 -> 2 LP
      await expect(as(pair, alice).mint(alice.address)).to.changeTokenBalance(pair, alice, 2n);
    });

    it("later mints get the smaller proportional share", async function () {
      const { pair, pairAddress, token0, token1, bob } = await loadFixture(deployFundedPair);
      const supply = (await pair.totalSupply()) as bigint;
      expect(supply).to.equal(sqrt(R0 * R1));

      // Proportional deposit: exactly a quarter of the supply.
      await as(token0, bob).transfer(pairAddress, R0 / 4n);
      await as(token1, bob).transfer(pairAddress, R1 / 4n);
      const tx = as(pair, bob).mint(bob.address);
      await expect(tx)
        .to.emit(pair, "Mint")
        .withArgs(bob.address, R0 / 4n, R1 / 4n);
      await expect(tx).to.changeTokenBalance(pair, bob, supply / 4n);

      // Unbalanced deposit: token1 is the binding side; the token0 surplus is donated to the pool.
      const s = (await pair.totalSupply()) as bigint;
      const [r0, r1] = (await pair.getReserves()) as [bigint, bigint, bigint];
      await as(token0, bob).transfer(pairAddress, E18);
      await as(token1, bob).transfer(pairAddress, E18);
      const expected = (E18 * s) / r1 < (E18 * s) / r0 ? (E18 * s) / r1 : (E18 * s) / r0;
      expect(expected).to.equal((E18 * s) / r1);
      await expect(as(pair, bob).mint(bob.address)).to.changeTokenBalance(pair, bob, expected);
      expect(await pair.getReserves()).to.deep.include.members([r0 + E18, r1 + E18]);
    });

    it("reverts with InsufficientLiquidityMinted when nothing (or too little) was deposited", async function () {
      const { pair, pairAddress, token0, bob } = await loadFixture(deployFundedPair);
      await expect(as(pair, bob).mint(bob.address))
        .to.be.revertedWithCustomError(pair, "InsufficientLiquidityMinted")
        .withArgs(0n, 0n);
      await as(token0, bob).transfer(pairAddress, 5n);
      await expect(as(pair, bob).mint(bob.address))
        .to.be.revertedWithCustomError(pair, "InsufficientLiquidityMinted")
        .withArgs(5n, 0n);
    });
  });

  describe("burn", function () {
    it("burns the LP tokens held by the pair and pays out the proportional share", async function () {
      const { pair, pairAddress, token0, token1, alice, bob } = await loadFixture(deployFundedPair);
      const liquidity = (await pair.balanceOf(alice.address)) as bigint;
      const supply = (await pair.totalSupply()) as bigint;
      const half = liquidity / 2n;
      await as(pair, alice).transfer(pairAddress, half);
      const a0 = (half * R0) / supply;
      const a1 = (half * R1) / supply;
      expect(await as(pair, alice).burn.staticCall(bob.address)).to.deep.equal([a0, a1]);

      const tx = as(pair, alice).burn(bob.address);
      await expect(tx).to.emit(pair, "Burn").withArgs(alice.address, a0, a1, bob.address);
      await expect(tx).to.emit(pair, "Transfer").withArgs(pairAddress, ethers.ZeroAddress, half);
      await expect(tx)
        .to.emit(pair, "Sync")
        .withArgs(R0 - a0, R1 - a1);
      await expect(tx).to.changeTokenBalances(token0, [pairAddress, bob.address], [-a0, a0]);
      await expect(tx).to.changeTokenBalances(token1, [pairAddress, bob.address], [-a1, a1]);
      expect(await pair.totalSupply()).to.equal(supply - half);
      expect(await pair.balanceOf(pairAddress)).to.equal(0n);
    });

    it("burning everything leaves exactly MINIMUM_LIQUIDITY and its share in the pool", async function () {
      const { pair, pairAddress, alice } = await loadFixture(deployFundedPair);
      const liquidity = (await pair.balanceOf(alice.address)) as bigint;
      await as(pair, alice).transfer(pairAddress, liquidity);
      await as(pair, alice).burn(alice.address);
      expect(await pair.totalSupply()).to.equal(MINIMUM_LIQUIDITY);
      const [r0, r1] = (await pair.getReserves()) as [bigint, bigint, bigint];
      const supply = sqrt(R0 * R1);
      expect(r0).to.equal(R0 - (liquidity * R0) / supply);
      expect(r1).to.equal(R1 - (liquidity * R1) / supply);
      expect(r0 > 0n && r1 > 0n).to.equal(true);
    });

    it("reverts with InsufficientLiquidityBurned on a pair never minted", async function () {
      const { pair, alice } = await loadFixture(deployPair);
      await expect(as(pair, alice).burn(alice.address))
        .to.be.revertedWithCustomError(pair, "InsufficientLiquidityBurned")
        .withArgs(0n, 0n, 0n);
    });

    it("reverts with InsufficientLiquidityBurned when the LP returned is worth nothing", async function () {
      const { pair, pairAddress, alice } = await loadFixture(deployFundedPair);
      await expect(as(pair, alice).burn(alice.address))
        .to.be.revertedWithCustomError(pair, "InsufficientLiquidityBurned")
        .withArgs(0n, 0n, 0n);
      // 1 LP unit is worth R0/supply = 0.5 of token0: rounds to zero.
      await as(pair, alice).transfer(pairAddress, 1n);
      const supply = sqrt(R0 * R1);
      await expect(as(pair, alice).burn(alice.address))
        .to.be.revertedWithCustomError(pair, "InsufficientLiquidityBurned")
        .withArgs(1n, R0 / supply, R1 / supply);
    });
  });

  describe("swap", function () {
    it("token0 in, token1 out: pays the largest output the 0.3% fee allows", async function () {
      const { pair, pairAddress, token0, token1, alice, bob } = await loadFixture(deployFundedPair);
      const input = E18;
      const output = amountOut(input, R0, R1);
      await as(token0, alice).transfer(pairAddress, input);
      const tx = as(pair, alice).swap(0n, output, bob.address);
      await expect(tx).to.emit(pair, "Swap").withArgs(alice.address, input, 0n, 0n, output, bob.address);
      await expect(tx)
        .to.emit(pair, "Sync")
        .withArgs(R0 + input, R1 - output);
      await expect(tx).to.changeTokenBalances(token1, [pairAddress, bob.address], [-output, output]);
      const [r0, r1] = (await pair.getReserves()) as [bigint, bigint, bigint];
      expect(r0 * r1 >= R0 * R1).to.equal(true);
    });

    it("token1 in, token0 out", async function () {
      const { pair, pairAddress, token0, token1, alice, bob } = await loadFixture(deployFundedPair);
      const input = 3n * E18;
      const output = amountOut(input, R1, R0);
      await as(token1, alice).transfer(pairAddress, input);
      const tx = as(pair, alice).swap(output, 0n, bob.address);
      await expect(tx).to.emit(pair, "Swap").withArgs(alice.address, 0n, input, output, 0n, bob.address);
      await expect(tx).to.changeTokenBalances(token0, [pairAddress, bob.address], [-output, output]);
    });

    it("counts input paid in the output token (out of token0 repaid with more token0)", async function () {
      const { pair, pairAddress, token0, alice, bob } = await loadFixture(deployFundedPair);
      await as(token0, alice).transfer(pairAddress, 1000n);
      await expect(as(pair, alice).swap(500n, 0n, bob.address))
        .to.emit(pair, "Swap")
        .withArgs(alice.address, 1000n, 0n, 500n, 0n, bob.address);
      expect(await pair.getReserves()).to.deep.include.members([R0 + 500n, R1]);
    });

    it("reverts with KViolated one unit above the largest output", async function () {
      const { pair, pairAddress, token0, alice } = await loadFixture(deployFundedPair);
      const input = E18;
      const output = amountOut(input, R0, R1) + 1n;
      await as(token0, alice).transfer(pairAddress, input);
      await expect(as(pair, alice).swap(0n, output, alice.address))
        .to.be.revertedWithCustomError(pair, "KViolated")
        .withArgs((R0 + input) * 1000n - input * 3n, (R1 - output) * 1000n, R0, R1);
    });

    it("reverts with InsufficientOutputAmount when asked for nothing", async function () {
      const { pair, alice } = await loadFixture(deployFundedPair);
      await expect(as(pair, alice).swap(0n, 0n, alice.address)).to.be.revertedWithCustomError(
        pair,
        "InsufficientOutputAmount"
      );
    });

    it("reverts with InsufficientLiquidity when asked for a whole reserve", async function () {
      const { pair, alice } = await loadFixture(deployFundedPair);
      await expect(as(pair, alice).swap(R0, 0n, alice.address))
        .to.be.revertedWithCustomError(pair, "InsufficientLiquidity")
        .withArgs(R0, 0n, R0, R1);
      await expect(as(pair, alice).swap(0n, R1 + 1n, alice.address))
        .to.be.revertedWithCustomError(pair, "InsufficientLiquidity")
        .withArgs(0n, R1 + 1n, R0, R1);
    });

    it("reverts with InsufficientLiquidity on an empty pair", async function () {
      const { pair, alice } = await loadFixture(deployPair);
      await expect(as(pair, alice).swap(1n, 0n, alice.address))
        .to.be.revertedWithCustomError(pair, "InsufficientLiquidity")
        .withArgs(1n, 0n, 0n, 0n);
    });

    it("reverts with InvalidTo for the pair's own tokens and the zero address", async function () {
      const { pair, token0, token1, alice } = await loadFixture(deployFundedPair);
      for (const to of [await token0.getAddress(), await token1.getAddress(), ethers.ZeroAddress]) {
        await expect(as(pair, alice).swap(1n, 0n, to)).to.be.revertedWithCustomError(pair, "InvalidTo").withArgs(to);
      }
    });

    it("reverts with InsufficientInputAmount when nothing was paid in", async function () {
      const { pair, alice } = await loadFixture(deployFundedPair);
      await expect(as(pair, alice).swap(0n, 1n, alice.address)).to.be.revertedWithCustomError(
        pair,
        "InsufficientInputAmount"
      );
    });

    it("reverts with Overflow when a balance exceeds 112 bits", async function () {
      const { pair, pairAddress, token0, token1, alice, deployer } = await loadFixture(deployFundedPair);
      const huge = MAX_UINT112 - R0 + 1n;
      await as(token0, deployer).mint(pairAddress, huge);
      await expect(as(pair, alice).swap(0n, 1n, alice.address))
        .to.be.revertedWithCustomError(pair, "Overflow")
        .withArgs(R0 + huge, R1 - 1n);
      await expect(as(pair, alice).sync())
        .to.be.revertedWithCustomError(pair, "Overflow")
        .withArgs(R0 + huge, R1);
      // mint: a deposit on both sides gets past the share computation, then the reserves overflow.
      await as(token1, alice).transfer(pairAddress, E18);
      await expect(as(pair, alice).mint(alice.address))
        .to.be.revertedWithCustomError(pair, "Overflow")
        .withArgs(R0 + huge, R1 + E18);
    });
  });

  describe("skim and sync", function () {
    it("skim sends donations away and leaves the reserves unchanged", async function () {
      const { pair, pairAddress, token0, token1, alice, bob } = await loadFixture(deployFundedPair);
      await as(token0, alice).transfer(pairAddress, 500n);
      await as(token1, alice).transfer(pairAddress, 7n);
      const tx = as(pair, alice).skim(bob.address);
      await expect(tx).to.changeTokenBalances(token0, [pairAddress, bob.address], [-500n, 500n]);
      await expect(tx).to.changeTokenBalances(token1, [pairAddress, bob.address], [-7n, 7n]);
      await expect(tx).not.to.emit(pair, "Sync");
      expect(await pair.getReserves()).to.deep.include.members([R0, R1]);
      // Nothing to skim: no transfer at all.
      await expect(as(pair, alice).skim(bob.address)).not.to.emit(token0, "Transfer");
    });

    it("sync absorbs donations into the reserves", async function () {
      const { pair, pairAddress, token0, alice } = await loadFixture(deployFundedPair);
      await as(token0, alice).transfer(pairAddress, 500n);
      await expect(as(pair, alice).sync())
        .to.emit(pair, "Sync")
        .withArgs(R0 + 500n, R1);
      expect(await pair.getReserves()).to.deep.include.members([R0 + 500n, R1]);
    });
  });

  describe("TWAP accumulators", function () {
    it("stay zero on the first mint (no price before it)", async function () {
      const { pair } = await loadFixture(deployFundedPair);
      expect(await pair.price0CumulativeLast()).to.equal(0n);
      expect(await pair.price1CumulativeLast()).to.equal(0n);
    });

    it("add price * elapsed seconds (UQ112x112) on the first update of a later block", async function () {
      const { pair, pairAddress, token0, alice } = await loadFixture(deployFundedPair);
      const [, , t0] = (await pair.getReserves()) as [bigint, bigint, bigint];
      await time.setNextBlockTimestamp(t0 + 100n);
      await as(pair, alice).sync();
      const p0 = ((R1 * Q112) / R0) * 100n;
      const p1 = ((R0 * Q112) / R1) * 100n;
      expect(await pair.price0CumulativeLast()).to.equal(p0);
      expect(await pair.price1CumulativeLast()).to.equal(p1);
      expect((await pair.getReserves())[2]).to.equal(t0 + 100n);

      // The new price (after a donation) accrues from then on.
      await time.setNextBlockTimestamp(t0 + 101n);
      await as(token0, alice).transfer(pairAddress, R0); // a donation: no reserve update yet
      await time.setNextBlockTimestamp(t0 + 102n);
      await as(pair, alice).sync(); // accrues 2 s at the old price, then the reserves become 2*R0 : R1
      const t1 = t0 + 102n;
      const q0 = p0 + ((R1 * Q112) / R0) * 2n;
      expect(await pair.price0CumulativeLast()).to.equal(q0);
      await time.setNextBlockTimestamp(t1 + 10n);
      await as(pair, alice).sync();
      expect(await pair.price0CumulativeLast()).to.equal(q0 + ((R1 * Q112) / (2n * R0)) * 10n);
      expect(await pair.price1CumulativeLast()).to.equal(p1 + ((R0 * Q112) / R1) * 2n + ((2n * R0 * Q112) / R1) * 10n);
    });

    it("accrue only once when the reserves change twice in one block", async function () {
      const { pair, pairAddress, token0, token1, alice, bob } = await loadFixture(deployFundedPair);
      const [, , t0] = (await pair.getReserves()) as [bigint, bigint, bigint];
      await as(token0, alice).transfer(pairAddress, E18); // block t0+1
      const out1 = amountOut(E18, R0, R1);
      await network.provider.send("evm_setAutomine", [false]);
      try {
        await as(pair, alice).swap(0n, out1, alice.address, { gasLimit: 300_000n });
        await as(token1, bob).transfer(pairAddress, E18, { gasLimit: 100_000n });
        const out0 = amountOut(E18, R1 - out1, R0 + E18);
        await as(pair, bob).swap(out0, 0n, bob.address, { gasLimit: 300_000n });
        await network.provider.send("evm_mine", [Number(t0 + 50n)]);
      } finally {
        await network.provider.send("evm_setAutomine", [true]);
      }
      // Both swaps landed in the block at t0+50; only the first saw time elapsed (50 s at the opening price).
      const [r0, r1, last] = (await pair.getReserves()) as [bigint, bigint, bigint];
      expect(last).to.equal(t0 + 50n);
      expect(r0).to.equal(R0 + E18 - amountOut(E18, R1 - out1, R0 + E18));
      expect(r1).to.equal(R1 - out1 + E18);
      expect(await pair.price0CumulativeLast()).to.equal(((R1 * Q112) / R0) * 50n);
      expect(await pair.price1CumulativeLast()).to.equal(((R0 * Q112) / R1) * 50n);
    });
  });

  it("rejects reentrancy from a token transfer with ReentrancyGuardReentrantCall", async function () {
    const { factory, tokenA, alice } = await loadFixture(deployPair);
    const evil = (await ethers.deployContract("ReentrantToken")) as Contract;
    const evilAddress = await evil.getAddress();
    const a = await tokenA.getAddress();
    await factory.createPair(a, evilAddress);
    const pair = await pairAt(await factory.getPair(a, evilAddress));
    const pairAddress = await pair.getAddress();
    await evil.mint(alice.address, 100n * E18);
    await as(evil, alice).transfer(pairAddress, 10n * E18);
    await as(tokenA, alice).transfer(pairAddress, 10n * E18);
    await as(pair, alice).mint(alice.address);

    // Pay in tokenA, ask for the evil token: its transfer out calls back into the pair.
    await as(tokenA, alice).transfer(pairAddress, E18);
    const out = amountOut(E18, 10n * E18, 10n * E18);
    const evilIs0 = BigInt(evilAddress) < BigInt(a);
    const [out0, out1] = evilIs0 ? [out, 0n] : [0n, out];
    for (const data of [
      pair.interface.encodeFunctionData("sync"),
      pair.interface.encodeFunctionData("skim", [alice.address]),
      pair.interface.encodeFunctionData("swap", [out0, out1, alice.address]),
    ]) {
      await evil.setHook(pairAddress, data);
      await expect(as(pair, alice).swap(out0, out1, alice.address)).to.be.revertedWithCustomError(
        pair,
        "ReentrancyGuardReentrantCall"
      );
    }
    // A hook that only reads (getReserves is a view, not locked) lets the swap through.
    await evil.setHook(pairAddress, pair.interface.encodeFunctionData("getReserves"));
    await expect(as(pair, alice).swap(out0, out1, alice.address)).to.emit(pair, "Swap");
  });

  it("storage layout matches the header (ERC20 0-4, _status 5, packed reserves 6, accumulators 7-8)", async function () {
    const { pair, pairAddress, alice } = await loadFixture(deployFundedPair);
    const [, , t0] = (await pair.getReserves()) as [bigint, bigint, bigint];
    await time.setNextBlockTimestamp(t0 + 1000n);
    await as(pair, alice).sync();
    const [r0, r1, ts] = (await pair.getReserves()) as [bigint, bigint, bigint];
    expect([await pair.reserve0(), await pair.reserve1(), await pair.blockTimestampLast()]).to.deep.equal([r0, r1, ts]);

    expect(await storageAt(pairAddress, mappingSlot(alice.address, 0n))).to.equal(await pair.balanceOf(alice.address));
    expect(await storageAt(pairAddress, mappingSlot(DEAD, 0n))).to.equal(MINIMUM_LIQUIDITY);
    expect(await storageAt(pairAddress, 2n)).to.equal(await pair.totalSupply());
    expect(await storageAt(pairAddress, 3n)).to.equal(shortStringWord("AMM LP"));
    expect(await storageAt(pairAddress, 4n)).to.equal(shortStringWord("AMM-LP"));
    expect(await storageAt(pairAddress, 5n)).to.equal(1n); // ReentrancyGuard NOT_ENTERED
    expect(await storageAt(pairAddress, 6n)).to.equal(r0 | (r1 << 112n) | (ts << 224n));
    expect(await storageAt(pairAddress, 7n)).to.equal(await pair.price0CumulativeLast());
    expect(await storageAt(pairAddress, 8n)).to.equal(await pair.price1CumulativeLast());
    expect(await pair.price0CumulativeLast()).to.be.greaterThan(0n);
    expect(await storageAt(pairAddress, 9n)).to.equal(0n);
  });
});

import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import type { Contract, Signer } from "ethers";

import {
  DEADLINE,
  E18,
  MINIMUM_LIQUIDITY,
  amountIn,
  amountOut,
  as,
  deployAmm,
  mulberry32,
  pairAt,
  sortAddresses,
  sqrt,
} from "./helpers";
import { BATCH, BATCH_GAS, batchSenders, describeOnParallelNetwork, mineTogether } from "../../helpers/parallel-batch";

describe("AmmRouter", function () {
  // Pools seeded by dave: A/B 100:200, B/C 200:100, A/WETH 100:50 (A/C does not exist).
  const AB_A = 100n * E18;
  const AB_B = 200n * E18;
  const BC_B = 200n * E18;
  const BC_C = 100n * E18;
  const AW_A = 100n * E18;
  const AW_W = 50n * E18;

  async function deployPools() {
    const f = await deployAmm();
    const { router, dave, tokenA, tokenB, tokenC, weth } = f;
    const [A, B, C, W] = await Promise.all([tokenA, tokenB, tokenC, weth].map((t) => t.getAddress()));
    const r = as(router, dave);
    await r.addLiquidity(A, B, AB_A, AB_B, 0n, 0n, dave.address, DEADLINE);
    await r.addLiquidity(B, C, BC_B, BC_C, 0n, 0n, dave.address, DEADLINE);
    await r.addLiquidity(A, W, AW_A, AW_W, 0n, 0n, dave.address, DEADLINE);
    const pairAB = await pairAt(await router.pairFor(A, B));
    const pairBC = await pairAt(await router.pairFor(B, C));
    const pairAW = await pairAt(await router.pairFor(A, W));
    const rejecter = (await ethers.deployContract("EtherRejecter")) as Contract;
    return { ...f, A, B, C, W, pairAB, pairBC, pairAW, rejecter };
  }

  /** Reserves of `pair` ordered as (tokenX, tokenY). */
  async function reserves(pair: Contract, x: string): Promise<[bigint, bigint]> {
    const [r0, r1] = (await pair.getReserves()) as [bigint, bigint, bigint];
    return (await pair.token0()) === x ? [r0, r1] : [r1, r0];
  }

  /** The (amount0In, amount1In, amount0Out, amount1Out) of a Swap event paying `paid` of `tokenIn` for `got`. */
  async function swapAmounts(pair: Contract, tokenIn: string, paid: bigint, got: bigint): Promise<bigint[]> {
    return (await pair.token0()) === tokenIn ? [paid, 0n, 0n, got] : [0n, paid, got, 0n];
  }

  it("exposes factory, weth and the pair code hash", async function () {
    const { router, factory, weth } = await loadFixture(deployAmm);
    expect(await router.factory()).to.equal(await factory.getAddress());
    expect(await router.weth()).to.equal(await weth.getAddress());
    expect(await router.pairCodeHash()).to.equal(await factory.pairCodeHash());
  });

  describe("addLiquidity", function () {
    it("creates a missing pair and deposits the desired amounts", async function () {
      const { router, factory, tokenA, tokenC, alice, bob } = await loadFixture(deployPools);
      const A = await tokenA.getAddress();
      const C = await tokenC.getAddress();
      const pairAddress = (await router.pairFor(A, C)) as string;
      expect(await factory.getPair(A, C)).to.equal(ethers.ZeroAddress);
      const [t0, t1] = sortAddresses(A, C);
      const a = 3n * E18;
      const c = 12n * E18;
      const liquidity = sqrt(a * c) - MINIMUM_LIQUIDITY;
      const r = as(router, alice);
      expect(await r.addLiquidity.staticCall(A, C, a, c, a, c, bob.address, DEADLINE)).to.deep.equal([a, c, liquidity]);

      const tx = r.addLiquidity(A, C, a, c, a, c, bob.address, DEADLINE);
      await expect(tx).to.emit(factory, "PairCreated").withArgs(t0, t1, pairAddress, 4n);
      const pair = await pairAt(pairAddress);
      const [a0, a1] = t0 === A ? [a, c] : [c, a];
      await expect(tx)
        .to.emit(pair, "Mint")
        .withArgs(await router.getAddress(), a0, a1);
      await expect(tx).to.changeTokenBalances(tokenA, [alice.address, pairAddress], [-a, a]);
      await expect(tx).to.changeTokenBalances(tokenC, [alice.address, pairAddress], [-c, c]);
      expect(await pair.balanceOf(bob.address)).to.equal(liquidity);
      expect(await factory.getPair(C, A)).to.equal(pairAddress);
    });

    it("adds liquidity to an existing pair even if someone else created it empty", async function () {
      const { router, factory, A, C, alice } = await loadFixture(deployPools);
      await factory.createPair(C, A);
      await expect(as(router, alice).addLiquidity(A, C, E18, E18, 0n, 0n, alice.address, DEADLINE)).not.to.emit(
        factory,
        "PairCreated"
      );
      expect(await (await pairAt(await factory.getPair(A, C))).balanceOf(alice.address)).to.equal(
        E18 - MINIMUM_LIQUIDITY
      );
    });

    it("uses all of A and the matching B when B is the surplus side", async function () {
      const { router, tokenA, tokenB, pairAB, A, B, alice } = await loadFixture(deployPools);
      const supply = (await pairAB.totalSupply()) as bigint;
      const r = as(router, alice);
      // 1 A is worth 2 B; 5 B offered.
      const expected = [E18, 2n * E18, (E18 * supply) / AB_A];
      expect(await r.addLiquidity.staticCall(A, B, E18, 5n * E18, 0n, 0n, alice.address, DEADLINE)).to.deep.equal(
        expected
      );
      const pairAddress = await pairAB.getAddress();
      const tx = r.addLiquidity(A, B, E18, 5n * E18, 0n, 0n, alice.address, DEADLINE);
      await expect(tx).to.changeTokenBalances(tokenA, [alice.address, pairAddress], [-E18, E18]);
      await expect(tx).to.changeTokenBalances(tokenB, [alice.address, pairAddress], [-2n * E18, 2n * E18]);
      await expect(tx).to.changeTokenBalance(pairAB, alice, expected[2]);
    });

    it("uses all of B and the matching A when A is the surplus side (tokens given in either order)", async function () {
      const { router, pairAB, A, B, alice } = await loadFixture(deployPools);
      const r = as(router, alice);
      // 5 A offered for 2 B: only 1 A is needed.
      const [amountA, amountB] = (await r.addLiquidity.staticCall(
        A,
        B,
        5n * E18,
        2n * E18,
        0n,
        0n,
        alice.address,
        DEADLINE
      )) as bigint[];
      expect([amountA, amountB]).to.deep.equal([E18, 2n * E18]);
      // Same deposit with the tokens swapped: amounts come back in the caller's order.
      const [amountB2, amountA2] = (await r.addLiquidity.staticCall(
        B,
        A,
        2n * E18,
        5n * E18,
        0n,
        0n,
        alice.address,
        DEADLINE
      )) as bigint[];
      expect([amountA2, amountB2]).to.deep.equal([E18, 2n * E18]);
      await r.addLiquidity(B, A, 2n * E18, 5n * E18, 0n, 0n, alice.address, DEADLINE);
      expect(await reserves(pairAB, A)).to.deep.equal([AB_A + E18, AB_B + 2n * E18]);
    });

    it("reverts with InsufficientBAmount / InsufficientAAmount below the minimums", async function () {
      const { router, A, B, alice } = await loadFixture(deployPools);
      const r = as(router, alice);
      await expect(r.addLiquidity(A, B, E18, 5n * E18, 0n, 3n * E18, alice.address, DEADLINE))
        .to.be.revertedWithCustomError(router, "InsufficientBAmount")
        .withArgs(2n * E18, 3n * E18);
      await expect(r.addLiquidity(A, B, 5n * E18, 2n * E18, 2n * E18, 0n, alice.address, DEADLINE))
        .to.be.revertedWithCustomError(router, "InsufficientAAmount")
        .withArgs(E18, 2n * E18);
    });

    it("reverts with the library's errors for bad token pairs", async function () {
      const { router, A, alice } = await loadFixture(deployPools);
      const r = as(router, alice);
      await expect(r.addLiquidity(A, A, 1n, 1n, 0n, 0n, alice.address, DEADLINE))
        .to.be.revertedWithCustomError(router, "IdenticalAddresses")
        .withArgs(A);
      await expect(
        r.addLiquidity(ethers.ZeroAddress, A, 1n, 1n, 0n, 0n, alice.address, DEADLINE)
      ).to.be.revertedWithCustomError(router, "ZeroAddress");
    });
  });

  describe("removeLiquidity", function () {
    it("returns LP tokens and pays out both tokens in the caller's order", async function () {
      const { router, tokenA, tokenB, pairAB, A, B, dave, bob } = await loadFixture(deployPools);
      const pairAddress = await pairAB.getAddress();
      await as(pairAB, dave).approve(await router.getAddress(), ethers.MaxUint256);
      const supply = (await pairAB.totalSupply()) as bigint;
      const liquidity = supply / 10n;
      const a = (liquidity * AB_A) / supply;
      const b = (liquidity * AB_B) / supply;
      const r = as(router, dave);
      expect(await r.removeLiquidity.staticCall(A, B, liquidity, a, b, bob.address, DEADLINE)).to.deep.equal([a, b]);
      expect(await r.removeLiquidity.staticCall(B, A, liquidity, b, a, bob.address, DEADLINE)).to.deep.equal([b, a]);

      const tx = r.removeLiquidity(A, B, liquidity, a, b, bob.address, DEADLINE);
      const [t0] = sortAddresses(A, B);
      const [a0, a1] = t0 === A ? [a, b] : [b, a];
      await expect(tx)
        .to.emit(pairAB, "Burn")
        .withArgs(await router.getAddress(), a0, a1, bob.address);
      await expect(tx).to.changeTokenBalance(pairAB, dave, -liquidity);
      await expect(tx).to.changeTokenBalances(tokenA, [pairAddress, bob.address], [-a, a]);
      await expect(tx).to.changeTokenBalances(tokenB, [pairAddress, bob.address], [-b, b]);
      expect(await pairAB.totalSupply()).to.equal(supply - liquidity);
    });

    it("reverts with InsufficientAAmount / InsufficientBAmount below the minimums", async function () {
      const { router, pairAB, A, B, dave } = await loadFixture(deployPools);
      await as(pairAB, dave).approve(await router.getAddress(), ethers.MaxUint256);
      const supply = (await pairAB.totalSupply()) as bigint;
      const liquidity = supply / 10n;
      const a = (liquidity * AB_A) / supply;
      const b = (liquidity * AB_B) / supply;
      const r = as(router, dave);
      await expect(r.removeLiquidity(A, B, liquidity, a + 1n, 0n, dave.address, DEADLINE))
        .to.be.revertedWithCustomError(router, "InsufficientAAmount")
        .withArgs(a, a + 1n);
      await expect(r.removeLiquidity(A, B, liquidity, 0n, b + 1n, dave.address, DEADLINE))
        .to.be.revertedWithCustomError(router, "InsufficientBAmount")
        .withArgs(b, b + 1n);
    });

    it("reverts with PairNotFound for a pair never created", async function () {
      const { router, A, C, dave } = await loadFixture(deployPools);
      await expect(as(router, dave).removeLiquidity(A, C, 1n, 0n, 0n, dave.address, DEADLINE))
        .to.be.revertedWithCustomError(router, "PairNotFound")
        .withArgs(A, C);
    });

    it("reverts with the LP token's ERC20InsufficientAllowance without approval", async function () {
      const { router, pairAB, A, B, dave } = await loadFixture(deployPools);
      await expect(as(router, dave).removeLiquidity(A, B, 1n, 0n, 0n, dave.address, DEADLINE))
        .to.be.revertedWithCustomError(pairAB, "ERC20InsufficientAllowance")
        .withArgs(await router.getAddress(), 0n, 1n);
    });
  });

  describe("swapExactTokensForTokens", function () {
    it("swaps one hop at the quoted price", async function () {
      const { router, tokenA, tokenB, pairAB, A, B, alice, bob } = await loadFixture(deployPools);
      const input = 2n * E18;
      const output = amountOut(input, AB_A, AB_B);
      expect(await router.getAmountsOut(input, [A, B])).to.deep.equal([input, output]);
      const r = as(router, alice);
      expect(await r.swapExactTokensForTokens.staticCall(input, output, [A, B], bob.address, DEADLINE)).to.deep.equal([
        input,
        output,
      ]);

      const pairAddress = await pairAB.getAddress();
      const tx = r.swapExactTokensForTokens(input, output, [A, B], bob.address, DEADLINE);
      await expect(tx)
        .to.emit(pairAB, "Swap")
        .withArgs(await router.getAddress(), ...(await swapAmounts(pairAB, A, input, output)), bob.address);
      await expect(tx).to.changeTokenBalances(tokenA, [alice.address, pairAddress], [-input, input]);
      await expect(tx).to.changeTokenBalances(tokenB, [pairAddress, bob.address], [-output, output]);
    });

    it("swaps along a multi-hop path, each pair paying the next one", async function () {
      const { router, tokenA, tokenB, tokenC, pairAB, pairBC, A, B, C, alice, bob } = await loadFixture(deployPools);
      const input = 5n * E18;
      const mid = amountOut(input, AB_A, AB_B);
      const output = amountOut(mid, BC_B, BC_C);
      const r = as(router, alice);
      expect(await r.swapExactTokensForTokens.staticCall(input, 0n, [A, B, C], bob.address, DEADLINE)).to.deep.equal([
        input,
        mid,
        output,
      ]);
      const tx = r.swapExactTokensForTokens(input, output, [A, B, C], bob.address, DEADLINE);
      const routerAddress = await router.getAddress();
      const pairBCAddress = await pairBC.getAddress();
      // First hop pays pair B/C, second hop pays bob.
      await expect(tx)
        .to.emit(pairAB, "Swap")
        .withArgs(routerAddress, ...(await swapAmounts(pairAB, A, input, mid)), pairBCAddress);
      await expect(tx)
        .to.emit(pairBC, "Swap")
        .withArgs(routerAddress, ...(await swapAmounts(pairBC, B, mid, output)), bob.address);
      await expect(tx).to.changeTokenBalances(tokenA, [alice.address, await pairAB.getAddress()], [-input, input]);
      await expect(tx).to.changeTokenBalances(tokenB, [await pairAB.getAddress(), pairBCAddress], [-mid, mid]);
      await expect(tx).to.changeTokenBalances(tokenC, [pairBCAddress, bob.address], [-output, output]);
    });

    it("reverts with InsufficientOutputAmount below amountOutMin", async function () {
      const { router, A, B, alice } = await loadFixture(deployPools);
      const output = amountOut(E18, AB_A, AB_B);
      await expect(as(router, alice).swapExactTokensForTokens(E18, output + 1n, [A, B], alice.address, DEADLINE))
        .to.be.revertedWithCustomError(router, "InsufficientOutputAmount")
        .withArgs(output, output + 1n);
    });

    it("reverts with InvalidPathLength, IdenticalAddresses, ZeroAddress and PairNotFound for bad paths", async function () {
      const { router, A, C, alice } = await loadFixture(deployPools);
      const r = as(router, alice);
      await expect(r.swapExactTokensForTokens(E18, 0n, [A], alice.address, DEADLINE))
        .to.be.revertedWithCustomError(router, "InvalidPathLength")
        .withArgs(1n);
      await expect(r.swapExactTokensForTokens(E18, 0n, [A, A], alice.address, DEADLINE))
        .to.be.revertedWithCustomError(router, "IdenticalAddresses")
        .withArgs(A);
      await expect(
        r.swapExactTokensForTokens(E18, 0n, [ethers.ZeroAddress, A], alice.address, DEADLINE)
      ).to.be.revertedWithCustomError(router, "ZeroAddress");
      await expect(r.swapExactTokensForTokens(E18, 0n, [A, C], alice.address, DEADLINE))
        .to.be.revertedWithCustomError(router, "PairNotFound")
        .withArgs(A, C);
    });

    it("reverts with the pair's InvalidTo when sending the output to a token of the pair", async function () {
      const { router, pairAB, A, B, alice } = await loadFixture(deployPools);
      await expect(as(router, alice).swapExactTokensForTokens(E18, 0n, [A, B], B, DEADLINE))
        .to.be.revertedWithCustomError(pairAB, "InvalidTo")
        .withArgs(B);
    });
  });

  describe("swapTokensForExactTokens", function () {
    it("pays the smallest input for the exact output, one hop and multi-hop", async function () {
      const { router, tokenA, tokenC, A, B, C, alice, bob } = await loadFixture(deployPools);
      const r = as(router, alice);
      const out = 3n * E18;
      const input = amountIn(out, AB_A, AB_B);
      expect(await router.getAmountsIn(out, [A, B])).to.deep.equal([input, out]);
      expect(await r.swapTokensForExactTokens.staticCall(out, input, [A, B], bob.address, DEADLINE)).to.deep.equal([
        input,
        out,
      ]);

      const mid = amountIn(out, BC_B, BC_C);
      const first = amountIn(mid, AB_A, AB_B);
      const tx = r.swapTokensForExactTokens(out, first, [A, B, C], bob.address, DEADLINE);
      await expect(tx).to.changeTokenBalance(tokenA, alice, -first);
      await expect(tx).to.changeTokenBalance(tokenC, bob, out);
    });

    it("reverts with ExcessiveInputAmount above amountInMax", async function () {
      const { router, A, B, alice } = await loadFixture(deployPools);
      const input = amountIn(E18, AB_A, AB_B);
      await expect(as(router, alice).swapTokensForExactTokens(E18, input - 1n, [A, B], alice.address, DEADLINE))
        .to.be.revertedWithCustomError(router, "ExcessiveInputAmount")
        .withArgs(input, input - 1n);
    });

    it("reverts with ExcessiveOutputAmount when asking for a whole reserve", async function () {
      const { router, A, B, alice } = await loadFixture(deployPools);
      await expect(as(router, alice).swapTokensForExactTokens(AB_B, ethers.MaxUint256, [A, B], alice.address, DEADLINE))
        .to.be.revertedWithCustomError(router, "ExcessiveOutputAmount")
        .withArgs(AB_B, AB_B);
    });
  });

  describe("ETH swaps", function () {
    it("swapExactETHForTokens wraps the ether and swaps it", async function () {
      const { router, weth, tokenA, pairAW, W, A, alice, bob } = await loadFixture(deployPools);
      const value = E18;
      const output = amountOut(value, AW_W, AW_A);
      const r = as(router, alice);
      expect(await r.swapExactETHForTokens.staticCall(output, [W, A], bob.address, DEADLINE, { value })).to.deep.equal([
        value,
        output,
      ]);
      const tx = r.swapExactETHForTokens(output, [W, A], bob.address, DEADLINE, { value });
      const pairAddress = await pairAW.getAddress();
      await expect(tx).to.changeEtherBalances([alice, weth], [-value, value]);
      await expect(tx).to.changeTokenBalances(weth, [pairAddress, await router.getAddress()], [value, 0n]);
      await expect(tx).to.changeTokenBalances(tokenA, [pairAddress, bob.address], [-output, output]);
      await expect(tx)
        .to.emit(weth, "Deposit")
        .withArgs(await router.getAddress(), value);
    });

    it("swapExactETHForTokens follows multi-hop paths", async function () {
      const { router, tokenB, W, A, B, alice } = await loadFixture(deployPools);
      const mid = amountOut(E18, AW_W, AW_A);
      const output = amountOut(mid, AB_A, AB_B);
      await expect(
        as(router, alice).swapExactETHForTokens(0n, [W, A, B], alice.address, DEADLINE, { value: E18 })
      ).to.changeTokenBalance(tokenB, alice, output);
    });

    it("swapExactETHForTokens reverts with InvalidPath unless the path starts with WETH", async function () {
      const { router, W, A, B, alice } = await loadFixture(deployPools);
      const r = as(router, alice);
      await expect(r.swapExactETHForTokens(0n, [A, W], alice.address, DEADLINE, { value: E18 }))
        .to.be.revertedWithCustomError(router, "InvalidPath")
        .withArgs(A, W);
      await expect(r.swapExactETHForTokens(0n, [W], alice.address, DEADLINE, { value: E18 }))
        .to.be.revertedWithCustomError(router, "InvalidPathLength")
        .withArgs(1n);
      const output = amountOut(E18, AW_W, AW_A);
      await expect(r.swapExactETHForTokens(output + 1n, [W, A], alice.address, DEADLINE, { value: E18 }))
        .to.be.revertedWithCustomError(router, "InsufficientOutputAmount")
        .withArgs(output, output + 1n);
      await expect(r.swapExactETHForTokens(0n, [W, B], alice.address, DEADLINE, { value: E18 }))
        .to.be.revertedWithCustomError(router, "PairNotFound")
        .withArgs(W, B);
    });

    it("swapExactTokensForETH swaps and unwraps to the recipient", async function () {
      const { router, weth, tokenA, pairAW, W, A, alice, bob } = await loadFixture(deployPools);
      const input = 4n * E18;
      const output = amountOut(input, AW_A, AW_W);
      const r = as(router, alice);
      expect(await r.swapExactTokensForETH.staticCall(input, output, [A, W], bob.address, DEADLINE)).to.deep.equal([
        input,
        output,
      ]);
      const tx = r.swapExactTokensForETH(input, output, [A, W], bob.address, DEADLINE);
      await expect(tx).to.changeEtherBalances([bob, weth, router], [output, -output, 0n]);
      await expect(tx).to.changeTokenBalances(tokenA, [alice.address, await pairAW.getAddress()], [-input, input]);
      await expect(tx).to.changeTokenBalances(
        weth,
        [await pairAW.getAddress(), await router.getAddress()],
        [-output, 0n]
      );
      await expect(tx)
        .to.emit(weth, "Withdrawal")
        .withArgs(await router.getAddress(), output);
    });

    it("swapExactTokensForETH follows multi-hop paths", async function () {
      const { router, B, A, W, alice } = await loadFixture(deployPools);
      const mid = amountOut(E18, AB_B, AB_A);
      const output = amountOut(mid, AW_A, AW_W);
      await expect(
        as(router, alice).swapExactTokensForETH(E18, output, [B, A, W], alice.address, DEADLINE)
      ).to.changeEtherBalance(alice, output);
    });

    it("swapExactTokensForETH reverts with InvalidPath, InsufficientOutputAmount and EthTransferFailed", async function () {
      const { router, rejecter, W, A, B, alice } = await loadFixture(deployPools);
      const r = as(router, alice);
      await expect(r.swapExactTokensForETH(E18, 0n, [A, B], alice.address, DEADLINE))
        .to.be.revertedWithCustomError(router, "InvalidPath")
        .withArgs(B, W);
      await expect(r.swapExactTokensForETH(E18, 0n, [A], alice.address, DEADLINE))
        .to.be.revertedWithCustomError(router, "InvalidPathLength")
        .withArgs(1n);
      const output = amountOut(E18, AW_A, AW_W);
      await expect(r.swapExactTokensForETH(E18, output + 1n, [A, W], alice.address, DEADLINE))
        .to.be.revertedWithCustomError(router, "InsufficientOutputAmount")
        .withArgs(output, output + 1n);
      const rejecterAddress = await rejecter.getAddress();
      await expect(r.swapExactTokensForETH(E18, 0n, [A, W], rejecterAddress, DEADLINE))
        .to.be.revertedWithCustomError(router, "EthTransferFailed")
        .withArgs(rejecterAddress, output);
    });

    it("accepts ether only from WETH (EthNotFromWeth)", async function () {
      const { router, alice } = await loadFixture(deployPools);
      await expect(alice.sendTransaction({ to: await router.getAddress(), value: 1n }))
        .to.be.revertedWithCustomError(router, "EthNotFromWeth")
        .withArgs(alice.address);
    });
  });

  describe("deadlines", function () {
    it("every state-changing entry point reverts with Expired(deadline, timestamp) after the deadline", async function () {
      const { router, A, B, W, alice } = await loadFixture(deployPools);
      const r = as(router, alice);
      const deadline = BigInt(await time.latest()) + 100n;
      const calls: [string, () => Promise<unknown>][] = [
        ["addLiquidity", () => r.addLiquidity(A, B, E18, E18, 0n, 0n, alice.address, deadline)],
        ["removeLiquidity", () => r.removeLiquidity(A, B, 1n, 0n, 0n, alice.address, deadline)],
        ["swapExactTokensForTokens", () => r.swapExactTokensForTokens(E18, 0n, [A, B], alice.address, deadline)],
        ["swapTokensForExactTokens", () => r.swapTokensForExactTokens(E18, E18 * 10n, [A, B], alice.address, deadline)],
        ["swapExactETHForTokens", () => r.swapExactETHForTokens(0n, [W, A], alice.address, deadline, { value: E18 })],
        ["swapExactTokensForETH", () => r.swapExactTokensForETH(E18, 0n, [A, W], alice.address, deadline)],
      ];
      let timestamp = deadline;
      for (const [name, call] of calls) {
        timestamp += 1n;
        await time.setNextBlockTimestamp(timestamp);
        await expect(call(), name).to.be.revertedWithCustomError(router, "Expired").withArgs(deadline, timestamp);
      }
    });

    it("a deadline equal to the block timestamp is still valid", async function () {
      const { router, tokenB, A, B, alice } = await loadFixture(deployPools);
      const deadline = BigInt(await time.latest()) + 10n;
      await time.setNextBlockTimestamp(deadline);
      await expect(
        as(router, alice).swapExactTokensForTokens(E18, 0n, [A, B], alice.address, deadline)
      ).to.changeTokenBalance(tokenB, alice, amountOut(E18, AB_A, AB_B));
    });
  });

  describe("quotes", function () {
    it("quote, getAmountOut and getAmountIn match the reference formulas", async function () {
      const { router } = await loadFixture(deployAmm);
      expect(await router.quote(E18, 10n * E18, 20n * E18)).to.equal(2n * E18);
      expect(await router.quote(3n, 10n, 20n)).to.equal(6n);
      expect(await router.quote(1n, 3n, 2n)).to.equal(0n);
      const random = mulberry32(20240613);
      for (let i = 0; i < 25; i++) {
        const rIn = BigInt(Math.floor(random() * 1e9) + 1) * 10n ** BigInt(Math.floor(random() * 12));
        const rOut = BigInt(Math.floor(random() * 1e9) + 1) * 10n ** BigInt(Math.floor(random() * 12));
        const x = BigInt(Math.floor(random() * 1e9) + 1);
        const out = (await router.getAmountOut(x, rIn, rOut)) as bigint;
        expect(out).to.equal(amountOut(x, rIn, rOut));
        if (x < rOut) {
          const needed = (await router.getAmountIn(x, rIn, rOut)) as bigint;
          expect(needed).to.equal(amountIn(x, rIn, rOut));
          // Paying the quoted input buys at least the requested output.
          expect(amountOut(needed, rIn, rOut) >= x, `case ${i}`).to.equal(true);
        }
      }
    });

    it("revert with ZeroAmount, ZeroInputAmount, ZeroOutputAmount, InsufficientLiquidity, ExcessiveOutputAmount", async function () {
      const { router } = await loadFixture(deployAmm);
      await expect(router.quote(0n, 1n, 1n)).to.be.revertedWithCustomError(router, "ZeroAmount");
      await expect(router.quote(1n, 0n, 5n))
        .to.be.revertedWithCustomError(router, "InsufficientLiquidity")
        .withArgs(0n, 5n);
      await expect(router.getAmountOut(0n, 1n, 1n)).to.be.revertedWithCustomError(router, "ZeroInputAmount");
      await expect(router.getAmountOut(1n, 7n, 0n))
        .to.be.revertedWithCustomError(router, "InsufficientLiquidity")
        .withArgs(7n, 0n);
      await expect(router.getAmountIn(0n, 1n, 1n)).to.be.revertedWithCustomError(router, "ZeroOutputAmount");
      await expect(router.getAmountIn(1n, 0n, 9n))
        .to.be.revertedWithCustomError(router, "InsufficientLiquidity")
        .withArgs(0n, 9n);
      await expect(router.getAmountIn(9n, 5n, 9n))
        .to.be.revertedWithCustomError(router, "ExcessiveOutputAmount")
        .withArgs(9n, 9n);
    });

    it("getAmountsOut / getAmountsIn chain the hops and check the path", async function () {
      const { router, A, B, C } = await loadFixture(deployPools);
      const mid = amountOut(E18, AB_A, AB_B);
      expect(await router.getAmountsOut(E18, [A, B, C])).to.deep.equal([E18, mid, amountOut(mid, BC_B, BC_C)]);
      const midIn = amountIn(E18, BC_B, BC_C);
      expect(await router.getAmountsIn(E18, [A, B, C])).to.deep.equal([amountIn(midIn, AB_A, AB_B), midIn, E18]);
      await expect(router.getAmountsIn(E18, [A]))
        .to.be.revertedWithCustomError(router, "InvalidPathLength")
        .withArgs(1n);
      await expect(router.getAmountsIn(E18, [C, A]))
        .to.be.revertedWithCustomError(router, "PairNotFound")
        .withArgs(C, A);
      await expect(router.getAmountsOut(E18, []))
        .to.be.revertedWithCustomError(router, "InvalidPathLength")
        .withArgs(0n);
    });
  });
});

describeOnParallelNetwork("AMM parallel-friendliness", function () {
  const SEED = 1_000n * E18;
  const TRADE = 1n * E18;

  /**
   * The suite's AMM (deployAmm) with two more tokens, D and E, so that five
   * tokens give ten pools, each seeded 1,000:1,000 by dave; BATCH traders
   * (the users and more accounts) hold every token.
   */
  async function deployTenPools() {
    const f = await deployAmm();
    const { deployer, dave, router, tokenA, tokenB, tokenC } = f;
    const tokenD = (await ethers.deployContract("TestToken", ["Token D", "TKD", 18])) as Contract;
    const tokenE = (await ethers.deployContract("TestToken", ["Token E", "TKE", 18])) as Contract;
    const tokens = [tokenA, tokenB, tokenC, tokenD, tokenE];
    const addresses = await Promise.all(tokens.map((t) => t.getAddress()));
    const traders = await batchSenders(BATCH, [deployer]);
    const holders = await Promise.all([...traders, dave].map((t) => t.getAddress()));
    for (const token of tokens) await token.batchMint(holders, SEED * 10n);
    const pools: [string, string][] = [];
    for (let i = 0; i < addresses.length; i++) for (let j = i + 1; j < addresses.length; j++) pools.push([addresses[i], addresses[j]]);
    // Approvals the tests need: dave's for every token, each trader's for the
    // token it pays on its own pool and on pools[0].
    const approve = (owner: Signer, token: string) => as(tokens[addresses.indexOf(token)], owner).approve(router.getAddress(), ethers.MaxUint256);
    for (const token of addresses) await approve(dave, token);
    for (const [i, trader] of traders.entries()) {
      for (const token of new Set([pools[i][0], pools[0][0]])) await approve(trader, token);
    }
    for (const [x, y] of pools) await as(router, dave).addLiquidity(x, y, SEED, SEED, 0n, 0n, dave.address, DEADLINE);
    return { ...f, traders, pools };
  }

  before(async function () {
    await loadFixture(deployTenPools); // once, so that the tests' time is the batch's
  });

  const swap = (router: Contract, trader: Signer, [tokenIn, tokenOut]: [string, string]) => () =>
    as(router, trader).swapExactTokensForTokens(TRADE, 0n, [tokenIn, tokenOut], trader, DEADLINE, { gasLimit: BATCH_GAS });

  it("swaps on different pools are conflict-free and match sequential execution", async function () {
    const { router, traders, pools } = await loadFixture(deployTenPools);
    expect(pools.length).to.be.at.least(BATCH);
    const batch = await mineTogether(traders.map((trader, i) => swap(router, trader, pools[i])));
    expect(batch.txs).to.equal(BATCH);
    expect(batch).to.be.conflictFree();
    expect(batch).not.to.have.hotspot("AmmPair.reserve0");
    expect(batch).to.matchSequentialExecution();
  });

  it("swaps on one pool all meet at its reserves (AmmPair.reserve0/reserve1), with the sequential outcome", async function () {
    const { router, traders, pools } = await loadFixture(deployTenPools);
    const [tokenIn, tokenOut] = pools[0];
    const pair = await pairAt(await router.pairFor(tokenIn, tokenOut));
    const batch = await mineTogether(traders.map((trader) => swap(router, trader, [tokenIn, tokenOut])));
    // Every swap prices against the reserves the swap before it wrote (one packed slot).
    expect(batch).to.have.hotspot("AmmPair.reserve0");
    expect(batch).to.have.hotspot("AmmPair.reserve1");
    expect(batch.conflicts.dependentTxs).to.equal(BATCH - 1);
    expect(batch).to.matchSequentialExecution();
    // The pool ends where BATCH swaps one after the other take it.
    let [reserveIn, reserveOut] = [SEED, SEED];
    for (let i = 0; i < BATCH; i++) {
      const out = amountOut(TRADE, reserveIn, reserveOut);
      [reserveIn, reserveOut] = [reserveIn + TRADE, reserveOut - out];
    }
    const [r0, r1] = (await pair.getReserves()) as [bigint, bigint];
    expect((await pair.token0()) === tokenIn ? [r0, r1] : [r1, r0]).to.deep.equal([reserveIn, reserveOut]);
  });
});

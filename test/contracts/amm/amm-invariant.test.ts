import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import type { Contract } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";

import { DEAD, DEADLINE, E18, as, deployAmm, mulberry32, pairAt } from "./helpers";

/**
 * Seeded random sequence of swaps (router exact-in / exact-out / ETH, and direct pair swaps, both
 * directions, one and two hops), liquidity adds and removes across three pairs and four users. After
 * every action, for every pair:
 *   - reserves == the pair's token balances (the sequence makes no donations);
 *   - LP totalSupply > 0, and it equals the sum of all LP balances;
 *   - price0CumulativeLast / price1CumulativeLast never decrease;
 *   - after a swap, reserve0 * reserve1 never decreases;
 *   - after any action, the value of one LP share, sqrt(reserve0 * reserve1) / totalSupply, never
 *     decreases (rounding in mint and burn always favours the pool, and fees only add to it);
 * and globally: WETH's ether balance == its totalSupply, and the router holds no token and no ether.
 */
describe("AMM invariants (seeded random actions)", function () {
  const ACTIONS = 150;
  const SEED = 0xa11ce;

  async function deploySeededPools() {
    const f = await deployAmm();
    const { router, dave, users, tokenA, tokenB, tokenC, weth } = f;
    const [A, B, C, W] = await Promise.all([tokenA, tokenB, tokenC, weth].map((t) => t.getAddress()));
    const r = as(router, dave);
    await r.addLiquidity(A, B, 1_000n * E18, 2_000n * E18, 0n, 0n, dave.address, DEADLINE);
    await r.addLiquidity(B, C, 3_000n * E18, 1_000n * E18, 0n, 0n, dave.address, DEADLINE);
    await r.addLiquidity(A, W, 2_000n * E18, 500n * E18, 0n, 0n, dave.address, DEADLINE);
    const pairs: Contract[] = [];
    for (const [x, y] of [
      [A, B],
      [B, C],
      [A, W],
    ]) {
      pairs.push(await pairAt(await router.pairFor(x, y)));
    }
    const routerAddress = await router.getAddress();
    for (const pair of pairs) {
      for (const user of users) await as(pair, user).approve(routerAddress, ethers.MaxUint256);
    }
    const tokenByAddress = new Map<string, Contract>([
      [A, tokenA],
      [B, tokenB],
      [C, tokenC],
      [W, weth],
    ]);
    return { ...f, A, B, C, W, pairs, tokenByAddress };
  }

  interface PairState {
    reserve0: bigint;
    reserve1: bigint;
    supply: bigint;
    price0: bigint;
    price1: bigint;
  }

  it(`holds over ${ACTIONS} random actions (seed 0x${SEED.toString(16)})`, async function () {
    const { router, weth, users, A, B, C, W, pairs, tokenByAddress } = await loadFixture(deploySeededPools);
    const random = mulberry32(SEED);
    const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
    /** A random fraction of `x` between 0.01% and `maxPercent`%. */
    const fraction = (x: bigint, maxPercent: number): bigint => {
      const basisPoints = 1 + Math.floor(random() * maxPercent * 100);
      return (x * BigInt(basisPoints)) / 10_000n;
    };
    const routerAddress = await router.getAddress();
    const wethAddress = await weth.getAddress();
    const pairAddresses = await Promise.all(pairs.map((p) => p.getAddress()));
    const pairTokens = await Promise.all(
      pairs.map(async (p) => [(await p.token0()) as string, (await p.token1()) as string] as const)
    );
    const lpHolders = [...users.map((u) => u.address), DEAD, routerAddress];

    const tokenPaths = [
      [A, B],
      [B, A],
      [B, C],
      [C, B],
      [A, B, C],
      [C, B, A],
      [A, W],
      [W, A],
      [W, A, B],
      [C, B, A, W],
    ];
    const ethInPaths = tokenPaths.filter((p) => p[0] === W);
    const ethOutPaths = tokenPaths.filter((p) => p[p.length - 1] === W);

    async function readPair(i: number): Promise<PairState> {
      const pair = pairs[i];
      const [[reserve0, reserve1], supply, price0, price1] = await Promise.all([
        pair.getReserves() as Promise<[bigint, bigint, bigint]>,
        pair.totalSupply() as Promise<bigint>,
        pair.price0CumulativeLast() as Promise<bigint>,
        pair.price1CumulativeLast() as Promise<bigint>,
      ]);
      return { reserve0, reserve1, supply, price0, price1 };
    }

    /** Reserves of the pair of x and y, ordered (x, y). */
    async function reservesFor(x: string, y: string): Promise<[bigint, bigint]> {
      const i = pairTokens.findIndex(([t0, t1]) => (t0 === x && t1 === y) || (t0 === y && t1 === x));
      const { reserve0, reserve1 } = await readPair(i);
      return pairTokens[i][0] === x ? [reserve0, reserve1] : [reserve1, reserve0];
    }

    async function check(step: number, kind: string, before: PairState[]): Promise<PairState[]> {
      const after: PairState[] = [];
      const label = `step ${step} (${kind})`;
      for (let i = 0; i < pairs.length; i++) {
        const s = await readPair(i);
        const prev = before[i];
        const [t0, t1] = pairTokens[i];
        const [b0, b1] = await Promise.all([
          tokenByAddress.get(t0)!.balanceOf(pairAddresses[i]) as Promise<bigint>,
          tokenByAddress.get(t1)!.balanceOf(pairAddresses[i]) as Promise<bigint>,
        ]);
        expect([s.reserve0, s.reserve1], `${label}: reserves == balances of pair ${i}`).to.deep.equal([b0, b1]);
        expect(s.supply > 0n, `${label}: supply of pair ${i}`).to.equal(true);
        let held = (await pairs[i].balanceOf(pairAddresses[i])) as bigint;
        expect(held, `${label}: pair ${i} holds none of its own LP`).to.equal(0n);
        for (const holder of lpHolders) held += (await pairs[i].balanceOf(holder)) as bigint;
        expect(held, `${label}: LP balances of pair ${i} sum to the supply`).to.equal(s.supply);
        expect(s.price0 >= prev.price0 && s.price1 >= prev.price1, `${label}: TWAP of pair ${i}`).to.equal(true);
        const k = s.reserve0 * s.reserve1;
        const prevK = prev.reserve0 * prev.reserve1;
        if (kind.includes("swap")) {
          expect(k >= prevK, `${label}: k of pair ${i} decreased`).to.equal(true);
        }
        // sqrt(k)/supply non-decreasing  <=>  k * prevSupply^2 >= prevK * supply^2
        expect(
          k * prev.supply * prev.supply >= prevK * s.supply * s.supply,
          `${label}: LP share value of pair ${i}`
        ).to.equal(true);
        after.push(s);
      }
      const [wethEther, wethSupply, routerEther] = await Promise.all([
        ethers.provider.getBalance(wethAddress),
        weth.totalSupply() as Promise<bigint>,
        ethers.provider.getBalance(routerAddress),
      ]);
      expect(wethEther, `${label}: WETH backing`).to.equal(wethSupply);
      expect(routerEther, `${label}: router ether`).to.equal(0n);
      for (const token of tokenByAddress.values()) {
        expect(await token.balanceOf(routerAddress), `${label}: router tokens`).to.equal(0n);
      }
      return after;
    }

    const counts: Record<string, number> = {};
    let state = await Promise.all(pairs.map((_, i) => readPair(i)));
    expect(state.every((s) => s.supply > 0n)).to.equal(true);

    for (let step = 0; step < ACTIONS; step++) {
      if (random() < 0.5) await time.increase(1 + Math.floor(random() * 120));
      const user: HardhatEthersSigner = pick(users);
      const r = as(router, user);
      const roll = random();
      let kind: string;

      if (roll < 0.2) {
        kind = "router swap exact in";
        const path = pick(tokenPaths);
        const [reserveIn] = await reservesFor(path[0], path[1]);
        const amountIn = fraction(reserveIn, 5) + 1n;
        const amounts = (await router.getAmountsOut(amountIn, path)) as bigint[];
        await r.swapExactTokensForTokens(amountIn, amounts[amounts.length - 1], path, user.address, DEADLINE);
      } else if (roll < 0.35) {
        kind = "router swap exact out";
        const path = pick(tokenPaths);
        const [, reserveOut] = await reservesFor(path[path.length - 2], path[path.length - 1]);
        const amountOut = fraction(reserveOut, 5) + 1n;
        const amounts = (await router.getAmountsIn(amountOut, path)) as bigint[];
        await r.swapTokensForExactTokens(amountOut, amounts[0], path, user.address, DEADLINE);
      } else if (roll < 0.55) {
        kind = "direct swap";
        const i = Math.floor(random() * pairs.length);
        const zeroForOne = random() < 0.5;
        const [t0, t1] = pairTokens[i];
        const { reserve0, reserve1 } = await readPair(i);
        const [tokenIn, reserveIn, reserveOut] = zeroForOne ? [t0, reserve0, reserve1] : [t1, reserve1, reserve0];
        const amountIn = fraction(reserveIn, 5) + 1n;
        const out = (await router.getAmountOut(amountIn, reserveIn, reserveOut)) as bigint;
        if (out === 0n) {
          kind = "direct swap (skipped: zero output)";
        } else {
          await as(tokenByAddress.get(tokenIn)!, user).transfer(pairAddresses[i], amountIn);
          await as(pairs[i], user).swap(zeroForOne ? 0n : out, zeroForOne ? out : 0n, user.address);
        }
      } else if (roll < 0.65) {
        if (random() < 0.5) {
          kind = "router swap exact ETH in";
          const path = pick(ethInPaths);
          const [reserveIn] = await reservesFor(path[0], path[1]);
          const value = fraction(reserveIn, 2) + 1n;
          const amounts = (await router.getAmountsOut(value, path)) as bigint[];
          await r.swapExactETHForTokens(amounts[amounts.length - 1], path, user.address, DEADLINE, { value });
        } else {
          kind = "router swap exact tokens for ETH";
          const path = pick(ethOutPaths);
          const [reserveIn] = await reservesFor(path[0], path[1]);
          const amountIn = fraction(reserveIn, 5) + 1n;
          const amounts = (await router.getAmountsOut(amountIn, path)) as bigint[];
          await r.swapExactTokensForETH(amountIn, amounts[amounts.length - 1], path, user.address, DEADLINE);
        }
      } else if (roll < 0.85) {
        kind = "add liquidity";
        const [x, y] = pick([
          [A, B],
          [C, B],
          [W, A],
        ]);
        const [reserveX, reserveY] = await reservesFor(x, y);
        await r.addLiquidity(
          x,
          y,
          fraction(reserveX, 10) + 1n,
          fraction(reserveY, 10) + 1n,
          0n,
          0n,
          user.address,
          DEADLINE
        );
      } else {
        kind = "remove liquidity";
        const i = Math.floor(random() * pairs.length);
        const balance = (await pairs[i].balanceOf(user.address)) as bigint;
        const liquidity = fraction(balance, 60);
        const s = await readPair(i);
        if (
          liquidity === 0n ||
          (liquidity * s.reserve0) / s.supply === 0n ||
          (liquidity * s.reserve1) / s.supply === 0n
        ) {
          kind = "remove liquidity (skipped: nothing to remove)";
        } else {
          const [t0, t1] = pairTokens[i];
          await r.removeLiquidity(t1, t0, liquidity, 0n, 0n, user.address, DEADLINE);
        }
      }

      counts[kind] = (counts[kind] ?? 0) + 1;
      state = await check(step, kind, state);
    }

    // The sequence really exercised every kind of action.
    for (const kind of [
      "router swap exact in",
      "router swap exact out",
      "direct swap",
      "router swap exact ETH in",
      "router swap exact tokens for ETH",
      "add liquidity",
      "remove liquidity",
    ]) {
      expect(counts[kind] ?? 0, `${kind} count (${JSON.stringify(counts)})`).to.be.greaterThan(3);
    }
    // Prices were accumulated over time on every pair.
    expect(state.every((s) => s.price0 > 0n && s.price1 > 0n)).to.equal(true);
  });
});

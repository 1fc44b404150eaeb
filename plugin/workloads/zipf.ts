/**
 * Popularity skew. Item ranks follow a Zipf law: item r (0-based) is picked
 * with probability proportional to 1 / (r + 1)^s. s = 0 is uniform; s = 1 is
 * the classic "a few pools carry most of the volume"; s >= 2 sends nearly
 * everything to item 0. The same exponent drives pools, markets, collections
 * and transfer recipients, so one knob sets how hot the hot spots are.
 */
export function zipfPicker(n: number, s: number, rand: () => number): () => number {
  if (n === 1) return () => 0;
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let r = 0; r < n; r++) {
    total += 1 / Math.pow(r + 1, s);
    cumulative[r] = total;
  }
  return () => {
    const x = rand() * total;
    // First rank whose cumulative weight exceeds x.
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

/** Picks one key of `shares` with probability proportional to its share. */
export function sharePicker<K extends string>(shares: Partial<Record<K, number>>, rand: () => number): () => K {
  const keys = (Object.keys(shares) as K[]).filter((k) => (shares[k] ?? 0) > 0);
  const weights = keys.map((k) => shares[k] ?? 0);
  const total = weights.reduce((a, b) => a + b, 0);
  return () => {
    let x = rand() * total;
    for (let i = 0; i < keys.length; i++) {
      x -= weights[i];
      if (x < 0) return keys[i];
    }
    return keys[keys.length - 1];
  };
}

/** Fisher-Yates shuffle driven by the workload's PRNG (deterministic per seed). */
export function shuffle<T>(items: T[], rand: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

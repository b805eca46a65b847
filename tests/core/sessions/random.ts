/**
 * A small seeded PRNG for randomized core tests. fast-check cannot load in the
 * XS tier (it reads the global setTimeout at module load), so the core property
 * tests draw their cases from this instead; a failing seed is printed.
 */
export class Random {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** mulberry32: uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  bool(pTrue = 0.5): boolean {
    return this.next() < pTrue;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
}

/** Run `body` for `runs` seeds; a failure names its seed so it can be replayed. */
export function forSeeds(runs: number, body: (random: Random) => void, firstSeed = 1): void {
  for (let seed = firstSeed; seed < firstSeed + runs; seed++) {
    try {
      body(new Random(seed));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`seed ${seed}: ${message}`);
    }
  }
}

/**
 * Seeded pseudo-random numbers for the demo generator: same seed, same data, on any machine.
 * sfc32 (Chris Doty-Humphrey's Small Fast Counter, 32-bit) seeded through murmur3's finaliser, so a
 * generator can be derived for any (seed, stream, index) without generating what comes before it:
 * subject #731 of seed 20261121 is the same whether 1,000 or 1,000,000 subjects are generated, and
 * each record kind draws from its own stream. Math.random is never used.
 */

export function mix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** FNV-1a, 32 bits: names of streams (kind codes) to numbers. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(list: readonly T[]): T;
  /** Picks by weight: [[value, weight], …]. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T;
  /** Roughly normal (sum of 3 uniforms), clamped to [min, max]. */
  around(mean: number, spread: number, min: number, max: number): number;
}

export function createRng(...keys: number[]): Rng {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  for (const k of keys) {
    a = mix32(a ^ mix32(k >>> 0));
    b = mix32(b + a);
    c = mix32(c ^ b);
  }
  let d = 1;
  const next32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) next32();
  const next = () => next32() / 4294967296;
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (list) => list[Math.floor(next() * list.length)]!,
    weighted(choices) {
      let total = 0;
      for (const [, w] of choices) total += w;
      let r = next() * total;
      for (const [v, w] of choices) {
        r -= w;
        if (r < 0) return v;
      }
      return choices[choices.length - 1]![0];
    },
    around(mean, spread, min, max) {
      const v = mean + ((next() + next() + next()) / 3 - 0.5) * 2 * spread;
      return Math.min(max, Math.max(min, v));
    },
  };
}

/** A seed given on the command line (number or any text) as a 32-bit key. */
export function seedKey(seed: number | string): number {
  return typeof seed === 'number' && Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32
    ? seed
    : hashString(String(seed));
}

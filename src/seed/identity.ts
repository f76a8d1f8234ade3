import { idCheckDigit, usccCheckChar } from '../shared/identifiers.ts';
import { mix32 } from './prng.ts';

/**
 * Identifiers of generated subjects and people, valid by construction:
 * - 组织机构代码 (GB 11714-1997, positions 9–17 of a USCC): 8 body characters and a check character
 *   C9 = 11 − (Σ Ci·Wi mod 11), W = 3,7,9,10,5,8,4,2, letters valued A=10 … Z=35; 10 ↦ X, 11 ↦ 0.
 *   (Check: the GB 32100 example 91350100M000100Y43 carries M000100Y4, whose check character is 4.)
 * - USCC (GB 32100-2015): authority + type + region + organisation code + check character.
 * - 居民身份证号码 (GB 11643-1999): region + birth date + sequence (odd male, even female) + check.
 * Uniqueness without memory: the organisation code body is a bijection of the subject's index, so
 * 1,000,000 subjects never collide.
 */

const orgWeights = [3, 7, 9, 10, 5, 8, 4, 2];

function orgValue(ch: string): number {
  const c = ch.charCodeAt(0);
  return c <= 57 ? c - 48 : c - 55; // '0'–'9' → 0–9, 'A'–'Z' → 10–35
}

export function orgCodeCheckChar(body8: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += orgValue(body8[i]!) * orgWeights[i]!;
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

/** Body characters usable inside a USCC (no I, O, Z, S, V). */
const bodyChars = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const space6 = 31 ** 6; // 887,503,681 new-style bodies "MA" + 6 characters
const space8 = 10 ** 8; // old-style numeric bodies
// Multipliers coprime with the spaces (31^6 and 10^8): i ↦ (i·A + B) mod M is a bijection.
const mulNew = 479_001_599; // prime, not 31
const mulOld = 39_916_801; // prime, not 2 or 5

/**
 * The 9-character organisation code of subject `index`. Registrations since the 2015 reform get the
 * new style (MA + 6 characters, as market regulators assign them); older ones an 8-digit number.
 */
export function orgCode(index: number, seedKey: number, newStyle: boolean): string {
  let body: string;
  const offset = mix32(seedKey ^ 0x2015);
  if (newStyle) {
    let x = (Number((BigInt(index) * BigInt(mulNew)) % BigInt(space6)) + (offset % space6)) % space6;
    let s = '';
    for (let k = 0; k < 6; k++) {
      s = bodyChars[x % 31] + s;
      x = Math.floor(x / 31);
    }
    body = `MA${s}`;
  } else {
    const x = (Number((BigInt(index) * BigInt(mulOld)) % BigInt(space8)) + (offset % space8)) % space8;
    body = String(x).padStart(8, '0');
  }
  return body + orgCodeCheckChar(body);
}

export function makeUscc(head: string, region: string, org9: string): string {
  const first17 = `${head}${region}${org9}`;
  return first17 + usccCheckChar(first17);
}

export function makeIdNumber(region: string, birth: string, sequence: number, male: boolean): string {
  // The last of the three sequence digits is odd for men, even for women.
  const seq = sequence - (sequence % 2) + (male ? 1 : 0);
  const first17 = `${region}${birth.replaceAll('-', '')}${String(seq % 1000).padStart(3, '0')}`;
  return first17 + idCheckDigit(first17);
}

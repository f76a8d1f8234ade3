import { Secret, TOTP } from 'otpauth';

/**
 * TOTP (RFC 6238) second factor for operators and provider users: 6 digits, 30-second steps, HMAC-SHA1 (what every
 * authenticator app supports), ±1 step of clock drift. A code is accepted once: the last accepted
 * step is stored and a code for that step or an earlier one is refused (replay within the window).
 */
export const totpIssuer = 'xinrong 信融';

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totpFor(secretBase32: string, label = 'operator'): TOTP {
  return new TOTP({
    issuer: totpIssuer,
    label,
    secret: Secret.fromBase32(secretBase32),
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
  });
}

export function totpUri(secretBase32: string, username: string): string {
  return totpFor(secretBase32, username).toString();
}

/** The current code (demo output and tests). */
export function totpNow(secretBase32: string, at: Date = new Date()): string {
  return totpFor(secretBase32).generate({ timestamp: at.getTime() });
}

/**
 * The time step the code belongs to, or null when wrong or already used (step ≤ lastStep).
 */
export function checkTotp(
  secretBase32: string,
  code: string,
  lastStep: number | null,
  at: Date = new Date(),
): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpFor(secretBase32).validate({ token: code, timestamp: at.getTime(), window: 1 });
  if (delta === null) return null;
  const step = Math.floor(at.getTime() / 30_000) + delta;
  if (lastStep !== null && step <= lastStep) return null;
  return step;
}

import { randomBytes } from 'node:crypto';
import { argon2id, argon2Verify } from 'hash-wasm';
import { AppError } from '../shared/errors.ts';

/**
 * Password hashing: Argon2id (RFC 9106) via hash-wasm (WebAssembly, no native build).
 * Parameters: m = 19 MiB (19,456 KiB), t = 2 passes, p = 1 lane, 16-byte random salt, 32-byte
 * tag — the OWASP Password Storage Cheat Sheet's first recommended Argon2id configuration. About
 * 80 ms per hash on the project's 2-core machine. The PHC string stores the parameters, so raising
 * them later only affects new hashes (old ones are re-hashed at the next successful login).
 */
export const argon2Params = { memorySize: 19_456, iterations: 2, parallelism: 1, hashLength: 32 } as const;

export async function hashPassword(password: string): Promise<string> {
  return argon2id({ password, salt: randomBytes(16), ...argon2Params, outputType: 'encoded' });
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  try {
    return await argon2Verify({ password, hash });
  } catch {
    return false;
  }
}

/** Whether a stored hash was made with weaker parameters than the current ones. */
export function needsRehash(hash: string): boolean {
  const m = /\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(hash);
  if (!m) return true;
  return Number(m[1]) < argon2Params.memorySize || Number(m[2]) < argon2Params.iterations;
}

let dummy: Promise<string> | undefined;
/**
 * Spends the same work as a real verification when the user name is unknown, so response time
 * does not reveal which user names exist.
 */
export async function burnVerification(password: string): Promise<void> {
  dummy ??= hashPassword('xinrong-dummy-password-1');
  await verifyPassword(password, await dummy);
}

export const minPasswordLength = 10;

/** At least 10 characters with letters and digits; at most 128 (Argon2 input bound we accept). */
export function checkPasswordPolicy(password: string): void {
  if (
    password.length < minPasswordLength ||
    password.length > 128 ||
    !/[A-Za-z]/.test(password) ||
    !/\d/.test(password)
  ) {
    throw new AppError('password_weak', { min: minPasswordLength });
  }
}

/** A random password for accounts created by an operator (shown once). */
export function generatePassword(): string {
  // 16 base64url characters ≈ 96 bits; a letter and digit suffix keeps it within the policy.
  return `${randomBytes(12).toString('base64url')}a1`;
}

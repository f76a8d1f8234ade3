import { isIP } from 'node:net';
import type { Actor } from '../access/actor.ts';

/** Authorization rules of the connectors, as pure functions (unit-tested as a table). */

/** Operators manage every interface; a provider system manages only its own. */
export function canManageInterface(actor: Actor, providerId: string): boolean {
  if (actor.type === 'operator' || actor.type === 'system') return true;
  return actor.type === 'provider' && !!actor.orgId && actor.orgId === providerId;
}

/** Who may see the interface list, and which part of it: undefined = all, a provider id = its own. */
export function interfaceListScope(actor: Actor): { providerId?: string } | 'none' {
  if (actor.type === 'operator' || actor.type === 'system') return {};
  if (actor.type === 'provider' && actor.orgId) return { providerId: actor.orgId };
  return 'none';
}

/**
 * Hosts a provider may not point the platform at (server-side request forgery): loopback, private,
 * link-local and unspecified addresses written as literals, and `localhost`. Operators may (the demo's
 * sandbox runs on loopback). Names are not resolved here: a DNS name that resolves to a private address
 * is the network's egress policy to stop (decision 0061).
 */
export function isInternalHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const v = isIP(h);
  if (v === 4) {
    const [a, b] = h.split('.').map(Number) as [number, number];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (v === 6) {
    return (
      h === '::' ||
      h === '::1' ||
      h.startsWith('fe80:') ||
      h.startsWith('fc') ||
      h.startsWith('fd') ||
      h.startsWith('::ffff:')
    );
  }
  return false;
}

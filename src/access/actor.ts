/**
 * Who is calling. Every request and every CLI command runs as an Actor; authorization decisions
 * (`can…` policies) and the read path take it as their first argument.
 */
export const roles = [
  'enterprise', // 信用主体 user, bound to one subject (uscc)
  'institution', // 接入机构 user (bank, insurer, guarantor, credit-service firm)
  'institution_system', // an institution's machine client
  'provider', // 数据提供单位 system
  'operator', // 平台运营 (credit office / financial office)
  'recommender', // district or department recommending to the whitelist
] as const;

export type Role = (typeof roles)[number];

export type Actor =
  | { type: 'anonymous' }
  | { type: 'system'; name: string }
  | {
      type: Role;
      /** user or machine-client id */
      id: string;
      /** organisation: provider id, institution id, district code… */
      orgId?: string;
      /** enterprise users: the subject they are bound to */
      uscc?: string;
      displayName?: string;
    };

export type AuthenticatedActor = Extract<Actor, { type: Role }>;

export const anonymous: Actor = { type: 'anonymous' };

/** The CLI and background jobs act as the platform itself. */
export function systemActor(name = 'cli'): Actor {
  return { type: 'system', name };
}

export function isRole(actor: Actor, ...allowed: Role[]): actor is AuthenticatedActor {
  return (allowed as string[]).includes(actor.type);
}

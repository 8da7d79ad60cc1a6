/** What a credential may do. Team-scoped unless held org-wide (admins, services). */
export const SCOPES = [
  'models:read',
  'inference:invoke',
  'wallet:read',
  'wallet:admin',
  'policy:admin',
] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * Scopes only the platform's own services hold (org-wide); never granted to an API key.
 * `wallet:hold`: holds and charges of calls (inference). `wallet:fund`: the wallet's funding face
 * (billing): grants and debits, dispute holds, suspension, low-balance crossings, statements.
 * `prompts:render`: orchestration's prompt rendering for calls that name a prompt (inference).
 */
export const SERVICE_SCOPES = [
  'wallet:hold',
  'wallet:fund',
  'policy:decide',
  'prompts:render',
] as const;
export type ServiceScope = (typeof SERVICE_SCOPES)[number];

export const TEAM_ROLES = ['OWNER', 'ADMIN', 'MEMBER', 'VIEWER'] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

/** The scopes a person holds in a team by their role there. */
export const ROLE_SCOPES: Record<TeamRole, readonly Scope[]> = {
  VIEWER: ['models:read', 'wallet:read'],
  MEMBER: ['models:read', 'wallet:read', 'inference:invoke'],
  ADMIN: ['models:read', 'wallet:read', 'inference:invoke', 'wallet:admin', 'policy:admin'],
  OWNER: ['models:read', 'wallet:read', 'inference:invoke', 'wallet:admin', 'policy:admin'],
};

export type PrincipalKind = 'USER' | 'API_KEY' | 'SERVICE';

/** A team the principal acts in, with what it may do there. */
export interface TeamGrant {
  id: string;
  /** The person's role; null for an API key, whose scopes were chosen when it was made. */
  role: TeamRole | null;
  scopes: Scope[];
}

/**
 * Who is calling, as established by the gateway and carried to every subgraph in the internal
 * token. Per-team grants (not one flat scope list) because a person can be ADMIN of one team and
 * VIEWER of another.
 */
export interface Principal {
  /** `key:<id>`, `user:<subject>`, `admin` (bootstrap key) or `service:<name>`. */
  id: string;
  kind: PrincipalKind;
  orgId: string;
  /** `ORG_ADMIN` may do everything; services hold org-wide scopes instead. */
  roles: Array<'ORG_ADMIN'>;
  /** Scopes held in every team, and service scopes (services). */
  scopes: Array<Scope | ServiceScope>;
  teams: TeamGrant[];
}

export function isOrgAdmin(principal: Principal): boolean {
  return principal.roles.includes('ORG_ADMIN');
}

/** May `principal` use `scope` in `teamId` (or, without a team, in any team)? */
export function hasScope(principal: Principal, scope: Scope, teamId?: string): boolean {
  if (isOrgAdmin(principal) || principal.scopes.includes(scope)) return true;
  return principal.teams.some(
    (team) => (teamId === undefined || team.id === teamId) && team.scopes.includes(scope),
  );
}

/** May `principal` do what a platform service does (organization admins may too)? */
export function hasServiceScope(principal: Principal, scope: ServiceScope): boolean {
  return isOrgAdmin(principal) || principal.scopes.includes(scope);
}

export function teamIdsOf(principal: Principal): string[] {
  return principal.teams.map((team) => team.id);
}

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

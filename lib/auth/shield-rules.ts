import { allow, deny, rule, shield } from 'graphql-shield';
import { middleware } from 'graphql-middleware';
import type { IRules } from 'graphql-shield';
import type { GraphQLResolveInfo } from 'graphql';
import { forbidden, unauthenticated } from '../errors.js';
import {
  hasScope,
  hasServiceScope as principalHasServiceScope,
  isOrgAdmin as principalIsOrgAdmin,
  type Principal,
  type Scope,
  type ServiceScope,
} from './principal.js';

/** The part of every subgraph's context the rules read. */
export interface AuthContext {
  principal: Principal | null;
}

type TeamIdOf<P, A> = (parent: P, args: A, ctx: AuthContext) => string | null | undefined;

/*
 * Rules are named after what they check. Rules that read only the context are cached per request
 * (`contextual`); rules about a parent or arguments are not cached, because shield's cache keys
 * ignore the parent for `contextual` and hash whole parents for `strict` (slow on large entity
 * batches). Denials are coded errors, not shield's "Not Authorised!".
 */

export const isAuthenticated = rule('isAuthenticated', { cache: 'contextual' })(
  (_parent, _args, ctx: AuthContext) => (ctx.principal ? true : unauthenticated()),
);

export const isOrgAdmin = rule('isOrgAdmin', { cache: 'contextual' })((
  _parent,
  _args,
  ctx: AuthContext,
) => {
  if (!ctx.principal) return unauthenticated();
  return principalIsOrgAdmin(ctx.principal)
    ? true
    : forbidden('Only organization admins may do this.');
});

/** The caller holds `scope` in at least one team (or org-wide). */
export function hasScopeInAnyTeam(scope: Scope) {
  return rule(`hasScopeInAnyTeam:${scope}`, { cache: 'contextual' })(
    (_parent, _args, ctx: AuthContext) => {
      if (!ctx.principal) return unauthenticated();
      return hasScope(ctx.principal, scope) ? true : forbidden(`This needs the ${scope} scope.`);
    },
  );
}

/** The caller is a platform service holding `scope` (or an organization admin). */
export function hasServiceScope(scope: ServiceScope) {
  return rule(`hasServiceScope:${scope}`, { cache: 'contextual' })(
    (_parent, _args, ctx: AuthContext) => {
      if (!ctx.principal) return unauthenticated();
      return principalHasServiceScope(ctx.principal, scope)
        ? true
        : forbidden(`Only platform services (${scope}) may do this.`);
    },
  );
}

/**
 * The caller holds `scope` in the team `teamIdOf` names: tenant isolation. A missing team id is a
 * denial, never a pass.
 */
export function hasScopeInTeam<P = unknown, A = Record<string, unknown>>(
  name: string,
  scope: Scope,
  teamIdOf: TeamIdOf<P, A>,
) {
  return rule(`hasScopeInTeam:${name}:${scope}`, { cache: 'no_cache' })(
    (parent: P, args: A, ctx: AuthContext, _info: GraphQLResolveInfo) => {
      if (!ctx.principal) return unauthenticated();
      const teamId = teamIdOf(parent, args, ctx);
      if (teamId && hasScope(ctx.principal, scope, teamId)) return true;
      return forbidden(`This needs the ${scope} scope in the team it belongs to.`);
    },
  );
}

/** The caller belongs to the team `teamIdOf` names (organization admins belong everywhere). */
export function belongsToTeam<P = unknown, A = Record<string, unknown>>(
  name: string,
  teamIdOf: TeamIdOf<P, A>,
) {
  return rule(`belongsToTeam:${name}`, { cache: 'no_cache' })(
    (parent: P, args: A, ctx: AuthContext) => {
      if (!ctx.principal) return unauthenticated();
      const teamId = teamIdOf(parent, args, ctx);
      if (
        teamId &&
        (principalIsOrgAdmin(ctx.principal) || ctx.principal.teams.some((t) => t.id === teamId))
      ) {
        return true;
      }
      return forbidden('You do not belong to this team.');
    },
  );
}

export { allow, deny };

/**
 * graphql-shield for one subgraph: deny whatever the rule tree does not name, let federation's
 * `_service` and `_entities` through (entity fields carry their own rules), and keep coded errors
 * that resolvers throw.
 */
export function createPermissions(rules: IRules) {
  const tree = rules as Record<string, unknown>;
  // A rule given for the whole Query type becomes its wildcard, so federation's fields can be added.
  const query = tree.Query;
  const queryFields =
    query && Object.getPrototypeOf(query) === Object.prototype
      ? (query as Record<string, unknown>)
      : query
        ? { '*': query }
        : {};
  // Built against the schema: a subgraph without entity types has no `_entities`, and shield
  // refuses a rule for a field the schema lacks.
  return middleware((schema) => {
    const hasEntities = Boolean(schema.getQueryType()?.getFields()._entities);
    return shield(
      {
        ...tree,
        Query: { ...queryFields, _service: allow, ...(hasEntities ? { _entities: allow } : {}) },
        _Service: allow,
      } as IRules,
      {
        fallbackRule: deny,
        fallbackError: () => forbidden(),
        allowExternalErrors: true,
        debug: false,
      },
    ).generate(schema);
  });
}

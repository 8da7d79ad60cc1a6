import { buildSchema, graphql, type GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { orgAdmin, teamKey, teamUser } from '../../test/support/identities.js';
import { badUserInput } from '../errors.js';
import { hasScope, isOrgAdmin as principalIsOrgAdmin, type Principal } from './principal.js';
import {
  allow,
  createPermissions,
  hasScopeInAnyTeam,
  hasScopeInTeam,
  isAuthenticated,
  isOrgAdmin,
  type AuthContext,
} from './shield-rules.js';

// A plain schema with federation's `_service` and `_entities`, which createPermissions lets
// through.
const sdl = /* GraphQL */ `
  type _Service {
    sdl: String
  }
  type Wallet {
    teamId: String
    balance: String
  }
  type Query {
    _service: _Service
    _entities: [String]
    ping: String
    me: String
    orgSettings: String
    models: [String]
    wallet(teamId: String): Wallet
    orphanWallet: Wallet
    unguarded: String
    broken: String
  }
`;

const rules = {
  Query: {
    ping: allow,
    me: isAuthenticated,
    orgSettings: isOrgAdmin,
    models: hasScopeInAnyTeam('models:read'),
    wallet: hasScopeInTeam<unknown, { teamId?: string }>(
      'walletByArg',
      'wallet:read',
      (_p, args) => args.teamId,
    ),
    orphanWallet: isAuthenticated,
    broken: isAuthenticated,
  },
  Wallet: {
    teamId: allow,
    balance: hasScopeInTeam<{ teamId?: string }>('walletBalance', 'wallet:read', (p) => p.teamId),
  },
};

const resolvers: Record<string, () => unknown> = {
  ping: () => 'pong',
  me: () => 'you',
  orgSettings: () => 'settings',
  models: () => ['m1'],
  wallet: () => ({ teamId: 'team-a', balance: '10' }),
  orphanWallet: () => ({ balance: '99' }),
  unguarded: () => 'leak',
  broken: () => {
    throw badUserInput('That will not do.', { field: 'x' });
  },
};

let schema: GraphQLSchema;
beforeAll(() => {
  schema = applyMiddleware(buildSchema(sdl), createPermissions(rules));
});

async function run(principal: Principal | null, source: string) {
  const contextValue: AuthContext = { principal };
  const result = await graphql({ schema, source, rootValue: resolvers, contextValue });
  return {
    data: result.data as Record<string, unknown> | null | undefined,
    codes: (result.errors ?? []).map((e) => e.extensions.code),
    errors: result.errors ?? [],
  };
}

describe('shield rules', () => {
  it('lets an allowed field through for anyone', async () => {
    const { data, codes } = await run(null, '{ ping }');
    expect(codes).toEqual([]);
    expect(data).toEqual({ ping: 'pong' });
  });

  it('isAuthenticated answers UNAUTHENTICATED without a principal', async () => {
    const anonymous = await run(null, '{ me }');
    expect(anonymous.codes).toEqual(['UNAUTHENTICATED']);
    expect(anonymous.data).toEqual({ me: null });
    await expect(run(teamUser('t', 'VIEWER'), '{ me }')).resolves.toMatchObject({
      data: { me: 'you' },
      codes: [],
    });
  });

  it('isOrgAdmin forbids a team member and lets an org admin in', async () => {
    await expect(run(teamUser('team-a', 'OWNER'), '{ orgSettings }')).resolves.toMatchObject({
      data: { orgSettings: null },
      codes: ['FORBIDDEN'],
    });
    await expect(run(null, '{ orgSettings }')).resolves.toMatchObject({
      codes: ['UNAUTHENTICATED'],
    });
    await expect(run(orgAdmin(), '{ orgSettings }')).resolves.toMatchObject({
      data: { orgSettings: 'settings' },
      codes: [],
    });
  });

  it('hasScopeInAnyTeam needs the scope in some team', async () => {
    await expect(run(teamKey('team-b', ['models:read']), '{ models }')).resolves.toMatchObject({
      data: { models: ['m1'] },
      codes: [],
    });
    await expect(run(teamKey('team-b', ['wallet:read']), '{ models }')).resolves.toMatchObject({
      codes: ['FORBIDDEN'],
    });
    await expect(run(null, '{ models }')).resolves.toMatchObject({ codes: ['UNAUTHENTICATED'] });
  });

  it('hasScopeInTeam allows the right team and forbids every other (tenant isolation)', async () => {
    const reader = teamUser('team-a', 'VIEWER');
    const own = await run(reader, '{ wallet(teamId: "team-a") { teamId balance } }');
    expect(own.codes).toEqual([]);
    expect(own.data).toEqual({ wallet: { teamId: 'team-a', balance: '10' } });

    const other = await run(reader, '{ wallet(teamId: "team-b") { teamId } }');
    expect(other.codes).toEqual(['FORBIDDEN']);
    expect(other.data).toEqual({ wallet: null });

    // Holding the scope in another team is not enough for this one.
    const elsewhere = await run(
      teamKey('team-b', ['wallet:read']),
      '{ wallet(teamId: "team-a") { teamId } }',
    );
    expect(elsewhere.codes).toEqual(['FORBIDDEN']);
  });

  it('hasScopeInTeam forbids when there is no team id to check', async () => {
    const omitted = await run(teamUser('team-a', 'ADMIN'), '{ wallet { teamId } }');
    expect(omitted.codes).toEqual(['FORBIDDEN']);
    // A parent without a team id: the field rule denies, whatever the caller holds in teams.
    const orphan = await run(teamUser('team-a', 'ADMIN'), '{ orphanWallet { balance } }');
    expect(orphan.codes).toEqual(['FORBIDDEN']);
    expect(orphan.data).toEqual({ orphanWallet: { balance: null } });
  });

  it('hasScopeInTeam lets an org admin into any team', async () => {
    const { data, codes } = await run(orgAdmin(), '{ wallet(teamId: "team-z") { balance } }');
    expect(codes).toEqual([]);
    expect(data).toEqual({ wallet: { balance: '10' } });
  });

  it('denies a field that no rule names, with FORBIDDEN', async () => {
    const { data, codes } = await run(orgAdmin(), '{ unguarded }');
    expect(codes).toEqual(['FORBIDDEN']);
    expect(data).toEqual({ unguarded: null });
  });

  it("keeps a resolver's coded error as it was thrown", async () => {
    const { errors } = await run(teamUser('t', 'MEMBER'), '{ broken }');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toBe('That will not do.');
    expect(errors[0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'x' });
  });

  it("lets federation's _service through without a principal", async () => {
    const { codes } = await run(null, '{ _service { sdl } }');
    expect(codes).toEqual([]);
  });

  it('fits a subgraph without entity types (no `_entities`), denying what it does not name', async () => {
    const noEntities = applyMiddleware(
      buildSchema(
        'type _Service { sdl: String } type Query { _service: _Service me: String other: String }',
      ),
      createPermissions({ Query: { me: isAuthenticated } }),
    );
    const run = (source: string) =>
      graphql({
        schema: noEntities,
        source,
        rootValue: { me: () => 'you', other: () => 'leak', _service: () => ({ sdl: 'x' }) },
        contextValue: { principal: null },
      });
    expect((await run('{ _service { sdl } }')).errors).toBeUndefined();
    expect((await run('{ me }')).errors?.map((e) => e.extensions.code)).toEqual([
      'UNAUTHENTICATED',
    ]);
    expect((await run('{ other }')).errors?.map((e) => e.extensions.code)).toEqual(['FORBIDDEN']);
  });
});

describe('principal helpers', () => {
  const serviceWithWalletRead: Principal = {
    id: 'service:billing',
    kind: 'SERVICE',
    orgId: 'default',
    roles: [],
    scopes: ['wallet:read'],
    teams: [],
  };

  it('isOrgAdmin is true only for the ORG_ADMIN role', () => {
    expect(principalIsOrgAdmin(orgAdmin())).toBe(true);
    expect(principalIsOrgAdmin(teamUser('team-a', 'OWNER'))).toBe(false);
    expect(principalIsOrgAdmin(serviceWithWalletRead)).toBe(false);
  });

  it('hasScope checks the named team, or any team without one', () => {
    const viewer = teamUser('team-a', 'VIEWER');
    expect(hasScope(viewer, 'wallet:read', 'team-a')).toBe(true);
    expect(hasScope(viewer, 'wallet:read', 'team-b')).toBe(false);
    expect(hasScope(viewer, 'inference:invoke', 'team-a')).toBe(false);
    expect(hasScope(viewer, 'wallet:read')).toBe(true);
    expect(hasScope(viewer, 'wallet:admin')).toBe(false);
  });

  it('hasScope follows per-team grants when a person holds different roles', () => {
    const person: Principal = {
      ...teamUser('team-a', 'ADMIN'),
      teams: [...teamUser('team-a', 'ADMIN').teams, ...teamUser('team-b', 'VIEWER').teams],
    };
    expect(hasScope(person, 'policy:admin', 'team-a')).toBe(true);
    expect(hasScope(person, 'policy:admin', 'team-b')).toBe(false);
    expect(hasScope(person, 'wallet:read', 'team-b')).toBe(true);
  });

  it('hasScope grants org-wide scopes and admin rights in every team', () => {
    expect(hasScope(serviceWithWalletRead, 'wallet:read', 'any-team')).toBe(true);
    expect(hasScope(serviceWithWalletRead, 'wallet:admin', 'any-team')).toBe(false);
    expect(hasScope(orgAdmin(), 'policy:admin', 'any-team')).toBe(true);
  });

  it('hasScope denies an empty team id rather than treating it as "any team"', () => {
    expect(hasScope(teamUser('team-a', 'ADMIN'), 'wallet:read', '')).toBe(false);
  });
});

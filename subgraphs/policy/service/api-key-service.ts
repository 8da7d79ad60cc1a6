import {
  NO_PRINCIPAL,
  REVOCATION_MARKER_TTL_MS,
  REVOKED_KEYS_CHANNEL,
  credentialCacheKey,
  generateApiKey,
} from '../../../lib/auth/api-key.js';
import { hasScope, isOrgAdmin } from '../../../lib/auth/principal.js';
import type { Db } from '../../../lib/db/index.js';
import { badUserInput, forbidden, notFound } from '../../../lib/errors.js';
import { assertUuid } from '../../../lib/ids.js';
import type { Kv } from '../../../lib/kv/index.js';
import { createApiKeyStore } from '../store/api-key-store.js';
import type { ApiKeyRow } from '../store/rows.js';
import { requireTeam, type AuditTrail, type Caller } from './audit-trail.js';
import { checkName, checkScopes } from './validation.js';

/**
 * A team's API keys. A key's scopes never exceed the granter's own in that team; a revoked key is
 * dropped from the gateways' shared cache at once.
 * Long only because it lists its methods: each is short and stands alone (a factory, not a flow).
 */
export function createApiKeyService(db: Db, kv: Kv, now: () => Date, { audited }: AuditTrail) {
  return {
    async createApiKey(
      caller: Caller,
      input: { teamId: string; name: string; scopes: readonly string[]; expiresAt?: Date | null },
    ): Promise<{ apiKey: ApiKeyRow; secret: string }> {
      await requireTeam(db, input.teamId);
      const scopes = checkScopes(input.scopes);
      if (input.expiresAt && input.expiresAt.getTime() <= now().getTime()) {
        throw badUserInput('expiresAt must be in the future.', { field: 'expiresAt' });
      }
      const name = checkName(input.name);
      const denied = {
        teamId: input.teamId,
        action: 'API_KEY_CREATED',
        targetType: 'ApiKey',
        targetId: null,
        details: { name, scopes },
      };
      return audited(caller, denied, async (tx) => {
        const beyond = scopes.filter((scope) => !hasScope(caller.principal, scope, input.teamId));
        if (beyond.length)
          throw forbidden(`You cannot grant scopes you do not hold: ${beyond.join(', ')}.`);
        const key = generateApiKey();
        const apiKey = await createApiKeyStore(tx).insert({
          teamId: input.teamId,
          name,
          prefix: key.prefix,
          hash: key.hash,
          scopes,
          createdBy: caller.principal.id,
          expiresAt: input.expiresAt ?? null,
        });
        return {
          result: { apiKey, secret: key.secret },
          event: {
            ...denied,
            targetId: apiKey.id,
            details: {
              name,
              scopes,
              prefix: key.prefix,
              expiresAt: apiKey.expiresAt?.toISOString() ?? null,
            },
          },
        };
      });
    },

    /** Revokes a key and drops it from the gateways' shared cache, so it stops working at once. */
    async revokeApiKey(caller: Caller, id: string): Promise<ApiKeyRow> {
      assertUuid(id, 'id');
      const [existing] = await createApiKeyStore(db).ofIds([id]);
      // To anyone but an org admin, an unknown id looks like another team's key: ids cannot be probed.
      if (!existing) {
        throw isOrgAdmin(caller.principal)
          ? notFound('API key', id)
          : forbidden('Revoking a key needs policy:admin in its team.');
      }
      const target = {
        teamId: existing.teamId,
        action: 'API_KEY_REVOKED',
        targetType: 'ApiKey',
        targetId: id,
        details: {},
      };
      const revoked = await audited(caller, target, async (tx) => {
        const keys = createApiKeyStore(tx);
        const key = await keys.lockWithHash(id);
        if (!key) throw notFound('API key', id);
        if (!hasScope(caller.principal, 'policy:admin', key.teamId)) {
          throw forbidden('Revoking a key needs policy:admin in its team.');
        }
        return {
          result: { row: await keys.revoke(id), hash: key.hash },
          event: { ...target, details: { prefix: key.prefix } },
        };
      });
      await kv.set(credentialCacheKey.apiKey(revoked.hash), NO_PRINCIPAL, {
        ttlMs: REVOCATION_MARKER_TTL_MS,
      });
      await kv.publish(REVOKED_KEYS_CHANNEL, revoked.hash);
      return revoked.row;
    },
  };
}

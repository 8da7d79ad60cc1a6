import type { Queryable } from '../../../lib/db/index.js';
import { isUuid } from '../../../lib/ids.js';
import { createAuditStore, type NewAuditEvent } from '../store/audit-store.js';

/** Events per list per call (more are dropped): senders batch within it. */
export const MAX_EVENTS = 50;

const text = (value: unknown, max: number) =>
  typeof value === 'string' ? value.slice(0, max) : null;
const isUuidText = (value: unknown): value is string => typeof value === 'string' && isUuid(value);
const listOf = (value: unknown) =>
  (Array.isArray(value) ? value.slice(0, MAX_EVENTS) : []) as Array<Record<string, unknown>>;

/** The fields every event the gateway reports shares, read defensively from its body. */
const reported = (raw: Record<string, unknown>) => ({
  actor: text(raw.actor, 200) ?? 'unknown',
  requestId: text(raw.requestId, 128) ?? 'unknown',
});

const ACTION = /^[A-Z_]{3,40}$/;
const SERVICE_OUTCOMES = new Set(['SUCCEEDED', 'FAILED']);
const detailsOf = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).slice(0, 20))
    : {};

/**
 * What a platform service did to a team's money (billing's recharges, refunds, disputes and
 * reconciliation findings), written under the reporting service's own identity: a service cannot
 * speak for anyone else. Malformed entries are skipped.
 */
function serviceEvents(list: unknown, service: string): NewAuditEvent[] {
  return listOf(list).flatMap((raw) => {
    const action = text(raw.action, 40);
    const outcome = text(raw.outcome, 20);
    if (!action || !ACTION.test(action) || !outcome || !SERVICE_OUTCOMES.has(outcome)) return [];
    return [
      {
        actor: service,
        requestId: text(raw.requestId, 128) ?? 'unknown',
        teamId: isUuidText(raw.teamId) ? raw.teamId : null,
        action,
        outcome: outcome as 'SUCCEEDED' | 'FAILED',
        targetType: text(raw.targetType, 100),
        targetId: text(raw.targetId, 300),
        details: detailsOf(raw.details),
      },
    ];
  });
}

/**
 * What the gateway saw, into the audit log: organization admins' mutations in any subgraph as
 * org-wide events (no team), and refusals (graphql-shield in any subgraph) as one DENIED event per
 * team the caller acts in, so each team's admins see them; and services' own events
 * (`serviceEvents`, as `reporter`). Returns how many events were written.
 */
export async function recordGatewayEvents(
  db: Queryable,
  body: { adminActions?: unknown; denials?: unknown; serviceEvents?: unknown },
  reporter: string,
): Promise<number> {
  const events: NewAuditEvent[] = serviceEvents(body.serviceEvents, reporter);
  for (const raw of listOf(body.adminActions)) {
    events.push({
      ...reported(raw),
      teamId: null,
      action: 'ADMIN_MUTATION',
      outcome: 'SUCCEEDED',
      targetType: 'Mutation',
      targetId: text(raw.field, 100),
      details: { operation: text(raw.operation, 100) },
    });
  }
  for (const raw of listOf(body.denials)) {
    const teams = Array.isArray(raw.teamIds) ? (raw.teamIds as unknown[]).filter(isUuidText) : [];
    for (const teamId of teams.length ? teams : [null]) {
      events.push({
        ...reported(raw),
        teamId,
        action: 'ACCESS_DENIED',
        outcome: 'DENIED',
        targetType: 'Operation',
        targetId: text(raw.path, 300),
        details: { operation: text(raw.operation, 100), reason: text(raw.message, 300) },
      });
    }
  }
  await createAuditStore(db).append(...events);
  return events.length;
}

import { createGroupCommit } from '../../../lib/group-commit.js';
import type { Logger } from '../../../lib/logging.js';
import type { ServiceClient } from '../../../lib/service-client.js';
import { POLICY_INTERNAL_PATHS } from '../../policy/internal-routes.js';
import { MAX_EVENTS } from '../../policy/service/gateway-events.js';

/** Something billing did to a team's money, for the team's audit log. */
export interface BillingAuditEvent {
  teamId: string | null;
  /** e.g. PURCHASE_GRANTED, RECHARGE_FAILED, REFUND_ISSUED, DISPUTE_OPENED, RECONCILIATION_MISMATCH */
  action: string;
  outcome: 'SUCCEEDED' | 'FAILED';
  targetType: string;
  targetId: string;
  /** Facts for people; never a secret or card data. */
  details?: Record<string, unknown>;
  requestId: string;
}

/**
 * Writes billing's events into policy's audit log (policy's internal audit route, as the billing
 * service). The audit log is a record, not a gate: a failure to write is logged and the money
 * movement it describes stands. Events recorded while a write is in flight go together in the
 * next one (group commit, decision 88), so concurrent payments cost one policy call; `flush`
 * waits for every event recorded so far (a clean stop).
 */
export function createAuditClient(options: {
  client: ServiceClient;
  policyUrl: string;
  logger: Logger;
}) {
  const url = new URL(POLICY_INTERNAL_PATHS.audit, options.policyUrl).toString();
  const writes = createGroupCommit<BillingAuditEvent, true>(
    async (events) => {
      try {
        await options.client.post(url, { serviceEvents: events }, events[0]!.requestId);
      } catch (error) {
        options.logger.warn(
          { err: error, actions: events.map((e) => e.action) },
          'could not write billing events to the audit log',
        );
      }
      return events.map(() => true as const);
    },
    { inFlight: 1, mostPerBatch: MAX_EVENTS },
  );
  return {
    /** Resolves once the events are written, or the failure logged; never rejects. */
    async record(...events: BillingAuditEvent[]): Promise<void> {
      await Promise.all(events.map((event) => writes.submit(event)));
    },
    /** Resolves once every event recorded so far is written (or its failure logged). */
    flush: (): Promise<void> => writes.idle(),
  };
}

export type AuditClient = ReturnType<typeof createAuditClient>;

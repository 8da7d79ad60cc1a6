import { createGroupCommit } from '../../lib/group-commit.js';
import type { Logger } from '../../lib/logging.js';
import type { ServiceClient } from '../../lib/service-client.js';
import { POLICY_INTERNAL_PATHS } from './internal-routes.js';
import { MAX_EVENTS } from './service/gateway-events.js';

/** Something a service did, for a team's audit log (or the organization's: `teamId` null). */
export interface ServiceAuditEvent {
  teamId: string | null;
  /** e.g. PURCHASE_GRANTED, PROMPT_LABEL_MOVED */
  action: string;
  outcome: 'SUCCEEDED' | 'FAILED';
  targetType: string;
  targetId: string;
  /** Facts for people; never a secret, card data, or a prompt's text. */
  details?: Record<string, unknown>;
  requestId: string;
}

/**
 * How a service (billing, orchestration) writes its events into policy's audit log: policy's
 * internal audit route, as that service. The audit log is a record, not a gate: a failure to
 * write is logged (naming `service`) and what it describes stands. Events recorded while a write
 * is in flight go together in the next one (group commit, decision 88), so concurrent events
 * cost one policy call; `flush` waits for every event recorded so far (a clean stop).
 */
export function createServiceAuditClient(options: {
  client: ServiceClient;
  policyUrl: string;
  logger: Logger;
  /** Who writes, for the log line of a failed write. */
  service: string;
}) {
  const url = new URL(POLICY_INTERNAL_PATHS.audit, options.policyUrl).toString();
  const writes = createGroupCommit<ServiceAuditEvent, true>(
    async (events) => {
      try {
        await options.client.post(url, { serviceEvents: events }, events[0]!.requestId);
      } catch (error) {
        options.logger.warn(
          { err: error, actions: events.map((e) => e.action) },
          `could not write ${options.service} events to the audit log`,
        );
      }
      return events.map(() => true as const);
    },
    { inFlight: 1, mostPerBatch: MAX_EVENTS },
  );
  return {
    /** Resolves once the events are written, or the failure logged; never rejects. */
    async record(...events: ServiceAuditEvent[]): Promise<void> {
      await Promise.all(events.map((event) => writes.submit(event)));
    },
    /** Resolves once every event recorded so far is written (or its failure logged). */
    flush: (): Promise<void> => writes.idle(),
  };
}

export type ServiceAuditClient = ReturnType<typeof createServiceAuditClient>;

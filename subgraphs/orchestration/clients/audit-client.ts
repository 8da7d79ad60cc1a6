import { createGroupCommit } from '../../../lib/group-commit.js';
import type { Logger } from '../../../lib/logging.js';
import type { ServiceClient } from '../../../lib/service-client.js';
import { POLICY_INTERNAL_PATHS } from '../../policy/internal-routes.js';
import { MAX_EVENTS } from '../../policy/service/gateway-events.js';

/** Something a caller did to a team's prompts, for the team's audit log. */
export interface OrchestrationAuditEvent {
  teamId: string;
  /** PROMPT_VERSION_CREATED or PROMPT_LABEL_MOVED. */
  action: string;
  outcome: 'SUCCEEDED' | 'FAILED';
  targetType: string;
  targetId: string;
  /** Facts for people (who, which version); never a prompt's text or variables. */
  details: Record<string, unknown>;
  requestId: string;
}

/**
 * Writes orchestration's events into policy's audit log through policy's internal audit route,
 * as the orchestration service (billing's path, decision 88's group commit): events recorded while
 * a write is in flight go together in the next. The log is a record, not a gate: a failed write
 * is logged and the change it describes stands. `flush` waits for everything recorded so far.
 */
export function createAuditClient(options: {
  client: ServiceClient;
  policyUrl: string;
  logger: Logger;
}) {
  const url = new URL(POLICY_INTERNAL_PATHS.audit, options.policyUrl).toString();
  const writes = createGroupCommit<OrchestrationAuditEvent, true>(
    async (events) => {
      try {
        await options.client.post(url, { serviceEvents: events }, events[0]!.requestId);
      } catch (error) {
        options.logger.warn(
          { err: error, actions: events.map((e) => e.action) },
          'could not write orchestration events to the audit log',
        );
      }
      return events.map(() => true as const);
    },
    { inFlight: 1, mostPerBatch: MAX_EVENTS },
  );
  return {
    /** Resolves once the event is written, or the failure logged; never rejects. */
    record: (event: OrchestrationAuditEvent): Promise<void> =>
      writes.submit(event).then(() => undefined),
    flush: (): Promise<void> => writes.idle(),
  };
}

export type AuditClient = ReturnType<typeof createAuditClient>;

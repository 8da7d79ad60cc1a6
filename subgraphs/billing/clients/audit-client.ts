import {
  createServiceAuditClient,
  type ServiceAuditEvent,
} from '../../policy/service-audit-client.js';

/**
 * Something billing did to a team's money, for the team's audit log (PURCHASE_GRANTED,
 * RECHARGE_FAILED, REFUND_ISSUED, DISPUTE_OPENED, RECONCILIATION_MISMATCH, ...); never a secret
 * or card data.
 */
export type BillingAuditEvent = ServiceAuditEvent;

/** Billing's writer into policy's audit log: the money movement stands if the write fails. */
export const createAuditClient = (
  options: Omit<Parameters<typeof createServiceAuditClient>[0], 'service'>,
) => createServiceAuditClient({ ...options, service: 'billing' });

export type AuditClient = ReturnType<typeof createAuditClient>;

import { unavailable } from '../../../../lib/service-client.js';
import type { PendingCharge } from './charge-outbox.js';
import type { SagaContext, SagaDeps } from './saga-types.js';

/**
 * A charge the wallet did not confirm, made durable in the charge outbox before the call's answer
 * leaves: the outbox charges it once the wallet answers. When even the outbox cannot keep it, the
 * call fails (SERVICE_UNAVAILABLE) and its answer does not leave, so nothing is owed for it.
 */
export async function recordUnconfirmed(
  deps: Pick<SagaDeps, 'chargeOutbox'>,
  ctx: SagaContext,
  charge: PendingCharge,
): Promise<void> {
  try {
    await deps.chargeOutbox.record(charge);
  } catch (error) {
    ctx.logger.error(
      { err: error, kind: charge.kind, holdId: charge.holdId, cost: charge.amount.toString() },
      'charge not recorded in the outbox: call refused; its hold may have been charged, or expires',
    );
    throw unavailable('Charging');
  }
}

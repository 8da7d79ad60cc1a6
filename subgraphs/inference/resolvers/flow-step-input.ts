import { badUserInput, forbidden } from '../../../lib/errors.js';
import { assertUuid } from '../../../lib/ids.js';
import type { FlowStepPaymentInput } from '../generated/resolvers-types.js';
import type { FlowStep } from '../service/saga/saga-types.js';

/** The only service that may send a call as a flow step, acting for the run's creator. */
const FLOW_ACTOR = 'service:orchestration';

/**
 * A call's `flowStep`, checked: only orchestration acting for a caller (a delegated token) may
 * send one (the gateway never exposes the field; this is the defence behind it).
 */
export function flowStepOf(
  ctx: { actor?: string },
  input: FlowStepPaymentInput | null | undefined,
): FlowStep | undefined {
  if (input == null) return undefined;
  if (ctx.actor !== FLOW_ACTOR) {
    throw forbidden('Only the orchestration service may pay a call from a flow run.');
  }
  const { stepKey } = input;
  if (stepKey.length < 1 || stepKey.length > 255) {
    throw badUserInput('flowStep.stepKey must be 1 to 255 characters.', {
      field: 'flowStep.stepKey',
    });
  }
  return { holdId: assertUuid(input.holdId, 'flowStep.holdId'), stepKey };
}

import { hasServiceScope, type Principal, type ServiceScope } from '../../../lib/auth/principal.js';
import { forbidden } from '../../../lib/errors.js';
import type { HoldPurpose } from '../store/transfer-rows.js';

/**
 * The service scope that moves a hold of `purpose`: a dispute hold is the billing service's
 * (wallet:fund), any other a call's or lease's (wallet:hold, inference). Each service touches
 * only its own holds; organization admins may move both.
 */
export const holdScopeFor = (purpose: HoldPurpose | null | undefined): ServiceScope =>
  purpose === 'DISPUTE' ? 'wallet:fund' : 'wallet:hold';

/** FORBIDDEN unless `principal` may move holds of `purpose`; returned for shield rules. */
export function holdAccess(
  principal: Principal,
  purpose: HoldPurpose | null | undefined,
): true | Error {
  const scope = holdScopeFor(purpose);
  return hasServiceScope(principal, scope)
    ? true
    : forbidden(`Only platform services (${scope}) may move ${purpose ?? 'CALL'} holds.`);
}

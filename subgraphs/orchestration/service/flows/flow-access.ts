import { hasScope, isOrgAdmin, type Principal } from '../../../../lib/auth/principal.js';
import { forbidden, notFound } from '../../../../lib/errors.js';

/**
 * Who may do what with a team's flows and runs (decision 103), as for prompts: members of the
 * team read flows and runs; team admins (policy:admin) author flows and move labels; members
 * who may call models there (inference:invoke) run and cancel; organization admins anything. A
 * flow or run of a team the caller is not in does not exist for them (NOT_FOUND).
 */
export function visible<T extends { teamId: string }>(
  principal: Principal,
  row: T | null,
  what: string,
  id: string,
): T {
  if (!row || !(isOrgAdmin(principal) || principal.teams.some((t) => t.id === row.teamId))) {
    throw notFound(what, id);
  }
  return row;
}

export function mayAuthor(principal: Principal, teamId: string) {
  if (!hasScope(principal, 'policy:admin', teamId)) {
    throw forbidden("Only the team's admins (policy:admin) may change its flows.");
  }
}

export function mayRun(principal: Principal, teamId: string) {
  if (!hasScope(principal, 'inference:invoke', teamId)) {
    throw forbidden('Running a flow needs the inference:invoke scope in its team.');
  }
}

import { teamIdsOf, type Principal } from '../../../lib/auth/principal.js';
import { badUserInput } from '../../../lib/errors.js';
import type { GraphQLError } from 'graphql';

/**
 * Whose wallet `myWallet` reads: the team named, or else the caller's only team. A caller in
 * several teams must choose (BAD_USER_INPUT listing their team ids in `teamIds`); a caller in
 * none has no wallet of their own (BAD_USER_INPUT, `teamIds: []`). Returned, not thrown, so that
 * the shield rule can answer with it too. Whether the caller may read that wallet is the rule's
 * question (wallet:read in the team), as for `wallet(id:)`.
 */
export function ownWalletTeam(
  principal: Principal,
  teamId: string | null | undefined,
): string | GraphQLError {
  if (teamId != null) return teamId;
  const teamIds = teamIdsOf(principal);
  if (teamIds.length === 1) return teamIds[0] as string;
  if (teamIds.length === 0) {
    return badUserInput(
      'You belong to no team, so you have no wallet of your own: name a team with teamId.',
      { field: 'teamId', teamIds },
    );
  }
  return badUserInput(
    `You belong to ${teamIds.length} teams (${teamIds.join(', ')}): name the one whose wallet you want with teamId.`,
    { field: 'teamId', teamIds },
  );
}

import type { GraphQLError } from 'graphql';
import type { Principal } from '../../../lib/auth/principal.js';
import { orgAdmin, teamKey, teamUser } from '../../../test/support/identities.js';
import { teamForCall } from './inputs.js';

const TEAM_A = '00000000-0000-4000-8000-00000000000a';
const TEAM_B = '00000000-0000-4000-8000-00000000000b';

/** What teamForCall refuses with, as a client sees it. */
function refusal(principal: Principal, teamId?: string) {
  try {
    teamForCall(principal, teamId);
  } catch (error) {
    const { message, extensions } = error as GraphQLError;
    return { message, code: extensions.code, teamIds: extensions.teamIds };
  }
  throw new Error('teamForCall did not refuse');
}

describe('teamForCall', () => {
  it("charges the caller's only team that may call models", () => {
    const principal = { ...teamUser(TEAM_A, 'MEMBER') };
    principal.teams.push({ id: TEAM_B, role: 'VIEWER', scopes: ['models:read'] });
    expect(teamForCall(principal, undefined)).toBe(TEAM_A);
  });

  it('lists the teams when the caller may call models in several', () => {
    const principal = teamUser(TEAM_A, 'MEMBER');
    principal.teams.push({ id: TEAM_B, role: 'OWNER', scopes: ['inference:invoke'] });
    expect(refusal(principal)).toEqual({
      code: 'BAD_USER_INPUT',
      message: `Name the team to charge with teamId: you may call models in 2 teams (${TEAM_A}, ${TEAM_B}).`,
      teamIds: [TEAM_A, TEAM_B],
    });
  });

  it('tells an organization admin with no team that it belongs to none and must name one', () => {
    expect(refusal(orgAdmin())).toEqual({
      code: 'BAD_USER_INPUT',
      message:
        'You belong to no team: name the team to charge with teamId (your organization-wide ' +
        'rights let you charge any team).',
      teamIds: [],
    });
    expect(teamForCall(orgAdmin(), TEAM_B)).toBe(TEAM_B);
  });

  it('tells an organization admin whose teams may not call models to name one', () => {
    const admin = { ...orgAdmin(), teams: [{ id: TEAM_A, role: null, scopes: [] }] };
    expect(refusal(admin).message).toBe(
      'None of your teams lets you call models (inference:invoke): name the team to charge ' +
        'with teamId (your organization-wide rights let you charge any team).',
    );
  });

  it('says no team can be charged when the caller has none and may not name one', () => {
    const nobody = { ...teamKey(TEAM_A, ['models:read']), teams: [] };
    expect(refusal(nobody).message).toBe(
      'You belong to no team, so no team can be charged for this call.',
    );
    expect(refusal(teamKey(TEAM_A, ['models:read'])).message).toBe(
      'None of your teams lets you call models (inference:invoke), so no team can be charged ' +
        'for this call.',
    );
  });

  it('refuses a named team the caller may not call models for', () => {
    expect(refusal(teamKey(TEAM_A, ['inference:invoke']), TEAM_B)).toMatchObject({
      code: 'FORBIDDEN',
    });
  });
});

import { expectErrorCode, expectNoErrors } from '../support/graphql-client.js';
import { startStack, TEST_ADMIN_KEY, type Stack } from '../support/stack.js';
import { STORE_MODES } from '../support/test-env.js';
import { typed, type Operation } from '../support/typed-document.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';

interface Rule {
  id: string;
  effect: string;
  subject: string;
  value: string | null;
  teamId: string | null;
}
const SET = typed<{ setModelAccess: Rule }>(
  `mutation($i: ModelAccessInput!) { setModelAccess(input: $i) { id effect subject value teamId } }`,
);
const ACCESS = typed<
  { model: { id: string; access: { allowed: boolean; reason: string | null } } },
  { id: string; c?: string }
>(
  `query($id: ID!, $c: DataClassification) { model(id: $id) { id access(dataClass: $c) { allowed reason } } }`,
);

const REMOVE = `mutation($id: ID!) { removeModelAccess(id: $id) { id } }`;

describe.each(STORE_MODES)('model access rules (%s stores)', (mode) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ mode });
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  });
  const access = async (key: string, id: string, c?: string) =>
    expectNoErrors(await stack.request(ACCESS, { token: key, variables: { id, c } })).model.access;
  const admin = <D, V>(operation: Operation<D, V>, variables: V) =>
    stack.request(operation, { token: TEST_ADMIN_KEY, variables });

  it('denies by default, allows through team rules, lets DENY win, and enforces data ceilings', async () => {
    const { teamId, key } = await stack.createTeamWithKey('Governed', [
      'models:read',
      'inference:invoke',
    ]);
    expect(await access(key, 'openai/gpt-4o')).toEqual({
      allowed: false,
      reason: expect.stringMatching(/No rule grants/),
    });

    const allow = expectNoErrors(
      await admin(SET, { i: { teamId, effect: 'ALLOW', subject: 'PROVIDER', value: 'openai' } }),
    );
    expect(allow.setModelAccess).toMatchObject({
      effect: 'ALLOW',
      subject: 'PROVIDER',
      value: 'openai',
      teamId,
    });
    expect(await access(key, 'openai/gpt-4o')).toEqual({ allowed: true, reason: null });
    expect((await access(key, 'anthropic/claude-sonnet-4')).allowed).toBe(false);

    expectNoErrors(
      await admin(SET, { i: { teamId, effect: 'DENY', subject: 'TAG', value: 'flagship' } }),
    );
    expect(await access(key, 'openai/gpt-4o')).toEqual({
      allowed: false,
      reason: expect.stringMatching(/DENY TAG flagship/),
    });
    expect((await access(key, 'openai/gpt-4o-mini')).allowed).toBe(true);

    expect(await access(key, 'openai/gpt-4o-mini', 'CONFIDENTIAL')).toEqual({
      allowed: false,
      reason: expect.stringMatching(/ceiling is INTERNAL/),
    });
  });

  it('applies an org-wide default to every team, lists rules on the team, and keeps rules admin-only', async () => {
    const { teamId, key } = await stack.createTeamWithKey('Defaulted', [
      'models:read',
      'inference:invoke',
      'policy:admin',
    ]);
    const org = expectNoErrors(
      await admin(SET, { i: { effect: 'ALLOW', subject: 'TAG', value: 'local' } }),
    ).setModelAccess;
    expect(org.teamId).toBeNull();
    expect(await access(key, 'local/echo-chat', 'RESTRICTED')).toEqual({
      allowed: true,
      reason: null,
    });
    const rules = expectNoErrors(
      await stack.request<{ team: { accessRules: unknown[] } }>(
        `query($t: ID!) { team(id: $t) { accessRules { effect subject value teamId } } }`,
        {
          token: key,
          variables: { t: teamId },
        },
      ),
    ).team.accessRules;
    expect(rules).toContainEqual({ effect: 'ALLOW', subject: 'TAG', value: 'local', teamId: null });
    expectErrorCode(
      await stack.request(SET, {
        token: key,
        variables: { i: { teamId, effect: 'ALLOW', subject: 'ANY' } },
      }),
      'FORBIDDEN',
    );
    expectErrorCode(
      await admin(SET, { i: { teamId, effect: 'ALLOW', subject: 'MODEL', value: 'Not A Model' } }),
      'BAD_USER_INPUT',
    );
    const removed = expectNoErrors(
      await admin(typed<{ removeModelAccess: { id: string } }>(REMOVE), { id: org.id }),
    );
    expect(removed.removeModelAccess.id).toBe(org.id);
    expect((await access(key, 'local/echo-chat')).allowed).toBe(false);
  });

  it('tells a caller without inference:invoke that it may not use models', async () => {
    const { key } = await stack.createTeamWithKey('Readers', ['models:read']);
    expect(await access(key, 'local/echo-chat')).toEqual({
      allowed: false,
      reason: expect.stringMatching(/inference:invoke/),
    });
  });
});

import OpenAI from 'openai';
import { expectNoErrors } from '../../support/graphql-client.js';
import { openAiClient, startOpenAiStack, type OpenAiStack } from '../../support/openai-sdk.js';
import { TEST_ADMIN_KEY } from '../../support/stack.js';
import { STORE_MODES } from '../../support/test-env.js';
import {
  startTestIdentityProvider,
  type TestIdentityProvider,
} from '../../support/test-identity-provider.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';
import { typed } from '../../support/typed-document.js';

const ADD_MEMBER = typed<{ addTeamMember: unknown }>(
  `mutation($input: AddTeamMemberInput!) { addTeamMember(input: $input) { userId } }`,
);

/** /v1 takes an OIDC token as its bearer key, through the same authenticate as /graphql. */
describe.each(STORE_MODES)('/v1 with OIDC tokens (%s stores)', (mode) => {
  let s: OpenAiStack;
  let idp: TestIdentityProvider;
  const token = (sub: string, expiresIn?: string | number) => idp.token(sub, { expiresIn });

  beforeAll(async () => {
    idp = await startTestIdentityProvider();
    s = await startOpenAiStack(mode, 'OIDC SDK users', { gateway: { oidc: idp.oidc } });
    expectNoErrors(
      await s.stack.request(ADD_MEMBER, {
        token: TEST_ADMIN_KEY,
        variables: { input: { teamId: s.team.teamId, userId: 'carol', role: 'MEMBER' } },
      }),
    );
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await s?.stop();
    await idp?.close();
  });

  it('a team member signed in with OIDC calls chat and lists models', async () => {
    const client = openAiClient(s.stack.gatewayBase, await token('carol'));
    const completion = await client.chat.completions.create({
      model: s.chat.modelId,
      messages: [{ role: 'user', content: 'Hello' }],
    });
    expect(completion.choices[0]!.message.content).toBeTruthy();
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toContain(s.chat.modelId);
  });

  it('an expired token is a 401', async () => {
    const client = openAiClient(s.stack.gatewayBase, await token('carol', 0));
    const refused = await client.models.list().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
  });
});

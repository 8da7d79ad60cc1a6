import { expectErrorCode, expectNoErrors } from '../../support/graphql-client.js';
import { startStack, type Stack } from '../../support/stack.js';
import { STORE_MODES } from '../../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';
import { typed } from '../../support/typed-document.js';

const INFO = typed<{ orchestrationInfo: { service: string; since: string; callerId: string } }>(
  '{ orchestrationInfo { service since callerId } }',
);

describe.each(STORE_MODES)('the orchestration subgraph through the gateway (%s stores)', (mode) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ mode });
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  });

  it("answers a team's API key, which the gateway authenticated", async () => {
    const { key, keyId } = await stack.createTeamWithKey('Orchestration readers', ['models:read']);
    const data = expectNoErrors(await stack.request(INFO, { token: key }));
    expect(data.orchestrationInfo).toMatchObject({ service: 'orchestration' });
    expect(data.orchestrationInfo.callerId).toContain(keyId);
  });

  it('refuses a caller without credentials', async () => {
    expectErrorCode(await stack.request(INFO), 'UNAUTHENTICATED');
  });
});

import OpenAI from 'openai';
import { expectErrorCode, expectNoErrors } from '../../support/graphql-client.js';
import { GENERATE } from '../../support/inference-documents.js';
import { createCallingTeam } from '../../support/inference-setup.js';
import { openAiClient, startOpenAiStack, type OpenAiStack } from '../../support/openai-sdk.js';
import { TEST_ADMIN_KEY } from '../../support/stack.js';
import { STORE_MODES } from '../../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';
import { typed } from '../../support/typed-document.js';

const QUOTA = typed<{ setQuota: { id: string } }, { t: string; q: Record<string, number> }>(
  `mutation($t: ID!, $q: QuotaInput!) { setQuota(teamId: $t, input: $q) { id } }`,
);

const SUSPEND = typed<
  { setWalletSuspended: { suspended: boolean } },
  { w: string; suspended: boolean; reason: string }
>(
  `mutation($w: ID!, $suspended: Boolean!, $reason: String) {
    setWalletSuspended(walletId: $w, suspended: $suspended, reason: $reason) { suspended } }`,
);

const failure = (call: Promise<unknown>) =>
  call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error as InstanceType<typeof OpenAI.APIError>,
  );

/**
 * Refusals reach the openai SDK as its own typed errors, with OpenAI's statuses, error JSON and
 * headers; none of them charges anything or reaches a provider.
 */
describe.each(STORE_MODES)('/v1 errors as the openai SDK sees them (%s stores)', (mode) => {
  let s: OpenAiStack;
  beforeAll(async () => {
    s = await startOpenAiStack(mode, 'Refused SDK users');
  }, STACK_START_TIMEOUT_MS);
  afterAll(() => s?.stop());
  beforeEach(() => s.chat.emulator.reset());
  const hello = (model: string) => ({
    model,
    messages: [{ role: 'user' as const, content: 'Hello' }],
  });

  it('401 for a wrong key, in OpenAI error JSON with a request id', async () => {
    const wrong = openAiClient(s.stack.gatewayBase, `mg_${'0'.repeat(40)}`);
    const error = await failure(wrong.chat.completions.create(hello(s.chat.modelId)));
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error.headers?.get('x-request-id')).toBeTruthy();

    const bare = await fetch(`${s.stack.gatewayBase}/v1/models`);
    expect(bare.status).toBe(401);
    expect(await bare.json()).toEqual({
      error: {
        message: expect.any(String),
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    });
  });

  it('403 for a model the team may not use, 404 for one that does not exist', async () => {
    const narrow = await createCallingTeam(s.stack, {
      name: `Narrow ${mode}`,
      allow: [{ subject: 'MODEL', value: s.chat.modelId }],
    });
    const client = openAiClient(s.stack.gatewayBase, narrow.key);
    const before = await narrow.balance();
    const denied = await failure(client.chat.completions.create(hello('local/echo-chat')));
    expect(denied).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(denied).toMatchObject({ code: 'model_not_allowed', type: 'permission_error' });
    const missing = await failure(client.chat.completions.create(hello('nobody/no-model')));
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect(missing).toMatchObject({ code: 'model_not_found' });
    expect(await narrow.balance()).toEqual(before);
  });

  it('429 with Retry-After when the team is over its request rate', async () => {
    const limited = await createCallingTeam(s.stack, { name: `Limited ${mode}` });
    expectNoErrors(
      await s.stack.request(QUOTA, {
        token: TEST_ADMIN_KEY,
        variables: { t: limited.teamId, q: { requestsPerMinute: 1 } },
      }),
    );
    const client = openAiClient(s.stack.gatewayBase, limited.key);
    await client.chat.completions.create(hello(s.chat.modelId));
    const error = await failure(client.chat.completions.create(hello(s.chat.modelId)));
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error).toMatchObject({ code: 'rate_limit_exceeded', type: 'requests' });
    expect(Number(error.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(s.chat.emulator.requests).toHaveLength(1);
  });

  it('402 insufficient_quota without credits, marked not to retry; nothing charged', async () => {
    const broke = await createCallingTeam(s.stack, { name: `Broke ${mode}`, credits: '0' });
    const client = openAiClient(s.stack.gatewayBase, broke.key);
    const error = await failure(client.chat.completions.create(hello(s.chat.modelId)));
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({
      status: 402,
      code: 'insufficient_quota',
      type: 'insufficient_quota',
    });
    expect(error.headers?.get('x-should-retry')).toBe('false');
    expect(await broke.balance()).toMatchObject({ posted: '0', held: '0' });
    expect(s.chat.emulator.requests).toHaveLength(0);
  });

  it('403 wallet_suspended while the team’s wallet is suspended, in /v1 and GraphQL alike', async () => {
    const suspended = await createCallingTeam(s.stack, { name: `Suspended ${mode}` });
    const suspend = (on: boolean) =>
      s.stack
        .request(SUSPEND, {
          token: TEST_ADMIN_KEY,
          variables: { w: suspended.teamId, suspended: on, reason: 'payment disputed' },
        })
        .then(expectNoErrors);
    await suspend(true);
    const client = openAiClient(s.stack.gatewayBase, suspended.key);
    const error = await failure(client.chat.completions.create(hello(s.chat.modelId)));
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(error).toMatchObject({ code: 'wallet_suspended', type: 'permission_error' });
    expect(error.message).toContain('payment disputed');
    expect(error.headers?.get('x-should-retry')).toBe('false');

    const generated = await s.stack.request(GENERATE, {
      token: suspended.key,
      variables: { i: { model: s.chat.modelId, messages: [{ role: 'USER', content: 'Hello' }] } },
    });
    expect(expectErrorCode(generated, 'WALLET_SUSPENDED').extensions).toMatchObject({
      reason: 'payment disputed',
    });
    expect(s.chat.emulator.requests).toHaveLength(0);
    expect(await suspended.balance()).toMatchObject({ held: '0', posted: '100000000' });

    await suspend(false);
    await client.chat.completions.create(hello(s.chat.modelId));
    expect(s.chat.emulator.requests).toHaveLength(1);
  });

  it('409 idempotency_conflict when a key is reused for a different request', async () => {
    const headers = { 'Idempotency-Key': `reused-${mode}` };
    await s.client.chat.completions.create(hello(s.chat.modelId), { headers });
    const error = await failure(
      s.client.chat.completions.create(
        { ...hello(s.chat.modelId), messages: [{ role: 'user', content: 'Something else' }] },
        { headers },
      ),
    );
    expect(error).toBeInstanceOf(OpenAI.ConflictError);
    expect(error).toMatchObject({ code: 'idempotency_conflict' });
    expect(s.chat.emulator.requests).toHaveLength(1);
  });

  it('400 for a malformed body, 413 past the body limit, 404 for an unknown /v1 path', async () => {
    const post = (path: string, body: string) =>
      fetch(`${s.stack.gatewayBase}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.team.key}`, 'content-type': 'application/json' },
        body,
      });
    const bad = await post('/v1/chat/completions', '{"model": ');
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatchObject({ type: 'invalid_request_error' });
    const noMessages = await post('/v1/chat/completions', JSON.stringify({ model: 'x' }));
    expect((await noMessages.json()).error).toMatchObject({ param: 'messages' });
    const huge = await post(
      '/v1/embeddings',
      JSON.stringify({ model: 'x', input: 'a'.repeat(2 * 1024 * 1024) }),
    );
    expect(huge.status).toBe(413);
    const unknown = await post('/v1/completions', '{}');
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toMatchObject({ code: 'unknown_url' });
  });
});

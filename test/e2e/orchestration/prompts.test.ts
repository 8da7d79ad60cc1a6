import { createKeyAs } from '../../support/api-keys.js';
import { eventually } from '../../support/eventually.js';
import {
  expectErrorCode,
  expectNoErrors,
  type GraphQLResponse,
} from '../../support/graphql-client.js';
import { createCallingTeam, type CallingTeam } from '../../support/inference-setup.js';
import { startOpenAiStack, type OpenAiStack } from '../../support/openai-sdk.js';
import {
  CREATE_PROMPT,
  CREATE_VERSION,
  GENERATE_WITH_PROMPT,
  PROMPT,
  PROMPT_AUDIT,
  PROMPTS,
  RENDER,
  SET_LABEL,
  type PromptMessage,
} from '../../support/prompt-documents.js';
import { TEST_ADMIN_KEY } from '../../support/stack.js';
import { STORE_MODES } from '../../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';

const VARIABLES = {
  type: 'object',
  properties: {
    customer: {
      type: 'object',
      properties: { name: { type: 'string', minLength: 1 } },
      required: ['name'],
    },
    topic: { type: 'string' },
  },
  required: ['customer', 'topic'],
  additionalProperties: false,
};

let defaultModel = '';
const versionInput = (promptId: string, system: string, key?: string) => ({
  promptId,
  defaultModel,
  messages: [
    { role: 'SYSTEM', content: system },
    {
      role: 'USER',
      content: 'Hello, I am {{ customer.name }}. Tell me about {{topic}}. \\{{raw}}',
    },
  ],
  variables: VARIABLES,
  parameters: { temperature: 0.5, maxTokens: 64 },
  ...(key ? { idempotencyKey: key } : {}),
});

const VALUES = { customer: { name: 'Ada' }, topic: 'engines' };

/** What a rendered message becomes on the OpenAI wire. */
const onTheWire = (messages: PromptMessage[]) =>
  messages.map((m) => ({ role: m.role.toLowerCase(), content: m.content }));

const extensionsOf = (response: GraphQLResponse<unknown>) => response.body.errors?.[0]?.extensions;

/**
 * Issue 17, prompts: team prompt templates with immutable numbered versions and movable labels,
 * rendered for a preview or for `generate` and /v1, which then run the one paid saga.
 */
describe.each(STORE_MODES)('team prompts end to end (%s stores)', (mode) => {
  let s: OpenAiStack;
  let teamAdmin: string;
  let other: CallingTeam;
  let promptId: string;

  beforeAll(async () => {
    s = await startOpenAiStack(mode, 'Prompt writers');
    defaultModel = s.chat.modelId;
    teamAdmin = (
      await createKeyAs(s.stack, TEST_ADMIN_KEY, {
        teamId: s.team.teamId,
        scopes: ['models:read', 'inference:invoke', 'wallet:read', 'policy:admin'],
        name: 'prompt admin',
      })
    ).secret;
    other = await createCallingTeam(s.stack, { name: 'Prompt outsiders' });
    const created = expectNoErrors(
      await s.stack.request(CREATE_PROMPT, {
        token: teamAdmin,
        variables: { input: { teamId: s.team.teamId, name: 'support-reply' } },
      }),
    );
    promptId = created.createPrompt.id;
  }, STACK_START_TIMEOUT_MS);
  afterAll(() => s?.stop());
  beforeEach(() => s.chat.emulator.reset());

  const as = (token: string) => ({
    createVersion: (input: Record<string, unknown>) =>
      s.stack.request(CREATE_VERSION, { token, variables: { input } }),
    setLabel: (name: string, version: number) =>
      s.stack.request(SET_LABEL, { token, variables: { input: { promptId, name, version } } }),
    render: (ref: { version?: number; label?: string }, variables: unknown = VALUES) =>
      s.stack.request(RENDER, { token, variables: { ref: { promptId, ...ref }, variables } }),
    generate: (prompt: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      s.stack.request(GENERATE_WITH_PROMPT, {
        token,
        variables: { input: { model: s.chat.modelId, prompt: { promptId, ...prompt }, ...extra } },
      }),
  });

  it('numbers versions 1..n, keeps them as created, and replays an idempotent retry', async () => {
    const admin = as(teamAdmin);
    const v1 = expectNoErrors(await admin.createVersion(versionInput(promptId, 'Be kind.', 'v1')));
    expect(v1.createPromptVersion).toMatchObject({
      number: 1,
      createdBy: expect.stringMatching(/^key:/),
    });
    const v2 = expectNoErrors(await admin.createVersion(versionInput(promptId, 'Be brief.', 'v2')));
    expect(v2.createPromptVersion.number).toBe(2);
    // The same key and content: the version first created, not a third.
    const again = expectNoErrors(
      await admin.createVersion(versionInput(promptId, 'Be kind.', 'v1')),
    );
    expect(again.createPromptVersion.number).toBe(1);
    expectErrorCode(
      await admin.createVersion(versionInput(promptId, 'Be rude.', 'v1')),
      'IDEMPOTENCY_CONFLICT',
    );
    // A member of the team reads but does not write.
    expectErrorCode(await as(s.team.key).createVersion(versionInput(promptId, 'x')), 'FORBIDDEN');
    const read = expectNoErrors(
      await s.stack.request(PROMPT, { token: s.team.key, variables: { id: promptId } }),
    ).prompt!;
    expect(read.versions.totalCount).toBe(2);
    expect(read.versions.edges.map((e) => e.node.number)).toEqual([2, 1]);
    expect(read.latest).toEqual({ number: 2 });
    expect(read.version!.messages[0]).toEqual({ role: 'SYSTEM', content: 'Be kind.' });
    // A template that would not render is refused when the version is made, with where.
    const bad = await admin.createVersion({
      promptId,
      messages: [{ role: 'USER', content: 'Hi {{ 1 + 1 }}' }],
    });
    expectErrorCode(bad, 'BAD_USER_INPUT');
    expect(extensionsOf(bad)).toMatchObject({ messageIndex: 0, offset: 3 });
    const undeclared = await admin.createVersion({
      promptId,
      messages: [{ role: 'USER', content: '{{who}}' }],
    });
    expect(extensionsOf(undeclared)).toMatchObject({ code: 'BAD_USER_INPUT', undeclared: ['who'] });
  });

  it('sends what the preview renders; a moved label changes the next call; both are recorded', async () => {
    const admin = as(teamAdmin);
    const member = as(s.team.key);
    expectNoErrors(await admin.setLabel('production', 1));
    const preview = expectNoErrors(await member.render({ label: 'production' })).renderPrompt;
    expect(preview).toMatchObject({ promptId, version: 1, parameters: { maxTokens: 64 } });
    expect(preview.messages[1]!.content).toBe('Hello, I am Ada. Tell me about engines. {{raw}}');

    const first = expectNoErrors(
      await member.generate({ label: 'production', variables: VALUES }),
    ).generate;
    expect(first.prompt).toEqual({ promptId, version: 1 });
    const sent = s.chat.emulator.requests.at(-1)!.body!;
    expect(sent.messages).toEqual(onTheWire(preview.messages));
    expect(sent).toMatchObject({ temperature: 0.5 });

    const moved = expectNoErrors(await admin.setLabel('production', 2)).setPromptLabel;
    expect(moved).toEqual({ name: 'production', version: 2, promptVersion: { number: 2 } });
    const second = expectNoErrors(
      await member.generate({ label: 'production', variables: VALUES }),
    ).generate;
    expect(second.prompt).toEqual({ promptId, version: 2 });
    const v2 = expectNoErrors(await member.render({ version: 2 })).renderPrompt;
    expect(s.chat.emulator.requests.at(-1)!.body!.messages).toEqual(onTheWire(v2.messages));
    expect(v2.messages[0]!.content).toBe('Be brief.');

    const recorded = await eventually(
      'both usage records written',
      async () => {
        const { rows } = await s.stack.dbs.inference.query<{
          call_id: string;
          prompt_id: string;
          prompt_version: number;
        }>('SELECT call_id, prompt_id, prompt_version FROM usage_records WHERE call_id = ANY($1)', [
          [first.id, second.id],
        ]);
        return rows.length === 2 ? rows : undefined;
      },
      { timeoutMs: 10_000 },
    );
    expect(
      Object.fromEntries(recorded.map((r) => [r.call_id, [r.prompt_id, Number(r.prompt_version)]])),
    ).toEqual({ [first.id]: [promptId, 1], [second.id]: [promptId, 2] });
  });

  it('refuses variables that fail the schema with the failing path, before any model call', async () => {
    const member = as(s.team.key);
    const wrong = { customer: { name: '' }, topic: 'engines' };
    const preview = await member.render({ version: 1 }, wrong);
    expectErrorCode(preview, 'BAD_USER_INPUT');
    expect(extensionsOf(preview)).toMatchObject({ field: 'variables', path: '/customer/name' });
    const call = await member.generate({ version: 1, variables: { topic: 'engines' } });
    expectErrorCode(call, 'BAD_USER_INPUT');
    expect(extensionsOf(call)).toMatchObject({ path: '/customer' });
    expect(s.chat.emulator.requests).toHaveLength(0);
    // Exactly one of messages and prompt.
    const both = await member.generate(
      { version: 1, variables: VALUES },
      { messages: [{ role: 'USER', content: 'hi' }] },
    );
    expectErrorCode(both, 'BAD_USER_INPUT');
    expectErrorCode(await member.generate({ variables: VALUES }), 'BAD_USER_INPUT');
  });

  it("keeps a team's prompts from every other team", async () => {
    const outsider = as(other.key);
    const read = expectNoErrors(
      await s.stack.request(PROMPT, { token: other.key, variables: { id: promptId } }),
    );
    expect(read.prompt).toBeNull();
    expectErrorCode(await outsider.render({ version: 1 }), 'NOT_FOUND');
    // Charged to its own team, whose prompt it is not: it does not exist for the call.
    expectErrorCode(await outsider.generate({ version: 1, variables: VALUES }), 'NOT_FOUND');
    // Naming the prompt's team to charge is refused before anything else.
    expectErrorCode(
      await outsider.generate({ version: 1, variables: VALUES }, { teamId: s.team.teamId }),
      'FORBIDDEN',
    );
    expectErrorCode(await outsider.setLabel('production', 1), 'NOT_FOUND');
    expectErrorCode(
      await s.stack.request(PROMPTS, { token: other.key, variables: { teamId: s.team.teamId } }),
      'FORBIDDEN',
    );
    expect(s.chat.emulator.requests).toHaveLength(0);
    const own = expectNoErrors(
      await s.stack.request(PROMPTS, { token: s.team.key, variables: { teamId: s.team.teamId } }),
    );
    expect(own.prompts.edges.map((e) => e.node.name)).toEqual(['support-reply']);
  });

  it('writes version creations and label moves to the team audit log', async () => {
    const events = expectNoErrors(
      await s.stack.request(PROMPT_AUDIT, {
        token: TEST_ADMIN_KEY,
        variables: { team: s.team.teamId },
      }),
    ).auditLog.edges.map((e) => ({ ...e.node, details: JSON.parse(e.node.details) }));
    const moves = events.filter((e) => e.action === 'PROMPT_LABEL_MOVED');
    const versions = events.filter((e) => e.action === 'PROMPT_VERSION_CREATED');
    expect(versions.map((e) => e.details.version).sort()).toEqual([1, 2]);
    expect(moves.map((e) => [e.details.from, e.details.to])).toEqual(
      expect.arrayContaining([
        [null, 1],
        [1, 2],
      ]),
    );
    for (const event of events) {
      expect(event).toMatchObject({ actor: 'service:orchestration', targetId: promptId });
      expect(event.details.by).toMatch(/^key:/);
    }
  });

  it('serves /v1/chat/completions with a prompt reference through the openai SDK', async () => {
    const body = {
      model: '',
      messages: [],
      prompt: { id: promptId, label: 'production', variables: VALUES },
    };
    const { data, response } = await s.client.chat.completions
      // The extension field is not in the SDK's types; the SDK sends the body as it is given.
      .create(
        body as unknown as Parameters<typeof s.client.chat.completions.create>[0] & {
          stream?: false;
        },
      )
      .withResponse();
    expect(data.model).toBe(s.chat.modelId);
    expect(data.choices[0]!.message.content).toBeTruthy();
    const v2 = expectNoErrors(await as(s.team.key).render({ version: 2 })).renderPrompt;
    expect(s.chat.emulator.requests.at(-1)!.body!.messages).toEqual(onTheWire(v2.messages));
    const generationId = response.headers.get('x-modelgraph-generation-id');
    const record = await eventually(
      'the usage record written',
      async () => {
        const { rows } = await s.stack.dbs.inference.query<{
          prompt_id: string;
          prompt_version: number;
        }>('SELECT prompt_id, prompt_version FROM usage_records WHERE call_id = $1', [
          generationId,
        ]);
        return rows[0];
      },
      { timeoutMs: 10_000 },
    );
    expect([record.prompt_id, Number(record.prompt_version)]).toEqual([promptId, 2]);
    // Streamed: the same rendering, and the stream's usage record carries the version too.
    s.chat.emulator.reset();
    const stream = await s.client.chat.completions.create({
      ...body,
      stream: true,
    } as unknown as Parameters<typeof s.client.chat.completions.create>[0] & { stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBeTruthy();
    expect(s.chat.emulator.requests.at(-1)!.body!.messages).toEqual(onTheWire(v2.messages));
    const streamed = await eventually(
      'the stream usage record written',
      async () => {
        const { rows } = await s.stack.dbs.inference.query<{ prompt_version: number }>(
          `SELECT prompt_version FROM usage_records WHERE kind = 'STREAM' AND prompt_id = $1`,
          [promptId],
        );
        return rows[0];
      },
      { timeoutMs: 10_000 },
    );
    expect(Number(streamed.prompt_version)).toBe(2);
    // Invalid variables come back as OpenAI's 400, naming the parameter.
    await expect(
      s.client.chat.completions.create({
        ...body,
        prompt: { id: promptId, label: 'production', variables: { topic: 1 } },
      } as unknown as Parameters<typeof s.client.chat.completions.create>[0] & { stream?: false }),
    ).rejects.toMatchObject({ status: 400 });
  });
});

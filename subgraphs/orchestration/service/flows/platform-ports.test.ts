import type { Principal } from '../../../../lib/auth/principal.js';
import type {
  GenerateRequest,
  InferenceClient,
  ModelCaller,
} from '../../clients/inference-client.js';
import type { ModelPrices } from '../../clients/model-prices.js';
import type { RunRow } from '../../store/run-store.js';
import { collectionsRead, higher } from './data-class.js';
import type { StepCall } from './flow-ports.js';
import { createPlatformPorts } from './platform-ports.js';

const creator: Principal = {
  id: 'key:member',
  kind: 'API_KEY',
  orgId: 'default',
  roles: [],
  scopes: [],
  teams: [{ id: 'team-1', role: 'MEMBER', scopes: ['inference:invoke'] }],
} as unknown as Principal;

const run = {
  id: 'run-1',
  teamId: 'team-1',
  dataClass: 'CONFIDENTIAL',
  holdId: 'hold-1',
  creator,
} as unknown as RunRow & { holdId: string };

/** A call that records what it reserved. */
const stepCall = (reserved: bigint[]): StepCall => ({
  path: 'answer',
  idempotencyKey: 'run-1:answer',
  signal: new AbortController().signal,
  reserve: (worst) => {
    reserved.push(worst);
  },
});

describe('flow steps over the platform', () => {
  const sent: Array<{ caller: ModelCaller; input: GenerateRequest }> = [];
  const inference = {
    generate: async (caller: ModelCaller, input: GenerateRequest) => {
      sent.push({ caller, input });
      return {
        id: 'gen-1',
        text: 'hello',
        model: { id: 'chat' },
        usage: { inputTokens: 5, outputTokens: 3 },
        cost: '11',
        prompt: input.prompt ? { promptId: input.prompt.promptId, version: 2 } : null,
      };
    },
  } as unknown as InferenceClient;
  // A route of two models: the dearest input (3) and output (5) prices bound the step.
  const prices = {
    boundOf: async () => ({
      inputPerMillion: 3_000_000n,
      outputPerMillion: 5_000_000n,
      maxOutputTokens: 64,
    }),
  } as unknown as ModelPrices;
  const ports = createPlatformPorts(
    {
      inference: () => inference,
      prices,
      renderPrompt: async () => ({
        promptId: 'p-1',
        version: 2,
        messages: [{ role: 'USER', content: 'abcd' }],
        model: 'chat',
        parameters: { maxTokens: 10 },
        tools: null,
        responseFormat: null,
      }),
    },
    run,
  );

  beforeEach(() => sent.splice(0));

  it('reserves the worst case, then calls inference for the creator, paid from the hold', async () => {
    const reserved: bigint[] = [];
    const result = await ports.generate(
      { model: 'chat', messages: [{ role: 'USER', content: 'hi' }], maxTokens: 16 },
      stepCall(reserved),
    );
    // (32 chat framing + 2 bytes + 8 message framing) × 3 + 16 × 5
    expect(reserved).toEqual([42n * 3n + 16n * 5n]);
    expect(sent).toEqual([
      {
        caller: { principal: creator, teamId: 'team-1', requestId: 'run-1:answer' },
        input: expect.objectContaining({
          model: 'chat',
          dataClass: 'CONFIDENTIAL',
          idempotencyKey: 'run-1:answer',
          flowStep: { holdId: 'hold-1', stepKey: 'run-1:answer' },
        }),
      },
    ]);
    expect(result).toEqual({
      output: { text: 'hello', model: 'chat', generationId: 'gen-1' },
      cost: 11n,
      inputTokens: 5,
      outputTokens: 3,
    });
  });

  it('without maxTokens, sizes for 1,024 tokens or the models’ limit if lower', async () => {
    const reserved: bigint[] = [];
    await ports.generate(
      { model: 'chat', messages: [{ role: 'USER', content: 'hi' }] },
      stepCall(reserved),
    );
    expect(reserved).toEqual([42n * 3n + 64n * 5n]);
  });

  it('sizes a prompt step by its rendering and sends the version rendered', async () => {
    const reserved: bigint[] = [];
    const result = await ports.prompt(
      { prompt: { id: 'p-1', label: 'production' }, variables: { topic: 'x' } },
      stepCall(reserved),
    );
    expect(reserved).toEqual([(32n + 4n + 8n) * 3n + 10n * 5n]);
    expect(sent[0]!.input).toMatchObject({
      model: 'chat',
      prompt: { promptId: 'p-1', version: 2, variables: { topic: 'x' } },
      maxTokens: 10,
    });
    expect(result.output).toMatchObject({ prompt: { promptId: 'p-1', version: 2 } });
  });

  it('refuses a retrieve step when no collections service is there', async () => {
    await expect(
      ports.retrieve({ collection: 'c', query: 'q', topK: 3, filter: {} }, stepCall([])),
    ).rejects.toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
  });

  it('reserves a retrieve step as the embedding of its query, and pays the search from the hold', async () => {
    const searched: unknown[] = [];
    const withCollections = createPlatformPorts(
      {
        inference: () => inference,
        prices,
        renderPrompt: async () => {
          throw new Error('not used');
        },
        collections: {
          dataClassOf: async () => 'INTERNAL',
          embeddingModelOf: async (teamId, id) => `${teamId}/${id}/embedder`,
          search: async (caller, id, query) => {
            searched.push({ teamId: caller.teamId, id, query });
            return { matches: [], cost: 7n, inputTokens: 4 };
          },
        },
      },
      run,
    );
    const reserved: bigint[] = [];
    const result = await withCollections.retrieve(
      { collection: 'docs', query: 'abcd', topK: 3, filter: {} },
      stepCall(reserved),
    );
    // "abcd": 4 bytes, at most 4 tokens (plus the embedding bound's own margin) at 3 µcr each.
    expect(reserved).toHaveLength(1);
    expect(reserved[0]).toBeGreaterThanOrEqual(12n);
    expect(searched).toEqual([
      {
        teamId: 'team-1',
        id: 'docs',
        query: expect.objectContaining({
          text: 'abcd',
          topK: 3,
          flowStep: { holdId: 'hold-1', stepKey: 'run-1:answer' },
        }),
      },
    ]);
    expect(result).toMatchObject({ output: { chunks: [] }, cost: 7n, inputTokens: 4 });
  });
});

describe('a run’s data class', () => {
  it('is the higher of two', () => {
    expect(higher('INTERNAL', 'RESTRICTED')).toBe('RESTRICTED');
    expect(higher('CONFIDENTIAL', 'PUBLIC')).toBe('CONFIDENTIAL');
  });

  it('reads every collection a definition retrieves from, nested steps included', () => {
    expect(
      collectionsRead({
        inputs: {},
        steps: [
          { id: 'a', kind: 'retrieve', collection: 'docs', query: '"q"' },
          {
            id: 'b',
            kind: 'branch',
            cases: [
              {
                when: 'true',
                steps: [{ id: 'c', kind: 'retrieve', collection: 'hr', query: '"q"' }],
              },
            ],
            otherwise: [
              {
                id: 'm',
                kind: 'map',
                over: '[1]',
                steps: [{ id: 'd', kind: 'retrieve', collection: 'docs', query: '"q"' }],
              },
            ],
          },
        ],
      }).sort(),
    ).toEqual(['docs', 'hr']);
  });
});

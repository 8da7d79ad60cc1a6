import { createKeyAs } from '../../support/api-keys.js';
import { CREATE_COLLECTION, INGEST } from '../../support/collection-documents.js';
import { RUN_FLOW } from '../../support/flow-documents.js';
import { createFlowWith, runHold, runWhen, sumOfSteps } from '../../support/flow-runs.js';
import { expectNoErrors } from '../../support/graphql-client.js';
import { startOpenAiStack, type OpenAiStack } from '../../support/openai-sdk.js';
import { TEST_ADMIN_KEY } from '../../support/stack.js';
import { STORE_MODES } from '../../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';

/** Three documents far apart in words, so the hashing embedding model ranks them plainly. */
const CORPUS = [
  {
    key: 'accounts.md',
    title: 'Accounts',
    format: 'MARKDOWN',
    content: `# Accounts

## Password reset

To reset a forgotten password, open the sign-in page and choose "Forgot password". We email a
reset link that expires after one hour.`,
  },
  {
    key: 'shipping.md',
    title: 'Shipping',
    format: 'MARKDOWN',
    content: `# Shipping

Parcels leave our warehouse within two business days; express delivery arrives the next day.`,
  },
  {
    key: 'garden.md',
    title: 'Garden',
    format: 'TEXT',
    content: 'Tomatoes want full sun, deep watering twice a week and a stake once they flower.',
  },
];

/** Retrieve the question's best chunks, then answer from them: the platform's RAG in one flow. */
const ragFlow = (collectionId: string, chatModel: string) => ({
  inputs: {
    type: 'object',
    properties: { question: { type: 'string' } },
    required: ['question'],
  },
  steps: [
    { id: 'find', kind: 'retrieve', collection: collectionId, query: 'inputs.question', topK: 2 },
    {
      id: 'answer',
      kind: 'generate',
      model: chatModel,
      maxTokens: 32,
      messages: [
        {
          role: 'SYSTEM',
          content:
            '"Answer from this context only:\\n" & $join(steps.find.chunks.text, "\\n---\\n")',
        },
        { role: 'USER', content: 'inputs.question' },
      ],
    },
  ],
  output: '{ "answer": steps.answer.text, "sources": [steps.find.chunks.documentTitle] }',
});

/**
 * Issue 17's retrieval-augmented flow end to end: a corpus ingested through the paid embed path,
 * a flow whose retrieve step finds the right chunks and whose generate step is sent them, the
 * run's cost the sum of its steps' captures from one FLOW_RUN hold; and a RESTRICTED collection
 * making the whole run RESTRICTED, so the chat model (ceiling CONFIDENTIAL) is never called.
 */
describe.each(STORE_MODES)('a retrieval-augmented flow (%s stores)', (mode) => {
  let s: OpenAiStack;
  let admin: string;

  beforeAll(async () => {
    s = await startOpenAiStack(mode, 'RAG team');
    admin = (
      await createKeyAs(s.stack, TEST_ADMIN_KEY, {
        teamId: s.team.teamId,
        scopes: ['models:read', 'inference:invoke', 'wallet:read', 'policy:admin'],
        name: 'rag admin',
      })
    ).secret;
  }, STACK_START_TIMEOUT_MS);
  afterAll(() => s?.stop());
  beforeEach(() => s.chat.emulator.reset());

  async function collectionOf(name: string, dataClass: string) {
    const { createCollection } = expectNoErrors(
      await s.stack.request(CREATE_COLLECTION, {
        token: admin,
        variables: {
          input: {
            teamId: s.team.teamId,
            name,
            embeddingModel: 'local/hash-embed',
            dataClass,
            chunking: { maxChars: 200, overlapChars: 40 },
          },
        },
      }),
    );
    expectNoErrors(
      await s.stack.request(INGEST, {
        token: s.team.key,
        variables: { id: createCollection.id, documents: CORPUS },
      }),
    );
    return createCollection.id as string;
  }

  const run = async (flowId: string, question: string) => {
    const { runFlow } = expectNoErrors(
      await s.stack.request(RUN_FLOW, {
        token: s.team.key,
        variables: { input: { flowId, inputs: { question }, maxCost: '1000000' } },
      }),
    );
    return runWhen(s.stack, s.team.key, runFlow.id);
  };

  it('answers from the chunks it retrieved, and costs exactly what its steps were charged', async () => {
    const collectionId = await collectionOf('handbook', 'INTERNAL');
    const flowId = await createFlowWith(
      s.stack,
      admin,
      s.team.teamId,
      'ask the handbook',
      ragFlow(collectionId, s.chat.modelId),
    );
    const before = await s.team.settledBalance();
    const ended = await run(flowId, 'How do I reset a forgotten password?');

    expect(ended).toMatchObject({ status: 'SUCCEEDED', dataClass: 'INTERNAL' });
    const [find, answer] = ended.steps;
    expect(find).toMatchObject({ path: 'find', kind: 'retrieve', status: 'SUCCEEDED' });
    expect(answer).toMatchObject({ path: 'answer', kind: 'generate', status: 'SUCCEEDED' });
    // The best chunk is the password section; the model was sent it as its context.
    const chunks = (find!.output as { chunks: Array<{ documentTitle: string; text: string }> })
      .chunks;
    expect(chunks[0]!.documentTitle).toBe('Accounts');
    expect(chunks[0]!.text).toContain('Forgot password');
    expect((ended.output as { sources: string[] }).sources[0]).toBe('Accounts');
    const sent = s.chat.emulator.requests[0]!.body!.messages as Array<{ content: string }>;
    expect(sent[0]!.content).toContain('Forgot password');
    expect(sent[0]!.content).not.toContain('Tomatoes');
    expect(sent[1]!.content).toBe('How do I reset a forgotten password?');

    // Both steps were paid (the query's embedding and the chat), from the run's one hold.
    expect(BigInt(find!.cost)).toBeGreaterThan(0n);
    expect(BigInt(answer!.cost)).toBe(BigInt(answer!.inputTokens + 2 * answer!.outputTokens));
    expect(BigInt(ended.cost)).toBe(sumOfSteps(ended));
    expect(await runHold(s.stack, s.team.teamId, ended.id)).toMatchObject({
      status: 'VOIDED',
      spentAmount: ended.cost,
    });
    const after = await s.team.settledBalance();
    expect(BigInt(before.available) - BigInt(after.available)).toBe(BigInt(ended.cost));
  });

  it('makes a run that reads a RESTRICTED collection RESTRICTED, refusing a model with a lower ceiling', async () => {
    const collectionId = await collectionOf('secrets', 'RESTRICTED');
    const flowId = await createFlowWith(
      s.stack,
      admin,
      s.team.teamId,
      'ask the secrets',
      ragFlow(collectionId, s.chat.modelId),
    );
    const ended = await run(flowId, 'How do I reset a forgotten password?');

    expect(ended).toMatchObject({
      status: 'FAILED',
      dataClass: 'RESTRICTED',
      error: { code: 'MODEL_NOT_ALLOWED' },
    });
    expect(ended.steps.find((x) => x.path === 'answer')).toMatchObject({
      status: 'FAILED',
      cost: '0',
    });
    // The restricted text never left for the CONFIDENTIAL model.
    expect(s.chat.emulator.requests).toHaveLength(0);
    expect(BigInt(ended.cost)).toBe(sumOfSteps(ended));
  });
});

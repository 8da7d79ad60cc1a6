import { createCallingTeam } from '../../support/inference-setup.js';
import { watchMoney } from '../../support/money-probe.js';
import { openAiClient, startOpenAiStack, type OpenAiStack } from '../../support/openai-sdk.js';
import { emulatorEmbedding } from '../../support/provider-emulators.js';
import { STORE_MODES } from '../../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';

/** A base64 embedding as OpenAI encodes it: little-endian float32. */
const decode = (text: string) => {
  const bytes = Buffer.from(text, 'base64');
  return Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
};

/**
 * Embeddings (float and base64) and the model list through the openai SDK: the same `embed` and
 * catalog operations, what the caller's team may use only.
 */
describe.each(STORE_MODES)('/v1 embeddings and models with the openai SDK (%s stores)', (mode) => {
  let s: OpenAiStack;
  beforeAll(async () => {
    s = await startOpenAiStack(mode, 'Embedding SDK users');
  }, STACK_START_TIMEOUT_MS);
  afterAll(() => s?.stop());

  it('embeds a string and an array as floats, and charges the tokens', async () => {
    const money = await watchMoney(s.stack, s.team, [s.embedder.modelId]);
    const texts = ['first text here', 'second one'];
    const result = await s.client.embeddings.create({
      model: s.embedder.modelId,
      input: texts,
      encoding_format: 'float',
    });
    expect(result).toMatchObject({ object: 'list', model: s.embedder.modelId });
    expect(result.data).toEqual(
      texts.map((text, index) => ({
        object: 'embedding',
        index,
        // The platform keeps vectors as float32.
        embedding: emulatorEmbedding(text, 8).map(Math.fround),
      })),
    );
    expect(result.usage.prompt_tokens).toBeGreaterThan(0);
    expect(result.usage.total_tokens).toBe(result.usage.prompt_tokens);
    await money.expectAgrees(BigInt(result.usage.prompt_tokens));

    const single = await s.client.embeddings.create({
      model: s.embedder.modelId,
      input: 'first text here',
      encoding_format: 'float',
    });
    expect(single.data.map((d) => d.embedding)).toEqual([
      emulatorEmbedding('first text here', 8).map(Math.fround),
    ]);
  });

  it('encodes base64 as OpenAI does: little-endian float32 that decodes to the floats', async () => {
    const text = 'encode me';
    const float32 = emulatorEmbedding(text, 8).map(Math.fround);
    const raw = await s.client.embeddings.create({
      model: s.embedder.modelId,
      input: text,
      encoding_format: 'base64',
    });
    expect(typeof raw.data[0]!.embedding).toBe('string');
    expect(decode(raw.data[0]!.embedding as unknown as string)).toEqual(float32);
    // Without encoding_format the SDK asks for base64 itself and decodes it.
    const decoded = await s.client.embeddings.create({ model: s.embedder.modelId, input: text });
    expect(decoded.data[0]!.embedding).toEqual(float32);
  });

  it('refuses token arrays and a dimensions the model does not make, before any call', async () => {
    s.embedder.emulator.reset();
    const tokens = await s.client.embeddings
      .create({ model: s.embedder.modelId, input: [[1, 2, 3]] })
      .catch((error: unknown) => error);
    expect(tokens).toMatchObject({ status: 400, param: 'input' });
    const dimensions = await s.client.embeddings
      .create({ model: s.embedder.modelId, input: 'x', dimensions: 4 })
      .catch((error: unknown) => error);
    expect(dimensions).toMatchObject({ status: 400, param: 'dimensions' });
    const same = await s.client.embeddings.create({
      model: s.embedder.modelId,
      input: 'eight dims',
      dimensions: 8,
      encoding_format: 'float',
    });
    expect(same.data[0]!.embedding).toHaveLength(8);
    expect(s.embedder.emulator.requests).toHaveLength(1);
  });

  it('lists and retrieves the models and aliases the team may use; others are 404 model_not_found', async () => {
    const listed = [];
    for await (const model of s.client.models.list()) listed.push(model);
    const ids = listed.map((m) => m.id);
    expect(ids).toEqual(
      expect.arrayContaining([s.chat.modelId, s.embedder.modelId, 'local/echo-chat']),
    );
    expect(listed.find((m) => m.id === 'local/echo-chat')).toEqual({
      id: 'local/echo-chat',
      object: 'model',
      created: expect.any(Number),
      owned_by: 'local',
    });
    // Routing aliases are called like models, so they are listed and retrieved like them.
    expect(listed.find((m) => m.id === 'demo-chat')).toEqual({
      id: 'demo-chat',
      object: 'model',
      created: expect.any(Number),
      owned_by: 'modelgraph',
    });
    expect(await s.client.models.retrieve('demo-chat')).toMatchObject({
      id: 'demo-chat',
      owned_by: 'modelgraph',
    });

    // The SDK sends the id's slash as it is; other clients encode it.
    expect(await s.client.models.retrieve('local/echo-chat')).toMatchObject({
      id: 'local/echo-chat',
      object: 'model',
    });
    const encoded = await fetch(`${s.stack.gatewayBase}/v1/models/local%2Fecho-chat`, {
      headers: { authorization: `Bearer ${s.team.key}` },
    });
    expect(encoded.status).toBe(200);
    expect(await encoded.json()).toMatchObject({ id: 'local/echo-chat' });

    const narrow = await createCallingTeam(s.stack, {
      name: `Narrow ${mode}`,
      allow: [{ subject: 'MODEL', value: s.chat.modelId }],
    });
    const narrowClient = openAiClient(s.stack.gatewayBase, narrow.key);
    const narrowList = [];
    for await (const model of narrowClient.models.list()) narrowList.push(model.id);
    expect(narrowList).toEqual([s.chat.modelId]);
    // demo-chat routes only to local/echo-chat, which this team may not use.
    for (const id of [
      'local/echo-chat',
      'nobody/no-such-model',
      'demo-chat',
      'no-such-alias',
      'GPT-4',
    ]) {
      const refused = await narrowClient.models.retrieve(id).catch((error: unknown) => error);
      expect(refused).toMatchObject({ status: 404, code: 'model_not_found' });
    }
  });
});

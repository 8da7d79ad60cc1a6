import type {
  PriceInput,
  RegisterModelInput,
  UpdateModelInput,
} from '../generated/resolvers-types.js';
import type { ModelRow } from '../store/model-rows.js';
import { MODEL_ROW_TIME, modelRow } from '../../../test/support/model-row.js';
import { badInput, thrownBy } from '../../../test/support/thrown.js';
import { assertModelId, checkPrice, checkRegisterModel, checkUpdateModel } from './validation.js';

const NOW = MODEL_ROW_TIME;
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);
const price: PriceInput = { inputPerMillion: 100n, outputPerMillion: 200n };

const chatInput = (over: Partial<RegisterModelInput> = {}): RegisterModelInput => ({
  id: 'acme/chat-1',
  providerId: 'acme',
  displayName: 'Chat 1',
  capabilities: ['CHAT'],
  contextWindow: 8192,
  maxOutputTokens: 1024,
  price,
  ...over,
});

describe('assertModelId', () => {
  it.each(['local/echo-chat', 'openai/gpt-4o-mini', 'ab/x', 'anthropic/claude-3.5:beta_1'])(
    'accepts %s',
    (id) => expect(() => assertModelId(id)).not.toThrow(),
  );

  it.each([
    ['no slash', 'echo-chat'],
    ['uppercase', 'Local/echo'],
    ['space', 'BAD ID'],
    ['one-letter provider', 'a/model'],
    ['provider starting with a digit', '1ab/model'],
    ['empty name', 'local/'],
    ['name starting with a dot', 'local/.hidden'],
    ['two slashes', 'local/a/b'],
    ['name of 101 characters', `local/${'a'.repeat(101)}`],
  ])('rejects %s', (_case, id) => {
    expect(thrownBy(() => assertModelId(id))).toMatchObject(badInput('id'));
  });

  it('names the field it was given', () => {
    expect(thrownBy(() => assertModelId('nope', 'replacementId'))).toMatchObject(
      badInput('replacementId'),
    );
  });
});

describe('checkRegisterModel', () => {
  it('normalizes a valid input', () => {
    const { model, price: first } = checkRegisterModel(
      chatInput({ displayName: '  Chat 1  ', tags: ['fast', 'demo', 'fast'] }),
      NOW,
    );
    expect(model).toMatchObject({
      providerModel: 'chat-1',
      displayName: 'Chat 1',
      description: '',
      status: 'ACTIVE',
      tags: ['demo', 'fast'],
      embeddingDimensions: null,
      maxBatchSize: null,
    });
    expect(first).toEqual({ inputPerMillion: 100n, outputPerMillion: 200n, effectiveFrom: NOW });
  });

  it('accepts an EMBEDDING model with dimensions and batch size and no maxOutputTokens', () => {
    const input = chatInput({
      capabilities: ['EMBEDDING', 'EMBEDDING'],
      maxOutputTokens: null,
      embeddingDimensions: 256,
      maxBatchSize: 128,
    });
    expect(checkRegisterModel(input, NOW).model.capabilities).toEqual(['EMBEDDING']);
  });

  it('keeps an initial price that started in the past', () => {
    const effectiveFrom = at(-86_400_000);
    const result = checkRegisterModel(chatInput({ price: { ...price, effectiveFrom } }), NOW);
    expect(result.price.effectiveFrom).toEqual(effectiveFrom);
  });

  const embedding = { capabilities: ['EMBEDDING' as const], maxOutputTokens: null };
  it.each<[string, Partial<RegisterModelInput>, string]>([
    ['a bad id', { id: 'acme/Chat' }, 'id'],
    ['an id not starting with the provider id', { id: 'other/chat-1' }, 'id'],
    ['no capabilities', { capabilities: [] }, 'capabilities'],
    ['a zero context window', { contextWindow: 0 }, 'contextWindow'],
    ['a context window over 10M', { contextWindow: 10_000_001 }, 'contextWindow'],
    ['maxOutputTokens above contextWindow', { maxOutputTokens: 8193 }, 'maxOutputTokens'],
    ['maxOutputTokens of zero', { maxOutputTokens: 0 }, 'maxOutputTokens'],
    ['CHAT without maxOutputTokens', { maxOutputTokens: null }, 'maxOutputTokens'],
    ['EMBEDDING without dimensions', { ...embedding, maxBatchSize: 8 }, 'embeddingDimensions'],
    [
      'EMBEDDING without maxBatchSize',
      { ...embedding, embeddingDimensions: 8 },
      'embeddingDimensions',
    ],
    [
      'dimensions above 65536',
      { ...embedding, embeddingDimensions: 65_537, maxBatchSize: 8 },
      'embeddingDimensions',
    ],
    [
      'a zero maxBatchSize',
      { ...embedding, embeddingDimensions: 8, maxBatchSize: 0 },
      'maxBatchSize',
    ],
    ['a blank displayName', { displayName: '   ' }, 'displayName'],
    ['a displayName over 100 characters', { displayName: 'x'.repeat(101) }, 'displayName'],
    ['a blank providerModel', { providerModel: ' ' }, 'providerModel'],
    ['21 tags', { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'tags'],
    ['an uppercase tag', { tags: ['Fast'] }, 'tags'],
    ['a tag with a space', { tags: ['eu hosted'] }, 'tags'],
    ['a tag of 33 characters', { tags: ['a'.repeat(33)] }, 'tags'],
    ['status DEPRECATED', { status: 'DEPRECATED' }, 'status'],
    ['status RETIRED', { status: 'RETIRED' }, 'status'],
    [
      'a negative input price',
      { price: { ...price, inputPerMillion: -1n } },
      'price.inputPerMillion',
    ],
    [
      'a negative output price',
      { price: { ...price, outputPerMillion: -1n } },
      'price.outputPerMillion',
    ],
    [
      'an initial price in the future',
      { price: { ...price, effectiveFrom: at(1) } },
      'price.effectiveFrom',
    ],
  ])('rejects %s', (_case, over, field) => {
    expect(thrownBy(() => checkRegisterModel(chatInput(over), NOW))).toMatchObject(badInput(field));
  });

  it('counts tags after removing duplicates', () => {
    const tags = [...Array.from({ length: 20 }, (_, i) => `t${i}`), 't0'];
    expect(checkRegisterModel(chatInput({ tags }), NOW).model.tags).toHaveLength(20);
  });
});

describe('checkUpdateModel', () => {
  it('merges the changes over the current model and leaves the price alone', () => {
    const result = checkUpdateModel(modelRow(), { displayName: 'New', tags: ['b', 'a'] }, NOW);
    expect(result.model).toMatchObject({
      displayName: 'New',
      tags: ['a', 'b'],
      contextWindow: 8192,
    });
    expect(result.price).toBeNull();
  });

  it.each<[string, ModelRow, UpdateModelInput, string]>([
    ['a retired model', modelRow({ status: 'RETIRED' }), { displayName: 'x' }, 'id'],
    [
      'a status change while deprecated',
      modelRow({ status: 'DEPRECATED' }),
      { status: 'ACTIVE' },
      'status',
    ],
    ['status DEPRECATED', modelRow(), { status: 'DEPRECATED' }, 'status'],
    [
      'a context window below maxOutputTokens',
      modelRow(),
      { contextWindow: 1000 },
      'maxOutputTokens',
    ],
    [
      'EMBEDDING without dimensions',
      modelRow(),
      { capabilities: ['EMBEDDING'] },
      'embeddingDimensions',
    ],
    ['no capabilities', modelRow(), { capabilities: [] }, 'capabilities'],
    ['a bad tag', modelRow(), { tags: ['UPPER'] }, 'tags'],
    [
      'a negative price',
      modelRow(),
      { price: { ...price, inputPerMillion: -5n } },
      'price.inputPerMillion',
    ],
    [
      'a price change in the past',
      modelRow(),
      { price: { ...price, effectiveFrom: at(-60_000) } },
      'price.effectiveFrom',
    ],
  ])('rejects %s', (_case, current, input, field) => {
    expect(thrownBy(() => checkUpdateModel(current, input, NOW))).toMatchObject(badInput(field));
  });

  it('schedules a future price from its effectiveFrom', () => {
    const effectiveFrom = at(3_600_000);
    const result = checkUpdateModel(modelRow(), { price: { ...price, effectiveFrom } }, NOW);
    expect(result.price).toEqual({ inputPerMillion: 100n, outputPerMillion: 200n, effectiveFrom });
  });
});

describe('checkPrice', () => {
  it('moves a change a moment in the past (clock skew) to now', () => {
    const result = checkPrice({ ...price, effectiveFrom: at(-4_000) }, NOW, 'change');
    expect(result.effectiveFrom).toEqual(NOW);
  });

  it('rejects a change further in the past than the skew allowance', () => {
    const error = thrownBy(() =>
      checkPrice({ ...price, effectiveFrom: at(-6_000) }, NOW, 'change'),
    );
    expect(error).toMatchObject(badInput('price.effectiveFrom'));
  });

  it('accepts zero prices and defaults effectiveFrom to now', () => {
    const free = { inputPerMillion: 0n, outputPerMillion: 0n };
    expect(checkPrice(free, NOW, 'initial')).toEqual({ ...free, effectiveFrom: NOW });
    expect(checkPrice(free, NOW, 'change')).toEqual({ ...free, effectiveFrom: NOW });
  });
});

import { randomUUID } from 'node:crypto';
import { createOrchestrationLoaders } from './loaders.js';
import type { PromptRow, PromptVersionRow } from './store/prompt-rows.js';
import type { PromptStore } from './store/prompt-store.js';

const prompt = (id: string): PromptRow => ({
  id,
  teamId: randomUUID(),
  name: id,
  description: null,
  latestVersion: 1,
  createdBy: 'admin',
  createdAt: new Date(0),
});

const version = (promptId: string, n: number): PromptVersionRow => ({
  promptId,
  version: n,
  messages: [],
  variables: { type: 'object' },
  defaultModel: null,
  parameters: {},
  tools: null,
  responseFormat: null,
  createdBy: 'admin',
  createdAt: new Date(0),
});

describe('orchestration loaders', () => {
  const [a, b] = [randomUUID(), randomUUID()];
  const calls: unknown[][] = [];
  const store = {
    promptsByIds: async (ids: readonly string[]) => {
      calls.push(['prompts', [...ids]]);
      return ids.filter((id) => id === a).map(prompt);
    },
    versions: async (keys: ReadonlyArray<{ promptId: string; version: number }>) => {
      calls.push(['versions', keys.map((k) => `${k.promptId}:${k.version}`)]);
      return [version(a, 2)];
    },
    labelsOf: async (ids: readonly string[]) => {
      calls.push(['labels', [...ids]]);
      return [{ promptId: b, label: 'production', version: 1, movedBy: 'x', movedAt: new Date(0) }];
    },
  } as unknown as PromptStore;
  beforeEach(() => calls.splice(0));

  it('reads prompts in one batch, in key order, null for unknown and non-UUID ids', async () => {
    const loaders = createOrchestrationLoaders(store);
    const found = await Promise.all([a, 'not-a-uuid', b].map((id) => loaders.prompt.load(id)));
    expect(found.map((p) => p?.id ?? null)).toEqual([a, null, null]);
    expect(calls).toEqual([['prompts', [a, b]]]);
  });

  it('reads versions by (prompt, number) in one batch, de-duplicated', async () => {
    const loaders = createOrchestrationLoaders(store);
    const keys = [
      { promptId: a, version: 2 },
      { promptId: a, version: 2 },
      { promptId: b, version: 1 },
    ];
    const found = await Promise.all(keys.map((k) => loaders.version.load(k)));
    expect(found.map((v) => v?.version ?? null)).toEqual([2, 2, null]);
    expect(calls).toEqual([['versions', [`${a}:2`, `${b}:1`]]]);
  });

  it('groups labels per prompt, an empty list for a prompt without any', async () => {
    const loaders = createOrchestrationLoaders(store);
    const [ofA, ofB] = await Promise.all([a, b].map((id) => loaders.labels.load(id)));
    expect(ofA).toEqual([]);
    expect(ofB!.map((l) => l.label)).toEqual(['production']);
    expect(calls).toEqual([['labels', [a, b]]]);
  });
});

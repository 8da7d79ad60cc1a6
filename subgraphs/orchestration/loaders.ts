import DataLoader from 'dataloader';
import { isUuid } from '../../lib/ids.js';
import type { PromptLabelRow, PromptRow, PromptVersionRow } from './store/prompt-rows.js';
import type { PromptStore } from './store/prompt-store.js';

const MAX_BATCH = 1000;

/** A version's key. */
export interface VersionKey {
  promptId: string;
  version: number;
}

/** DataLoaders for one request (batch functions answer in key order). */
export function createOrchestrationLoaders(prompts: PromptStore) {
  return {
    /** A prompt by id, or null (unknown ids and ids that are not UUIDs alike). */
    prompt: new DataLoader<string, PromptRow | null>(
      async (ids) => {
        const valid = ids.filter(isUuid);
        const found = new Map(
          (valid.length ? await prompts.promptsByIds(valid) : []).map((p) => [p.id, p]),
        );
        return ids.map((id) => found.get(id) ?? null);
      },
      { maxBatchSize: MAX_BATCH },
    ),
    /** A version by prompt and number, or null. */
    version: new DataLoader<VersionKey, PromptVersionRow | null, string>(
      async (keys) => {
        const valid = keys.filter((k) => isUuid(k.promptId) && Number.isInteger(k.version));
        const rows = valid.length ? await prompts.versions(valid) : [];
        const found = new Map(rows.map((v) => [`${v.promptId}:${v.version}`, v]));
        return keys.map((k) => found.get(`${k.promptId}:${k.version}`) ?? null);
      },
      { maxBatchSize: MAX_BATCH, cacheKeyFn: (k) => `${k.promptId}:${k.version}` },
    ),
    /** A prompt's labels, by name. */
    labels: new DataLoader<string, PromptLabelRow[]>(
      async (ids) => {
        const rows = await prompts.labelsOf(ids.filter(isUuid));
        return ids.map((id) => rows.filter((l) => l.promptId === id));
      },
      { maxBatchSize: MAX_BATCH },
    ),
  };
}

export type OrchestrationLoaders = ReturnType<typeof createOrchestrationLoaders>;

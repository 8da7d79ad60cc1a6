import type { EmbedFieldRequest, EmbeddingsResult } from './embed.js';

/** One `embed` field, checked, with the team it charges (or why it cannot run). */
export type PreparedEmbed = { teamId: string; request: EmbedFieldRequest } | { error: Error };

/**
 * The `embed` fields of one operation, run together: the first field to resolve starts every
 * field's work, grouped by team, model and data class (one `embedGroup` saga each, concurrently);
 * each field then picks its own result. A group's failure is the failure of its fields only.
 */
export function createEmbedOperation(
  runGroup: (teamId: string, fields: EmbedFieldRequest[]) => Promise<EmbeddingsResult[]>,
) {
  let results: Map<string, Promise<EmbeddingsResult>> | undefined;

  const start = (fields: PreparedEmbed[]) => {
    const map = new Map<string, Promise<EmbeddingsResult>>();
    const groups = new Map<string, { teamId: string; fields: EmbedFieldRequest[] }>();
    for (const field of fields) {
      if ('error' in field) continue;
      const { teamId, request } = field;
      const key = JSON.stringify([teamId, request.model, request.dataClass]);
      const group = groups.get(key) ?? { teamId, fields: [] };
      group.fields.push(request);
      groups.set(key, group);
    }
    for (const group of groups.values()) {
      const outcome = runGroup(group.teamId, group.fields);
      group.fields.forEach((field, i) => {
        const result = outcome.then((all) => all[i]!);
        result.catch(() => undefined); // handled by the field that awaits it
        map.set(field.responseKey, result);
      });
    }
    return map;
  };

  return {
    /**
     * The result of the field at `responseKey`. `collect` lists every embed field of the
     * operation; it is called once, by the first field.
     */
    resultFor(
      responseKey: string,
      collect: () => Array<PreparedEmbed & { responseKey: string }>,
    ): Promise<EmbeddingsResult> {
      if (!results) {
        const fields = collect();
        results = start(fields);
        for (const field of fields) {
          if (!('error' in field)) continue;
          const failed = Promise.reject(field.error);
          failed.catch(() => undefined); // handled by the field that awaits it
          results.set(field.responseKey, failed);
        }
      }
      const result = results.get(responseKey);
      if (!result) return Promise.reject(new Error(`no embed field ${responseKey} planned`));
      return result;
    },
  };
}

export type EmbedOperation = ReturnType<typeof createEmbedOperation>;

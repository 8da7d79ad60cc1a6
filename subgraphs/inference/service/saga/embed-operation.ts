import type { EmbedFieldRequest, EmbeddingsResult } from './embed.js';
import type { FlowStep } from './saga-types.js';

/**
 * One `embed` field, checked, with the team it charges and, for a flow step, the run's hold it
 * is paid from (or why it cannot run).
 */
export type PreparedEmbed =
  { teamId: string; request: EmbedFieldRequest; flowStep?: FlowStep } | { error: Error };

/**
 * The `embed` fields of one operation, run together: the first field to resolve starts every
 * field's work, grouped by team, model, data class and payment (one `embedGroup` saga each,
 * concurrently; a flow step's fields are paid from their run's hold, so they never share a
 * group, a provider batch or a charge with fields paid otherwise); each field then picks its own
 * result. A group's failure is the failure of its fields only.
 */
export function createEmbedOperation(
  runGroup: (
    teamId: string,
    fields: EmbedFieldRequest[],
    flowStep: FlowStep | undefined,
  ) => Promise<EmbeddingsResult[]>,
) {
  let results: Map<string, Promise<EmbeddingsResult>> | undefined;

  const start = (fields: PreparedEmbed[]) => {
    const map = new Map<string, Promise<EmbeddingsResult>>();
    const groups = new Map<
      string,
      { teamId: string; flowStep?: FlowStep; fields: EmbedFieldRequest[] }
    >();
    for (const field of fields) {
      if ('error' in field) continue;
      const { teamId, request, flowStep } = field;
      const key = JSON.stringify([teamId, request.model, request.dataClass, flowStep ?? null]);
      const group = groups.get(key) ?? { teamId, flowStep, fields: [] };
      group.fields.push(request);
      groups.set(key, group);
    }
    for (const group of groups.values()) {
      const outcome = runGroup(group.teamId, group.fields, group.flowStep);
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

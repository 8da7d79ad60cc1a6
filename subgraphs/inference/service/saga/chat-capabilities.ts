import type { ResolvedTarget } from '../../../../lib/catalog/resolved-route.js';
import { badUserInput } from '../../../../lib/errors.js';
import type { GenerateRequest } from './generate.js';

type Needs = Pick<GenerateRequest, 'tools' | 'responseFormat'>;

/** A capability a chat call needs beyond CHAT, and the input field that asks for it. */
interface Need {
  capability: 'TOOLS' | 'JSON_MODE' | 'STRUCTURED_OUTPUT';
  field: string;
  what: string;
}

/** What the call asks of a model beyond CHAT: tools need TOOLS, JSON formats their capability. */
export function capabilitiesNeeded(request: Needs): Need[] {
  const needs: Need[] = [];
  if (request.tools) needs.push({ capability: 'TOOLS', field: 'tools', what: 'tools' });
  const format = request.responseFormat?.type;
  if (format === 'JSON_OBJECT') {
    needs.push({ capability: 'JSON_MODE', field: 'responseFormat', what: 'a JSON_OBJECT answer' });
  } else if (format === 'JSON_SCHEMA') {
    needs.push({
      capability: 'STRUCTURED_OUTPUT',
      field: 'responseFormat',
      what: 'a JSON_SCHEMA answer',
    });
  }
  return needs;
}

/**
 * The targets that can honour the call's tools and answer format; the others are dropped, as
 * sending tools to a model that ignores them would quietly answer something else. None left →
 * BAD_USER_INPUT naming the capability and the model (`capability`, `model`, `field`).
 */
export function keepCapableTargets(
  targets: readonly ResolvedTarget[],
  request: Needs,
  model: string,
): ResolvedTarget[] {
  const needs = capabilitiesNeeded(request);
  if (needs.length === 0) return [...targets];
  for (const need of needs) {
    if (!targets.some((t) => t.model.capabilities.includes(need.capability))) {
      throw badUserInput(
        `"${model}" cannot take ${need.what}: ${describeTargets(targets)} the ${need.capability} capability.`,
        { field: need.field, capability: need.capability, model },
      );
    }
  }
  const capable = targets.filter((t) =>
    needs.every((need) => t.model.capabilities.includes(need.capability)),
  );
  if (capable.length === 0) {
    const names = needs.map((n) => n.capability);
    throw badUserInput(
      `"${model}" has no model with all of ${names.join(', ')}, which this call needs together.`,
      { field: needs[0]!.field, capability: names[0], capabilities: names, model },
    );
  }
  return capable;
}

function describeTargets(targets: readonly ResolvedTarget[]): string {
  if (targets.length === 1) return `model ${targets[0]!.model.id} lacks`;
  return `none of its models (${targets.map((t) => t.model.id).join(', ')}) has`;
}

import type { ResolvedTarget } from '../../../../lib/catalog/resolved-route.js';
import type { ChatRequest } from '../../providers/types.js';
import type { ChatCall } from './chat-call.js';
import type { GenerateRequest } from './generate.js';

/**
 * What one target is sent for a `generate` or `generateStream` call: the caller's request in the
 * provider interface's words, with the output the target is asked for.
 */
export function chatRequestFor(
  request: GenerateRequest,
  call: Pick<ChatCall, 'outputFor'>,
  target: ResolvedTarget,
): ChatRequest {
  return {
    model: target.model.providerModel,
    messages: request.messages,
    maxTokens: call.outputFor(target),
    temperature: request.temperature,
    ...(request.tools ? { tools: request.tools } : {}),
    ...(request.toolChoice ? { toolChoice: request.toolChoice } : {}),
    ...(request.responseFormat ? { responseFormat: request.responseFormat } : {}),
  };
}

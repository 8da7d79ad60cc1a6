import { LIMITS } from './flow-definition.js';

/*
 * The JSON Schema (draft 2020-12) of a flow definition: the shape flow-definition.ts types.
 * What a schema cannot say (ids unique across nesting, expressions that parse, references to
 * steps that ran before) is checked by validateFlowDefinition.
 */

const expression = { type: 'string', minLength: 1, maxLength: LIMITS.maxExpressionLength };
const id = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' };
const model = { type: 'string', minLength: 1, maxLength: 200 };
const maxTokens = { type: 'integer', minimum: 1, maximum: 1_000_000 };
const steps = { type: 'array', minItems: 1, items: { $ref: '#/$defs/step' } };

const step = (kind: string, properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  additionalProperties: false,
  required: ['id', 'kind', ...required],
  properties: {
    id,
    kind: { const: kind },
    retry: { $ref: '#/$defs/retry' },
    ...properties,
  },
});

export const FLOW_DEFINITION_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://modelgraph.dev/schemas/flow-definition.json',
  title: 'Modelgraph flow definition',
  type: 'object',
  additionalProperties: false,
  required: ['inputs', 'steps'],
  properties: {
    inputs: {
      type: 'object',
      required: ['type'],
      properties: { type: { const: 'object' } },
      description: 'JSON Schema of the run inputs (an object).',
    },
    steps,
    output: expression,
    outputSchema: { type: 'object' },
  },
  $defs: {
    retry: {
      type: 'object',
      additionalProperties: false,
      required: ['maxAttempts'],
      properties: {
        maxAttempts: { type: 'integer', minimum: 1, maximum: LIMITS.maxAttempts },
        backoffMs: { type: 'integer', minimum: 0, maximum: LIMITS.maxBackoffMs },
      },
    },
    step: {
      type: 'object',
      required: ['kind'],
      // One error naming the kind, rather than one per kind the step is not.
      discriminator: { propertyName: 'kind' },
      oneOf: [
        step(
          'prompt',
          {
            prompt: {
              type: 'object',
              additionalProperties: false,
              required: ['id'],
              properties: {
                id: { type: 'string', minLength: 1 },
                version: { type: 'integer', minimum: 1 },
                label: { type: 'string', minLength: 1, maxLength: 64 },
              },
            },
            variables: { type: 'object', additionalProperties: expression },
            model,
            maxTokens,
          },
          ['prompt'],
        ),
        step(
          'generate',
          {
            model,
            messages: {
              type: 'array',
              minItems: 1,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['role', 'content'],
                properties: {
                  role: { enum: ['SYSTEM', 'USER', 'ASSISTANT'] },
                  content: expression,
                },
              },
            },
            maxTokens,
            temperature: { type: 'number', minimum: 0, maximum: 2 },
          },
          ['model', 'messages'],
        ),
        step('embed', { model, texts: expression }, ['model', 'texts']),
        step(
          'retrieve',
          {
            collection: { type: 'string', minLength: 1 },
            query: expression,
            topK: { type: 'integer', minimum: 1, maximum: LIMITS.maxTopK },
            minScore: { type: 'number', minimum: -1, maximum: 1 },
            filter: { type: 'object', additionalProperties: expression },
          },
          ['collection', 'query'],
        ),
        step('transform', { expression }, ['expression']),
        step(
          'branch',
          {
            cases: {
              type: 'array',
              minItems: 1,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['when', 'steps'],
                properties: { when: expression, steps },
              },
            },
            otherwise: steps,
          },
          ['cases'],
        ),
        step(
          'map',
          {
            over: expression,
            concurrency: { type: 'integer', minimum: 1, maximum: LIMITS.maxConcurrency },
            steps,
            result: expression,
          },
          ['over', 'steps'],
        ),
      ],
    },
  },
} as const;

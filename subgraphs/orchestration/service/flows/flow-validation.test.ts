import { GraphQLError } from 'graphql';
import { definitionProblems, validateFlowDefinition } from './flow-validation.js';

const inputs = { type: 'object', properties: { question: { type: 'string' } } };
const rag = {
  inputs,
  steps: [
    { id: 'find', kind: 'retrieve', collection: 'docs', query: 'inputs.question', topK: 3 },
    {
      id: 'answer',
      kind: 'generate',
      model: 'chat',
      messages: [
        { role: 'SYSTEM', content: '"Context: " & $join(steps.find.chunks.text, "\\n")' },
        { role: 'USER', content: 'inputs.question' },
      ],
    },
  ],
  output: 'steps.answer.text',
};

describe('flow definitions', () => {
  it('accepts a retrieval-augmented flow', () => {
    expect(definitionProblems(rag)).toEqual([]);
    expect(validateFlowDefinition(rag).steps).toHaveLength(2);
  });

  it('names the unknown kind and unknown properties with their paths', () => {
    const problems = definitionProblems({
      inputs,
      steps: [
        { id: 'a', kind: 'shell', command: 'rm -rf /' },
        { id: 'b', kind: 'transform', expression: '1', extra: true },
      ],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/steps/0' }),
        { path: '/steps/1', message: 'unknown property "extra"' },
      ]),
    );
  });

  it('refuses ids used twice, even nested, and prompts with both a version and a label', () => {
    const problems = definitionProblems({
      inputs,
      steps: [
        { id: 'x', kind: 'transform', expression: '1' },
        {
          id: 'each',
          kind: 'map',
          over: '[1,2]',
          steps: [
            { id: 'x', kind: 'transform', expression: 'item' },
            { id: 'p', kind: 'prompt', prompt: { id: 'pr_1', version: 2, label: 'production' } },
          ],
        },
      ],
    });
    expect(problems).toEqual([
      { path: '/steps/1/steps/0/id', message: 'id "x" is used twice' },
      { path: '/steps/1/steps/1/prompt', message: 'give a version or a label, not both' },
    ]);
  });

  it('refuses expressions that do not parse or read steps that have not run', () => {
    const problems = definitionProblems({
      inputs,
      steps: [
        { id: 'early', kind: 'transform', expression: 'steps.late.value' },
        { id: 'late', kind: 'transform', expression: '(1 + ' },
        {
          id: 'each',
          kind: 'map',
          over: '[1]',
          steps: [{ id: 'inner', kind: 'transform', expression: 'item * 2' }],
          result: 'steps.inner',
        },
        { id: 'after', kind: 'transform', expression: 'steps.each' },
      ],
      output: 'steps.nowhere',
    });
    expect(problems.map((p) => p.path)).toEqual([
      '/steps/0/expression',
      '/steps/1/expression',
      '/output',
    ]);
    expect(problems[0]!.message).toBe('reads steps.late, which has not run at this point');
    expect(problems[1]!.message).toMatch(/^expression does not parse/);
  });

  it('refuses nesting deeper than the limit and inputs that are not an object schema', () => {
    let steps: unknown[] = [{ id: 'leaf', kind: 'transform', expression: '1' }];
    for (let depth = 0; depth < 5; depth += 1) {
      steps = [{ id: `m${depth}`, kind: 'map', over: '[1]', steps }];
    }
    expect(definitionProblems({ inputs, steps }).map((p) => p.message)).toContain(
      'nested deeper than 4 levels',
    );
    expect(definitionProblems({ inputs: { type: 'string' }, steps: [] }).length).toBeGreaterThan(0);
  });

  it('throws BAD_USER_INPUT listing every problem', () => {
    let thrown: unknown;
    try {
      validateFlowDefinition({
        inputs,
        steps: [{ id: '1bad', kind: 'transform', expression: '' }],
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GraphQLError);
    const error = thrown as GraphQLError;
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect((error.extensions.problems as unknown[]).length).toBe(2);
    expect(error.message).toMatch(
      /^The flow definition is invalid: \/steps\/0\/id .*\(and 1 more\)\.$/,
    );
  });
});

import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { badUserInput } from '../../../../lib/errors.js';
import { LIMITS, type FlowDefinition, type FlowStep } from './flow-definition.js';
import { compileExpression, referencedSteps } from './flow-expressions.js';
import { FLOW_DEFINITION_SCHEMA } from './flow-schema.js';

/** One thing wrong with a definition, at a JSON Pointer into it. */
export interface DefinitionProblem {
  path: string;
  message: string;
}

const checkShape = new Ajv2020({ allErrors: true, discriminator: true }).compile(
  FLOW_DEFINITION_SCHEMA,
);
/** Teams' own schemas (inputs, outputs): never kept by id, dropped from the cache once compiled. */
const teamSchemas = new Ajv2020({ allErrors: true, strict: false, addUsedSchema: false });

const describe = (error: ErrorObject): DefinitionProblem => ({
  path: error.instancePath || '/',
  message:
    error.keyword === 'additionalProperties'
      ? `unknown property "${(error.params as { additionalProperty: string }).additionalProperty}"`
      : (error.message ?? 'is invalid'),
});

/** Children of a step, each list with the JSON Pointer it sits at. */
function childLists(step: FlowStep, at: string): Array<[FlowStep[], string]> {
  if (step.kind === 'branch') {
    const lists: Array<[FlowStep[], string]> = step.cases.map((c, i) => [
      c.steps,
      `${at}/cases/${i}/steps`,
    ]);
    if (step.otherwise) lists.push([step.otherwise, `${at}/otherwise`]);
    return lists;
  }
  if (step.kind === 'map') return [[step.steps, `${at}/steps`]];
  return [];
}

/** Every expression of a step (not its children's), with where it sits. */
function expressionsOf(step: FlowStep, at: string): Array<[string, string]> {
  const all: Array<[string, string | undefined]> = [];
  const each = (record: Record<string, string> | undefined, name: string) => {
    for (const [key, value] of Object.entries(record ?? {}))
      all.push([`${at}/${name}/${key}`, value]);
  };
  switch (step.kind) {
    case 'prompt':
      each(step.variables, 'variables');
      break;
    case 'generate':
      step.messages.forEach((m, i) => all.push([`${at}/messages/${i}/content`, m.content]));
      break;
    case 'embed':
      all.push([`${at}/texts`, step.texts]);
      break;
    case 'retrieve':
      all.push([`${at}/query`, step.query]);
      each(step.filter, 'filter');
      break;
    case 'transform':
      all.push([`${at}/expression`, step.expression]);
      break;
    case 'branch':
      step.cases.forEach((c, i) => all.push([`${at}/cases/${i}/when`, c.when]));
      break;
    case 'map':
      all.push([`${at}/over`, step.over], [`${at}/result`, step.result]);
      break;
  }
  return all.filter((e): e is [string, string] => e[1] !== undefined);
}

/**
 * What a schema cannot check: ids unique across the whole flow, nesting depth and size, every
 * expression parses, and each `steps.<id>` it reads names a step that has finished by then (an
 * earlier sibling, one before an enclosing branch or map, or one inside an earlier branch; a
 * map's result may also read its iteration's steps).
 */
function checkMeaning(definition: FlowDefinition): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const seen = new Set<string>();
  let count = 0;

  const checkExpression = (path: string, text: string, visible: ReadonlySet<string>) => {
    try {
      compileExpression(text);
    } catch (error) {
      problems.push({ path, message: `expression does not parse: ${(error as Error).message}` });
      return;
    }
    for (const name of referencedSteps(text)) {
      if (!visible.has(name)) {
        problems.push({ path, message: `reads steps.${name}, which has not run at this point` });
      }
    }
  };

  const walk = (steps: FlowStep[], at: string, depth: number, before: ReadonlySet<string>) => {
    if (depth > LIMITS.maxNesting) {
      problems.push({ path: at, message: `nested deeper than ${LIMITS.maxNesting} levels` });
      return before;
    }
    const visible = new Set(before);
    steps.forEach((step, i) => {
      const path = `${at}/${i}`;
      count += 1;
      if (seen.has(step.id))
        problems.push({ path: `${path}/id`, message: `id "${step.id}" is used twice` });
      seen.add(step.id);
      if (
        step.kind === 'prompt' &&
        (step.prompt.version === undefined) === (step.prompt.label === undefined)
      ) {
        problems.push({ path: `${path}/prompt`, message: 'give a version or a label, not both' });
      }
      // A map's iteration steps are seen by its result only; a branch's by every later step
      // (as null where the branch did not take them).
      const inner = new Set(visible);
      for (const [list, listPath] of childLists(step, path)) {
        for (const name of walk(list, listPath, depth + 1, visible)) inner.add(name);
      }
      for (const [exprPath, text] of expressionsOf(step, path)) {
        checkExpression(exprPath, text, exprPath.endsWith('/result') ? inner : visible);
      }
      if (step.kind === 'branch') for (const name of inner) visible.add(name);
      visible.add(step.id);
    });
    return visible;
  };

  const topLevel = walk(definition.steps, '/steps', 1, new Set());
  if (count > LIMITS.maxSteps) {
    problems.push({ path: '/steps', message: `has ${count} steps; at most ${LIMITS.maxSteps}` });
  }
  if (definition.output !== undefined) checkExpression('/output', definition.output, topLevel);
  for (const [name, schema] of [
    ['inputs', definition.inputs],
    ['outputSchema', definition.outputSchema],
  ] as const) {
    if (schema === undefined) continue;
    try {
      compileJsonSchema(schema);
    } catch (error) {
      problems.push({
        path: `/${name}`,
        message: `is not a valid JSON Schema: ${(error as Error).message}`,
      });
    }
  }
  return problems;
}

/** Problems with a definition; none means it can be saved and run. */
export function definitionProblems(definition: unknown): DefinitionProblem[] {
  if (!checkShape(definition)) return (checkShape.errors ?? []).map(describe);
  return checkMeaning(definition as unknown as FlowDefinition);
}

/** The definition, typed, or BAD_USER_INPUT listing every problem (`extensions.problems`). */
export function validateFlowDefinition(definition: unknown): FlowDefinition {
  const problems = definitionProblems(definition);
  if (problems.length) {
    const first = problems[0]!;
    throw badUserInput(
      `The flow definition is invalid: ${first.path} ${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}.`,
      { problems },
    );
  }
  return definition as FlowDefinition;
}

/** A JSON Schema validator (inputs, outputs), compiled once per schema object. */
export function compileJsonSchema(schema: Record<string, unknown>) {
  const check = teamSchemas.compile(schema);
  teamSchemas.removeSchema(schema);
  return (value: unknown): DefinitionProblem[] =>
    check(value) ? [] : (check.errors ?? []).map(describe);
}

import {
  getNamedType,
  isCompositeType,
  isNonNullType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { validValue, wrongValues } from './wrong-values.js';

/** One request that must be refused with a coded client error. */
export interface BadInputCase {
  kind: 'query' | 'mutation';
  field: string;
  /** Where the wrong value went and what it was, e.g. `input.name: string with a NUL byte`. */
  label: string;
  form: 'literal' | 'variable';
  /** The request body, as JSON text (a variable may be `1e400`, which JSON.stringify cannot write). */
  body: string;
}

function selectionOf(field: GraphQLField<unknown, unknown>): string {
  return isCompositeType(getNamedType(field.type)) ? ' { __typename }' : '';
}

function casesOfField(
  kind: BadInputCase['kind'],
  field: GraphQLField<unknown, unknown>,
): BadInputCase[] {
  const cases: BadInputCase[] = [];
  const selection = selectionOf(field);
  for (const arg of field.args) {
    // The other required arguments get valid values, so only the one under test is wrong.
    const others = field.args
      .filter((a) => a !== arg && isNonNullType(a.type) && a.defaultValue === undefined)
      .map((a) => `${a.name}: ${validValue(a.type).literal}`);
    for (const wrong of wrongValues(arg.type)) {
      if (kind === 'mutation' && !wrong.mutationSafe) continue;
      const label = `${arg.name}: ${wrong.label}`;
      if (wrong.literal !== undefined) {
        const args = [`${arg.name}: ${wrong.literal}`, ...others].join(', ');
        const query = `${kind} { ${field.name}(${args})${selection} }`;
        cases.push({ kind, field: field.name, label, form: 'literal', body: body(query) });
      }
      if (wrong.json !== undefined) {
        const args = [`${arg.name}: $v`, ...others].join(', ');
        const query = `${kind}($v: ${String(arg.type)}) { ${field.name}(${args})${selection} }`;
        cases.push({
          kind,
          field: field.name,
          label,
          form: 'variable',
          body: body(query, wrong.json),
        });
      }
    }
  }
  return cases;
}

function body(query: string, variable?: string): string {
  const variables = variable === undefined ? '' : `, "variables": {"v": ${variable}}`;
  return `{"query": ${JSON.stringify(query)}${variables}}`;
}

/** Every wrong value for every argument of every Query and Mutation field of `schema`. */
export function badInputCases(schema: GraphQLSchema): BadInputCase[] {
  const roots: Array<[BadInputCase['kind'], GraphQLObjectType | null | undefined]> = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
  ];
  return roots.flatMap(([kind, type]) =>
    Object.values(type?.getFields() ?? {}).flatMap((field) => casesOfField(kind, field)),
  );
}

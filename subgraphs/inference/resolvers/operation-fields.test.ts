import { buildSchema, graphql, type GraphQLResolveInfo } from 'graphql';
import { rootFieldsNamed, selectsField, type RootField } from './operation-fields.js';

const schema = buildSchema(`
  input EmbedInput {
    model: String!
    texts: [String!]!
  }
  type Embeddings {
    count: Int!
  }
  type Query {
    ok: Boolean
  }
  type Mutation {
    embed(input: EmbedInput!): Embeddings
    generate(prompt: String!): String
  }
`);

/**
 * Runs `source`; every `embed` resolver records what rootFieldsNamed sees. All of them must see
 * the same list (the first one plans for the rest), so the one list is returned.
 */
async function embedFieldsOf(
  source: string,
  variableValues?: Record<string, unknown>,
): Promise<RootField[]> {
  const seen: RootField[][] = [];
  const embed = (args: { input: { texts: string[] } }, _ctx: unknown, info: GraphQLResolveInfo) => {
    seen.push(rootFieldsNamed(info, 'embed'));
    return { count: args.input.texts.length };
  };
  const result = await graphql({
    schema,
    source,
    variableValues,
    rootValue: { embed, generate: () => 'text' },
  });
  expect(result.errors).toBeUndefined();
  expect(seen.length).toBeGreaterThan(0);
  for (const fields of seen) expect(fields).toEqual(seen[0]);
  return seen[0]!;
}

const input = (model: string, ...texts: string[]) => ({ input: { model, texts } });

describe('rootFieldsNamed', () => {
  it('lists every root field of that name by response key, aliases included, ignoring others', async () => {
    const fields = await embedFieldsOf(`
      mutation {
        generate(prompt: "hi")
        first: embed(input: { model: "m1", texts: ["a", "b"] }) { count }
        embed(input: { model: "m2", texts: ["c"] }) { count }
        second: embed(input: { model: "m1", texts: [] }) { count }
      }
    `);
    expect(fields).toEqual([
      { responseKey: 'first', args: input('m1', 'a', 'b') },
      { responseKey: 'embed', args: input('m2', 'c') },
      { responseKey: 'second', args: input('m1') },
    ]);
  });

  it('resolves arguments from variables, whole inputs and list items alike', async () => {
    const fields = await embedFieldsOf(
      `
      mutation ($in: EmbedInput!, $text: String!, $model: String!) {
        a: embed(input: $in) { count }
        b: embed(input: { model: $model, texts: [$text, "literal"] }) { count }
      }
    `,
      { in: { model: 'm1', texts: ['x'] }, text: 'y', model: 'm2' },
    );
    expect(fields).toEqual([
      { responseKey: 'a', args: input('m1', 'x') },
      { responseKey: 'b', args: input('m2', 'y', 'literal') },
    ]);
  });

  it('follows named and inline fragments, nested ones too', async () => {
    const fields = await embedFieldsOf(`
      mutation {
        ...Outer
        ... on Mutation {
          inline: embed(input: { model: "m", texts: ["i"] }) { count }
        }
        ... {
          bare: embed(input: { model: "m", texts: ["b"] }) { count }
        }
      }
      fragment Outer on Mutation {
        named: embed(input: { model: "m", texts: ["n"] }) { count }
        ...Inner
      }
      fragment Inner on Mutation {
        nested: embed(input: { model: "m", texts: ["nn"] }) { count }
        generate(prompt: "ignored")
      }
    `);
    expect(fields.map((f) => f.responseKey)).toEqual(['named', 'nested', 'inline', 'bare']);
    expect(fields[1]).toEqual({ responseKey: 'nested', args: input('m', 'nn') });
  });

  it.each([
    [{ skipA: false, includeB: true, skipFragment: false }, ['a', 'b', 'inFragment', 'inInline']],
    [{ skipA: true, includeB: true, skipFragment: false }, ['b', 'inFragment', 'inInline']],
    [{ skipA: false, includeB: false, skipFragment: false }, ['a', 'inFragment', 'inInline']],
    [{ skipA: false, includeB: true, skipFragment: true }, ['a', 'b']],
  ])('applies @skip and @include with variables %p', async (variables, expected) => {
    const fields = await embedFieldsOf(
      `
      mutation ($skipA: Boolean!, $includeB: Boolean!, $skipFragment: Boolean!) {
        a: embed(input: { model: "m", texts: ["a"] }) @skip(if: $skipA) { count }
        b: embed(input: { model: "m", texts: ["b"] }) @include(if: $includeB) { count }
        ...F @skip(if: $skipFragment)
        ... @include(if: true) @skip(if: $skipFragment) {
          inInline: embed(input: { model: "m", texts: ["i"] }) { count }
        }
        never: embed(input: { model: "m", texts: ["n"] }) @include(if: false) { count }
      }
      fragment F on Mutation {
        inFragment: embed(input: { model: "m", texts: ["f"] }) { count }
      }
    `,
      variables,
    );
    expect(fields.map((f) => f.responseKey)).toEqual(expected);
  });

  it('merges fields with the same response key into one, as execution does', async () => {
    const fields = await embedFieldsOf(`
      mutation {
        same: embed(input: { model: "m", texts: ["t"] }) { count }
        ...F
        same: embed(input: { model: "m", texts: ["t"] }) { __typename }
      }
      fragment F on Mutation {
        same: embed(input: { model: "m", texts: ["t"] }) { count }
      }
    `);
    expect(fields).toEqual([{ responseKey: 'same', args: input('m', 't') }]);
  });

  it('keeps an included duplicate when its first occurrence is skipped', async () => {
    const fields = await embedFieldsOf(`
      mutation {
        same: embed(input: { model: "m", texts: ["t"] }) @skip(if: true) { count }
        same: embed(input: { model: "m", texts: ["t"] }) { count }
      }
    `);
    expect(fields).toEqual([{ responseKey: 'same', args: input('m', 't') }]);
  });

  it('finds nothing for a field the root type does not have', async () => {
    let found: RootField[] | undefined;
    const result = await graphql({
      schema,
      source: 'mutation { generate(prompt: "x") }',
      rootValue: {
        generate: (_args: unknown, _ctx: unknown, info: GraphQLResolveInfo) => {
          found = rootFieldsNamed(info, 'noSuchField');
          expect(rootFieldsNamed(info, 'generate')).toEqual([
            { responseKey: 'generate', args: { prompt: 'x' } },
          ]);
          return 'x';
        },
      },
    });
    expect(result.errors).toBeUndefined();
    expect(found).toEqual([]);
  });
});

describe('selectsField', () => {
  const reportSchema = buildSchema(`
    type Point { start: String }
    type Series { totals: Int, points: [Point!]! }
    type Report { series: [Series!]!, totals: Int }
    type Query { usage: Report }
  `);

  async function pointsSelected(source: string, variableValues?: Record<string, unknown>) {
    let seen: boolean | undefined;
    const result = await graphql({
      schema: reportSchema,
      source,
      variableValues,
      rootValue: {
        usage: (_args: unknown, _ctx: unknown, info: GraphQLResolveInfo) => {
          seen = selectsField(info, ['series', 'points']);
          return { series: [], totals: 0 };
        },
      },
    });
    expect(result.errors).toBeUndefined();
    return seen;
  }

  it('sees a path selected directly, through named and inline fragments, and honours @skip/@include', async () => {
    expect(await pointsSelected('{ usage { series { points { start } } } }')).toBe(true);
    expect(await pointsSelected('{ usage { series { totals } totals } }')).toBe(false);
    expect(await pointsSelected('{ usage { totals } }')).toBe(false);
    expect(
      await pointsSelected(
        '{ usage { ...R } } fragment R on Report { series { ... on Series { points { start } } } }',
      ),
    ).toBe(true);
    const conditional =
      'query($p: Boolean!) { usage { series { totals points @include(if: $p) { start } } } }';
    expect(await pointsSelected(conditional, { p: true })).toBe(true);
    expect(await pointsSelected(conditional, { p: false })).toBe(false);
  });
});

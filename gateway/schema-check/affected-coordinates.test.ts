import { diff } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';
import { affectedCoordinates } from './affected-coordinates.js';

const before = buildSchema(`
  input Filter { name: String, tag: String }
  input Search { filter: Filter, text: String }
  type Query { items(filter: Filter): [String], find(search: Search): [String], other: String }
`);

/** The coordinates each change of `after` against `before` breaks. */
async function affected(after: string) {
  const changes = await diff(before, buildSchema(after));
  return changes.map((change) => affectedCoordinates(before, change));
}

describe('the coordinates a breaking change affects', () => {
  it('counts every argument taking an input (nested too) as a use of a removed input field', async () => {
    // Clients pass inputs in variables, where the gateway does not count input fields.
    const [coordinates] = await affected(`
      input Filter { name: String }
      input Search { filter: Filter, text: String }
      type Query { items(filter: Filter): [String], find(search: Search): [String], other: String }
    `);
    expect(coordinates!.sort()).toEqual(
      ['Filter.tag', 'Query.find(search:)', 'Query.items(filter:)'].sort(),
    );
  });

  it('names the field of a removed field, not its neighbours', async () => {
    const [coordinates] = await affected(`
      input Filter { name: String, tag: String }
      input Search { filter: Filter, text: String }
      type Query { items(filter: Filter): [String], find(search: Search): [String] }
    `);
    expect(coordinates).toEqual(['Query.other']);
  });
});

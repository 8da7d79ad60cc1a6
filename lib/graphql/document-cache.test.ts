import { buildSchema, parse } from 'graphql';
import { createDocumentCache, perDocument } from './document-cache.js';

const schema = buildSchema('type Query { hello: String }');

describe('createDocumentCache', () => {
  it('parses and validates a query text once per schema, refusals included', () => {
    const check = createDocumentCache({});
    const first = check(schema, '{ hello }');
    expect(first.document).toBeDefined();
    expect(check(schema, '{ hello }')).toBe(first);
    expect(check(schema, '{ nope }').validationErrors?.[0]?.message).toMatch(/nope/);
    expect(check(schema, '{ hello').parseError?.message).toMatch(/Syntax Error/);
    // Another schema (a reloaded supergraph) validates afresh.
    const other = buildSchema('type Query { nope: String }');
    expect(check(other, '{ nope }').validationErrors).toBeUndefined();
    expect(check(other, '{ hello }').validationErrors).toHaveLength(1);
  });

  it('applies the rules and parse options it was given', () => {
    const check = createDocumentCache({ parseOptions: { maxTokens: 3 } });
    expect(check(schema, '{ hello hello hello }').parseError?.message).toMatch(/token/i);
  });

  it('counts its hits and misses', () => {
    const counted: Array<[string, number, number]> = [];
    const check = createDocumentCache({ lookups: (...args) => void counted.push(args) });
    check(schema, '{ hello }');
    check(schema, '{ hello }');
    expect(counted).toEqual([
      ['document', 0, 1],
      ['document', 1, 0],
    ]);
  });
});

describe('perDocument', () => {
  it('reads a document object once, and another object (even of the same text) afresh', () => {
    let reads = 0;
    const definitions = perDocument((document) => {
      reads += 1;
      return document.definitions.length;
    });
    const one = parse('{ a } { b }');
    expect([definitions(one), definitions(one), definitions(one)]).toEqual([2, 2, 2]);
    expect(reads).toBe(1);
    expect(definitions(parse('{ a } { b }'))).toBe(2);
    expect(reads).toBe(2);
  });
});

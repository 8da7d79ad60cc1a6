import { buildSchema, parse, subscribe, type ExecutionResult } from 'graphql';
import { leanSubscribe } from './lean-subscribe.js';

const schema = buildSchema(`
  type Query { ok: Boolean }
  input Ask { words: [String!]! }
  type Word { text: String! length: Int! }
  type Subscription { words(ask: Ask!, upper: Boolean): Word! }
`);

/** A source stream of the asked words, and whether it was told to stop. */
function wordsRoot() {
  const seen = { returned: false, coerced: [] as unknown[] };
  const rootValue = {
    words: (args: { ask: { words: string[] }; upper?: boolean }) => {
      seen.coerced.push(args);
      let index = 0;
      const iterator: AsyncIterableIterator<unknown> = {
        next: async () => {
          const word = args.ask.words[index++];
          if (word === undefined) return new Promise<never>(() => undefined); // waits forever
          const text = args.upper ? word.toUpperCase() : word;
          return { done: false, value: { words: { text, length: text.length } } };
        },
        return: async () => {
          seen.returned = true;
          return { done: true, value: undefined };
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      };
      return iterator;
    },
  };
  return { rootValue, seen };
}

const DOCUMENT = parse(`
  subscription Words($ask: Ask!, $upper: Boolean, $withLength: Boolean!) {
    words(ask: $ask, upper: $upper) { text length @include(if: $withLength) }
  }
`);
const variableValues = { ask: { words: ['one', 'three'] }, upper: true, withLength: false };

async function take(iterator: AsyncIterator<ExecutionResult>, count: number) {
  const results: ExecutionResult[] = [];
  for (let i = 0; i < count; i += 1) results.push((await iterator.next()).value);
  return results;
}

describe('leanSubscribe', () => {
  it('answers every event as graphql-js subscribe does, variables used in selections included', async () => {
    const lean = wordsRoot();
    const plain = wordsRoot();
    const args = { schema, document: DOCUMENT, variableValues };
    const leanEvents = (await leanSubscribe({
      ...args,
      rootValue: lean.rootValue,
    })) as AsyncIterableIterator<ExecutionResult>;
    const plainEvents = (await subscribe({
      ...args,
      rootValue: plain.rootValue,
    })) as AsyncIterableIterator<ExecutionResult>;
    const expected = await take(plainEvents, 2);
    expect(await take(leanEvents, 2)).toEqual(expected);
    expect(expected).toEqual([
      { data: { words: { text: 'ONE' } } },
      { data: { words: { text: 'THREE' } } },
    ]);
    // The source stream was made once, from the real arguments.
    expect(lean.seen.coerced).toEqual([{ ask: { words: ['one', 'three'] }, upper: true }]);
  });

  it('tells the source to stop at once, even while an event is awaited', async () => {
    const { rootValue, seen } = wordsRoot();
    const events = (await leanSubscribe({
      schema,
      document: DOCUMENT,
      variableValues,
      rootValue,
    })) as AsyncIterableIterator<ExecutionResult>;
    await take(events, 2);
    const pending = events.next(); // the source has no third word: this waits
    await events.return!();
    expect(seen.returned).toBe(true);
    void pending;
  });

  it('answers the errors of a source stream that cannot start', async () => {
    const result = await leanSubscribe({
      schema,
      document: DOCUMENT,
      variableValues: { withLength: true },
      rootValue: wordsRoot().rootValue,
    });
    expect(Symbol.asyncIterator in result).toBe(false);
    expect((result as ExecutionResult).errors?.[0]?.message).toMatch(/\$ask/);
  });
});

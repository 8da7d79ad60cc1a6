import type { FetcherResponse } from '@apollo/utils.fetcher';
import { Histogram } from 'prom-client';
import { codedClientError } from './subgraph-client-error.js';
import { SubgraphDataSource } from './subgraph-data-source.js';

const body = (errors: unknown) => JSON.stringify({ errors });

describe('codedClientError', () => {
  it("passes a subgraph's coded refusal through with its code and details, not its stack", () => {
    const error = codedClientError(
      body([
        {
          message: 'Variable "$amount" got invalid value "1.5"; Micros must be a whole number.',
          extensions: { code: 'BAD_USER_INPUT', field: 'amount', stacktrace: ['at x (y.ts:1)'] },
        },
      ]),
    );
    expect(error?.message).toBe(
      'Variable "$amount" got invalid value "1.5"; Micros must be a whole number.',
    );
    expect(error?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'amount' });
  });

  it.each([
    ['a fault', body([{ message: 'boom', extensions: { code: 'INTERNAL_SERVER_ERROR' } }])],
    ['an unknown code', body([{ message: 'x', extensions: { code: 'DOWNSTREAM_SERVICE_ERROR' } }])],
    ['no code', body([{ message: 'x' }])],
    ['no errors', JSON.stringify({ data: null })],
    ['not JSON', '<html>Bad Gateway</html>'],
  ])('leaves %s to the default handling', (_name, text) => {
    expect(codedClientError(text)).toBeUndefined();
  });
});

describe('SubgraphDataSource.errorFromResponse', () => {
  const source = new SubgraphDataSource(
    'wallet',
    'http://127.0.0.1:1/graphql',
    new Histogram({
      name: 'unused',
      help: 'unused',
      labelNames: ['subgraph', 'operation'],
      registers: [],
    }),
  );
  const answer = (status: number, text: string, type = 'application/json') =>
    new Response(text, { status, headers: { 'content-type': type } }) as unknown as FetcherResponse;

  it("answers a subgraph's coded 400 with its code, not nested in extensions.response", async () => {
    const text = body([
      { message: 'Micros must be whole.', extensions: { code: 'BAD_USER_INPUT' } },
    ]);
    const error = await source.errorFromResponse(answer(400, text));
    expect(error.message).toBe('Micros must be whole.');
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT' });
  });

  it('leaves a 5xx, or a 4xx without a coded error, to Apollo Gateway', async () => {
    const fault = await source.errorFromResponse(
      answer(500, body([{ message: 'x', extensions: { code: 'BAD_USER_INPUT' } }])),
    );
    expect(fault.extensions.response).toBeDefined();
    const bare = await source.errorFromResponse(
      answer(400, '<html>Bad Request</html>', 'text/html'),
    );
    expect(bare.extensions.response).toBeDefined();
  });
});

import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { isDatabaseUnreachable } from './db/unreachable.js';
import {
  ErrorCode,
  badUserInput,
  codedError,
  conflict,
  createErrorFormatter,
  forbidden,
  notFound,
  unauthenticated,
  withHttpStatus,
} from './errors.js';

const STACK = ['Error: boom', '    at secret (/srv/app/lib/ledger.ts:42:7)'];

/** What Apollo Server hands `formatError`: the serialized error, stack included outside production. */
const formatted = (error: GraphQLError): GraphQLFormattedError => {
  const json = error.toJSON();
  return { ...json, extensions: { ...json.extensions, stacktrace: STACK } };
};

const unknownError = (): GraphQLFormattedError => ({
  message: 'connect ECONNREFUSED 10.0.0.7:5432 (password=hunter2)',
  locations: [{ line: 1, column: 3 }],
  path: ['wallet', 'balance'],
  extensions: { stacktrace: STACK, exception: { errno: -111 } },
});

describe('coded errors', () => {
  it('carry a stable code beside their details, and the code wins over a detail named code', () => {
    expect(badUserInput('Too long.', { max: 10 }).extensions).toEqual({
      code: 'BAD_USER_INPUT',
      max: 10,
    });
    expect(codedError(ErrorCode.CONFLICT, 'x', { code: 'SPOOFED' }).extensions.code).toBe(
      'CONFLICT',
    );
    expect(unauthenticated().extensions.code).toBe('UNAUTHENTICATED');
    expect(forbidden().message).toBe('You are not allowed to do this.');
    expect(notFound('Model', 'a/b')).toMatchObject({
      message: 'Model "a/b" does not exist.',
      extensions: { code: 'NOT_FOUND', id: 'a/b' },
    });
    expect(conflict('Taken.').extensions.code).toBe('CONFLICT');
  });
});

describe('createErrorFormatter in production', () => {
  const format = createErrorFormatter({ production: true });

  it('masks an unknown error: no message, no stack, no extensions but the code', () => {
    expect(format(unknownError())).toEqual({
      message: 'Internal server error.',
      locations: [{ line: 1, column: 3 }],
      path: ['wallet', 'balance'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it('masks an error that says INTERNAL_SERVER_ERROR itself, or carries a code we do not know', () => {
    for (const code of ['INTERNAL_SERVER_ERROR', 'DOWNSTREAM_SERVICE_ERROR']) {
      const out = format({
        message: 'pool exhausted',
        extensions: { code, serviceName: 'wallet' },
      });
      expect(out).toEqual({
        message: 'Internal server error.',
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
    }
  });

  it('keeps the message and details of a coded error, dropping only the stack', () => {
    const out = format(formatted(badUserInput('Prompt too long.', { maxTokens: 100 })));
    expect(out.message).toBe('Prompt too long.');
    expect(out.extensions).toEqual({ code: 'BAD_USER_INPUT', maxTokens: 100 });
  });

  it.each(Object.values(ErrorCode).filter((c) => c !== 'INTERNAL_SERVER_ERROR'))(
    'keeps the message of a %s error',
    (code) => {
      const out = format(formatted(codedError(code, `a ${code} message`)));
      expect(out.message).toBe(`a ${code} message`);
      expect(out.extensions).toEqual({ code });
    },
  );

  it("keeps Apollo Server's request-level errors readable", () => {
    const out = format({
      message: 'Syntax Error: Expected Name, found <EOF>.',
      extensions: { code: 'GRAPHQL_PARSE_FAILED', stacktrace: STACK },
    });
    expect(out).toEqual({
      message: 'Syntax Error: Expected Name, found <EOF>.',
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    });
  });
});

describe.each([true, false])('createErrorFormatter (production %s)', (production) => {
  const format = createErrorFormatter({ production });

  it("codes Apollo Server's uncoded 4xx refusals BAD_REQUEST (an APQ hash mismatch)", () => {
    // As Apollo Server raises it: a 400 status, no code.
    const error = new GraphQLError('provided sha does not match query', {
      extensions: { http: { status: 400 } },
    });
    const out = format(
      { message: error.message, extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: STACK } },
      error,
    );
    expect(out).toEqual({
      message: 'provided sha does not match query',
      extensions: { code: 'BAD_REQUEST' },
    });
  });

  it('still masks an uncoded error that asked for a 5xx', () => {
    const error = withHttpStatus(new GraphQLError('pool exhausted'), 503);
    const out = format(
      { message: error.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } },
      error,
    );
    expect(out.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
  });

  it('gives a coded refusal the HTTP status Apollo Server answers it with', () => {
    expect(withHttpStatus(forbidden(), 403).extensions).toEqual({
      code: 'FORBIDDEN',
      http: { status: 403 },
    });
  });
});

describe('createErrorFormatter in development', () => {
  const format = createErrorFormatter({ production: false });

  it('codes an unknown error INTERNAL_SERVER_ERROR but keeps its message and stack', () => {
    const out = format(unknownError());
    expect(out.message).toBe(unknownError().message);
    expect(out.path).toEqual(['wallet', 'balance']);
    expect(out.extensions).toEqual({
      code: 'INTERNAL_SERVER_ERROR',
      stacktrace: STACK,
      exception: { errno: -111 },
    });
  });

  it('replaces an unknown code with INTERNAL_SERVER_ERROR', () => {
    const out = format({ message: 'odd', extensions: { code: 'SOMETHING_ELSE' } });
    expect(out).toEqual({ message: 'odd', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });

  it('leaves a coded error as it was, without the stack of an expected outcome', () => {
    const out = format(formatted(forbidden('Not your team.')));
    expect(out).toEqual({
      message: 'Not your team.',
      extensions: { code: 'FORBIDDEN' },
    });
  });

  it.each(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED'])(
    'gives a %s error no stack trace',
    (code) => {
      const out = format({ message: 'Wrong.', extensions: { code, stacktrace: STACK } });
      expect(out).toEqual({ message: 'Wrong.', extensions: { code } });
    },
  );
});

describe('createErrorFormatter with a database that cannot be reached', () => {
  const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });
  const netError = (code: string) =>
    Object.assign(new Error(`connect ${code} 10.0.0.7:5432`), { code, syscall: 'connect' });
  /** What Apollo Server hands formatError for an error a resolver threw. */
  const fromResolver = (original: Error): [GraphQLFormattedError, unknown] => {
    const error = new GraphQLError(original.message, {
      path: ['wallet', 'balance'],
      originalError: original,
    });
    return [formatted(error), error];
  };

  it.each([
    [
      '57P01 (the server is restarting)',
      pgError('57P01', 'terminating connection due to administrator command'),
    ],
    [
      '57P02 (the server crashed)',
      pgError('57P02', 'terminating connection due to crash of another server process'),
    ],
    [
      '57P03 (the server is shutting down)',
      pgError('57P03', 'the database system is shutting down'),
    ],
    ['class 08 (connection failure)', pgError('08006', 'connection failure')],
    ['53300 (no connections left)', pgError('53300', 'sorry, too many clients already')],
    ['a broken connection', new Error('Connection terminated unexpectedly')],
    [
      'a client that lost its connection',
      new Error('Client has encountered a connection error and is not queryable'),
    ],
    ['a refused connection', netError('ECONNREFUSED')],
    ['a reset connection', netError('ECONNRESET')],
    [
      // Seen under jest when a real server restarted: node's socket error is from another realm,
      // so graphql-js wrapped it as a value that is not an Error.
      'a refused connection graphql-js did not take for an Error',
      Object.assign(new Error('Unexpected error value: { code: "ECONNREFUSED" }'), {
        name: 'NonErrorThrown',
        thrownValue: { errno: -111, code: 'ECONNREFUSED', syscall: 'connect' },
      }),
    ],
    [
      'every address refused',
      Object.assign(new AggregateError([netError('ECONNREFUSED'), netError('ECONNREFUSED')]), {
        code: 'ECONNREFUSED',
      }),
    ],
  ])('answers %s with SERVICE_UNAVAILABLE and no internals', (_, original) => {
    for (const production of [true, false]) {
      const format = createErrorFormatter({
        production,
        isStoreUnavailable: isDatabaseUnreachable,
      });
      expect(format(...fromResolver(original))).toEqual({
        message: 'The database is unavailable right now; try again.',
        path: ['wallet', 'balance'],
        extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 1 },
      });
    }
  });

  it.each([
    ['a constraint violation', pgError('23505', 'duplicate key value violates unique constraint')],
    ['a missing table', pgError('42P01', 'relation "x" does not exist')],
    ['a cancelled statement', pgError('57014', 'canceling statement due to statement timeout')],
    ['a plain bug', new Error('boom')],
    ['an ECONNREFUSED that is not a socket error', pgError('ECONNREFUSED', 'made up')],
    [
      'a thrown value that is no database error',
      Object.assign(new Error('Unexpected error value: "boom"'), { thrownValue: 'boom' }),
    ],
  ])('keeps %s as it was', (_, original) => {
    for (const production of [true, false]) {
      const plain = createErrorFormatter({ production });
      const mapping = createErrorFormatter({
        production,
        isStoreUnavailable: isDatabaseUnreachable,
      });
      expect(mapping(...fromResolver(original))).toEqual(plain(...fromResolver(original)));
      expect(mapping(...fromResolver(original)).extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    }
  });

  it('leaves a coded error alone even when a database error caused it', () => {
    const error = new GraphQLError('Not enough credits.', {
      extensions: { code: 'INSUFFICIENT_FUNDS' },
      originalError: pgError('57P01', 'terminating connection'),
    });
    const format = createErrorFormatter({
      production: true,
      isStoreUnavailable: isDatabaseUnreachable,
    });
    expect(format(formatted(error), error)).toEqual({
      message: 'Not enough credits.',
      extensions: { code: 'INSUFFICIENT_FUNDS' },
    });
  });
});

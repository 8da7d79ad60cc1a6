import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import {
  ErrorCode,
  badUserInput,
  codedError,
  conflict,
  createErrorFormatter,
  forbidden,
  notFound,
  unauthenticated,
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

  it('leaves a coded error as it was, stack included', () => {
    const out = format(formatted(forbidden('Not your team.')));
    expect(out).toEqual({
      message: 'Not your team.',
      extensions: { code: 'FORBIDDEN', stacktrace: STACK },
    });
  });
});

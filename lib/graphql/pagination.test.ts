import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  decodeCursor,
  encodeCursor,
  pageSize,
  toPage,
} from './pagination.js';

const badCursor = { extensions: { code: 'BAD_USER_INPUT', argument: 'after' } };
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('cursors', () => {
  it.each<[string, (string | number)[]]>([
    ['a model id', ['openai/gpt-4o-mini']],
    ['a composite key with a number', ['2026-01-31T12:00:00.000Z', 42]],
    ['unicode and quotes', ['naïve "quoted" / key']],
  ])('round-trips %s (numbers come back as strings)', (_case, key) => {
    expect(decodeCursor('model', encodeCursor('model', key))).toEqual(key.map(String));
  });

  it('is URL-safe and does not show the key in clear', () => {
    const cursor = encodeCursor('model', ['openai/gpt-4o-mini?x=1+2']);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain('openai');
  });

  it('returns null when there is no cursor', () => {
    expect(decodeCursor('model', null)).toBeNull();
    expect(decodeCursor('model', undefined)).toBeNull();
  });

  it.each<[string, string]>([
    ['a cursor of another list', encodeCursor('ledger', ['openai/gpt-4o-mini'])],
    ['garbage', 'not a cursor!'],
    ['an empty string', ''],
    ['base64 of something that is not JSON', Buffer.from('model:x').toString('base64url')],
    ['a JSON object', base64url({ kind: 'model', id: 'x' })],
    ['the kind without a key', base64url(['model'])],
    ['a key part that is an object', base64url(['model', { id: 'x' }])],
    ['a key part that is null', base64url(['model', null])],
    ['a JSON string', base64url('model')],
  ])('rejects %s with BAD_USER_INPUT', (_case, cursor) => {
    let error: unknown;
    try {
      decodeCursor('model', cursor);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject(badCursor);
  });
});

describe('pageSize', () => {
  it('defaults to 20', () => {
    expect(DEFAULT_PAGE_SIZE).toBe(20);
    expect(pageSize(undefined)).toBe(20);
    expect(pageSize(null)).toBe(20);
  });

  it.each([0, 1, 50, MAX_PAGE_SIZE])('accepts %d', (first) => {
    expect(pageSize(first)).toBe(first);
  });

  it.each([-1, MAX_PAGE_SIZE + 1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'rejects %d with BAD_USER_INPUT',
    (first) => {
      expect(() => pageSize(first)).toThrow(
        expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', argument: 'first' } }),
      );
    },
  );
});

describe('toPage', () => {
  it('drops the extra row and says a next page exists', () => {
    expect(toPage([1, 2, 3], 2, null)).toEqual({
      nodes: [1, 2],
      hasNextPage: true,
      hasPreviousPage: false,
    });
  });

  it('says there is no next page when the store returned at most size rows', () => {
    expect(toPage([1, 2], 2, undefined)).toEqual({
      nodes: [1, 2],
      hasNextPage: false,
      hasPreviousPage: false,
    });
  });

  it('reports a previous page whenever a cursor was given', () => {
    expect(toPage([], 5, 'cursor').hasPreviousPage).toBe(true);
  });

  it('returns no nodes for a page size of 0 but still tells whether rows exist', () => {
    expect(toPage([1], 0, null)).toEqual({ nodes: [], hasNextPage: true, hasPreviousPage: false });
    expect(toPage([], 0, null).hasNextPage).toBe(false);
  });
});

import { parse } from 'graphql';
import { thrownBy as thrown } from '../../test/support/thrown.js';
import { refuseNulBytes } from './nul-bytes.js';

describe('refuseNulBytes', () => {
  const plain = parse('mutation($input: CreateTeamInput!) { createTeam(input: $input) { id } }');

  it('refuses a NUL byte in a variable, however deep, naming where it is', () => {
    const error = thrown(() =>
      refuseNulBytes(plain, { input: { name: 'ok', tags: ['fine', 'bad\u0000'] } }),
    );
    expect(error).toMatchObject({
      message: expect.stringContaining('$input.tags[1]'),
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('refuses a NUL byte in a string literal, and in an object key', () => {
    const literal = parse('mutation { createTeam(input: { name: "a\\u0000b" }) { id } }');
    expect(thrown(() => refuseNulBytes(literal, {}))).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(thrown(() => refuseNulBytes(plain, { input: { 'k\u0000': 1 } }))).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('lets any other text through, control characters and all', () => {
    expect(() =>
      refuseNulBytes(parse('{ models(filter: { search: "tab\\tnew\\nline" }) { totalCount } }'), {
        input: { name: 'héllo \u0001 \ud83d\ude00', n: 1, list: [null, true] },
      }),
    ).not.toThrow();
    expect(() => refuseNulBytes(plain, null)).not.toThrow();
  });
});

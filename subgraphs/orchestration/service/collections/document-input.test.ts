import { GraphQLError } from 'graphql';
import { checkDocuments, MAX_DOCUMENT_CHARS, MAX_DOCUMENTS_PER_CALL } from './document-input.js';

const chunking = { maxChars: 1000, overlapChars: 150 };
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof GraphQLError ? [error.extensions.code, error.extensions.field] : error;
  }
  return 'no error';
};

describe('checkDocuments', () => {
  it('keys a document by its content hash unless given a key, and hashes what is embedded', () => {
    const [plain] = checkDocuments([{ content: 'Hello.' }], chunking);
    expect(plain!.key).toBe(`sha256:${plain!.contentHash}`);
    expect(plain!.format).toBe('TEXT');
    const hashOf = (doc: Record<string, unknown>, options = chunking) =>
      checkDocuments([{ content: 'Hello.', key: 'k', ...doc }], options)[0]!.contentHash;
    const base = hashOf({});
    expect(hashOf({})).toBe(base);
    expect(hashOf({ title: 'T' })).not.toBe(base);
    expect(hashOf({ metadata: { lang: 'en' } })).not.toBe(base);
    expect(hashOf({ format: 'MARKDOWN' })).not.toBe(base);
    expect(hashOf({}, { maxChars: 500, overlapChars: 150 })).not.toBe(base);
  });

  it('refuses bad documents with BAD_USER_INPUT naming the field', () => {
    expect(codeOf(() => checkDocuments([], chunking))).toEqual(['BAD_USER_INPUT', 'documents']);
    const many = Array.from({ length: MAX_DOCUMENTS_PER_CALL + 1 }, (_, i) => ({
      content: `${i}`,
    }));
    expect(codeOf(() => checkDocuments(many, chunking))).toEqual(['BAD_USER_INPUT', 'documents']);
    expect(codeOf(() => checkDocuments([{ content: '  \n' }], chunking))).toEqual([
      'BAD_USER_INPUT',
      'documents[0].content',
    ]);
    expect(
      codeOf(() => checkDocuments([{ content: 'x'.repeat(MAX_DOCUMENT_CHARS + 1) }], chunking)),
    ).toEqual(['BAD_USER_INPUT', 'documents[0].content']);
    for (const metadata of [[1], 'x', { section: 'mine' }, { big: 'x'.repeat(9000) }]) {
      expect(codeOf(() => checkDocuments([{ content: 'a', metadata }], chunking))).toEqual([
        'BAD_USER_INPUT',
        'documents[0].metadata',
      ]);
    }
    expect(
      codeOf(() =>
        checkDocuments(
          [
            { key: 'same', content: 'a' },
            { key: 'same', content: 'b' },
          ],
          chunking,
        ),
      ),
    ).toEqual(['BAD_USER_INPUT', 'documents[1].key']);
  });
});

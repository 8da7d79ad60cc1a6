import { createHash } from 'node:crypto';

/**
 * A GraphQL document's id: the SHA-256 (hex) of its text. Apollo's `queryHash`, an APQ hash, a
 * persisted-query manifest's id and field usage's operation hash are all this one value.
 */
export const documentId = (text: string) => createHash('sha256').update(text).digest('hex');

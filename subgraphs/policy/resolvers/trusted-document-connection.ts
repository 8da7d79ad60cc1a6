import { badUserInput } from '../../../lib/errors.js';
import { toConnection } from '../../../lib/graphql/connection.js';
import { decodeCursor, encodeCursor, pageSize, toPage } from '../../../lib/graphql/pagination.js';
import type { PolicyContext } from '../context.js';
import type { TrustedDocumentRow } from '../store/trusted-document-store.js';

const CURSOR_KIND = 'trusted-document';

/** A page of trusted-document registrations, in publishing order. */
export async function trustedDocumentConnection(
  ctx: PolicyContext,
  clientName: string | null,
  first: number | null | undefined,
  after: string | null | undefined,
) {
  const size = pageSize(first);
  const afterSeq = decodeCursor(CURSOR_KIND, after)?.[0] ?? null;
  if (afterSeq !== null && !/^\d{1,18}$/.test(afterSeq)) {
    throw badUserInput('The cursor is not valid for this list.', { argument: 'after' });
  }
  const rows = await ctx.service.trustedDocuments(clientName, afterSeq, size + 1);
  return toConnection<TrustedDocumentRow>(
    toPage(rows, size, after),
    (document) => encodeCursor(CURSOR_KIND, [document.seq]),
    () => ctx.service.countTrustedDocuments(clientName),
  );
}

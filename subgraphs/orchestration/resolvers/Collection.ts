import { toConnection } from '../../../lib/graphql/connection.js';
import { decodeCursor, encodeCursor, pageSize, toPage } from '../../../lib/graphql/pagination.js';
import type { CollectionResolvers } from '../generated/resolvers-types.js';

export const Collection: CollectionResolvers = {
  documents: async (collection, { first, after }, ctx) => {
    const size = pageSize(first);
    const [afterKey] = decodeCursor('collection-documents', after) ?? [];
    const rows = await ctx.collections.documentsOf(collection.id, size + 1, afterKey ?? null);
    return toConnection(
      toPage(rows, size, after),
      (d) => encodeCursor('collection-documents', [d.key]),
      async () => collection.documentCount,
    );
  },
};

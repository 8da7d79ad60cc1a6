import type { TrustedDocumentResolvers } from '../generated/resolvers-types.js';

export const TrustedDocument: TrustedDocumentResolvers = {
  operationName: (document) => document.name,
  operationType: (document) => document.type,
};

import type { GraphQLSchema } from 'graphql';
import type { Db } from '../../../lib/db/index.js';
import { badUserInput } from '../../../lib/errors.js';
import { createAuditStore } from '../store/audit-store.js';
import { createTrustedDocumentStore } from '../store/trusted-document-store.js';
import type { Caller } from './audit-trail.js';
import { checkManifest, type ManifestInput } from './manifest-check.js';

/** The longest client name or version (what the gateway reads from the headers). */
export const MAX_CLIENT_FIELD_CHARS = 100;

/** What a publish did. */
export interface PublishedDocuments {
  clientName: string;
  clientVersion: string;
  /** Distinct operations in the manifest. */
  documentCount: number;
  /** Of those, how many were not yet registered for this client version. */
  addedCount: number;
}

function clientField(value: string, field: 'clientName' | 'clientVersion'): string {
  if (value.length < 1 || value.length > MAX_CLIENT_FIELD_CHARS || value.trim() !== value) {
    throw badUserInput(
      `${field} must be 1 to ${MAX_CLIENT_FIELD_CHARS} characters, without surrounding spaces.`,
      { field },
    );
  }
  return value;
}

/**
 * Trusted documents (decision 81): clients publish the operations they run, checked against the
 * API schema served today; the gateway asks which ids a client registered.
 */
export function createTrustedDocumentService(db: Db, apiSchema: () => GraphQLSchema) {
  return {
    /**
     * Registers a manifest's operations for a client version, all or nothing, audited. Publishing
     * the same version again adds what is new and changes nothing else.
     */
    async publishDocuments(
      caller: Caller,
      input: { clientName: string; clientVersion: string; manifest: ManifestInput },
    ): Promise<PublishedDocuments> {
      const clientName = clientField(input.clientName, 'clientName');
      const clientVersion = clientField(input.clientVersion, 'clientVersion');
      const operations = checkManifest(input.manifest, apiSchema());
      return db.transaction(async (tx) => {
        const addedCount = await createTrustedDocumentStore(tx).register(
          { name: clientName, version: clientVersion, publishedBy: caller.principal.id },
          operations,
        );
        await createAuditStore(tx).append({
          teamId: null,
          actor: caller.principal.id,
          action: 'DOCUMENTS_PUBLISHED',
          outcome: 'SUCCEEDED',
          targetType: 'Client',
          targetId: `${clientName}@${clientVersion}`,
          requestId: caller.requestId,
          details: { clientName, clientVersion, documents: operations.length, added: addedCount },
        });
        return { clientName, clientVersion, documentCount: operations.length, addedCount };
      });
    },

    /** Registrations in publishing order (a page of `limit` after `afterSeq`). */
    trustedDocuments: (clientName: string | null, afterSeq: string | null, limit: number) =>
      createTrustedDocumentStore(db).list(clientName, afterSeq, limit),

    countTrustedDocuments: (clientName: string | null) =>
      createTrustedDocumentStore(db).count(clientName),
  };
}

export type TrustedDocumentService = ReturnType<typeof createTrustedDocumentService>;

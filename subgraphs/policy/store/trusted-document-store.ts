import type { Queryable } from '../../../lib/db/index.js';

export type OperationType = 'query' | 'mutation' | 'subscription';

/** An operation as a manifest lists it; `id` is the SHA-256 (hex) of `body`. */
export interface TrustedOperation {
  id: string;
  name: string | null;
  type: OperationType;
  body: string;
}

/** One document registered for one client version. */
export interface TrustedDocumentRow extends TrustedOperation {
  seq: string;
  clientName: string;
  clientVersion: string;
  publishedAt: Date;
}

interface TrustedDocumentRecord {
  seq: string;
  id: string;
  body: string;
  operation_name: string | null;
  operation_type: OperationType;
  client_name: string;
  client_version: string;
  published_at: Date;
}

const toRow = (r: TrustedDocumentRecord): TrustedDocumentRow => ({
  seq: String(r.seq),
  id: r.id,
  name: r.operation_name,
  type: r.operation_type,
  body: r.body,
  clientName: r.client_name,
  clientVersion: r.client_version,
  publishedAt: r.published_at,
});

/** Registered documents and which client versions registered them. */
export function createTrustedDocumentStore(db: Queryable) {
  return {
    /**
     * Registers `operations` for one client version; what is already registered stays as it is.
     * Returns how many registrations are new.
     */
    async register(
      client: { name: string; version: string; publishedBy: string },
      operations: readonly TrustedOperation[],
    ): Promise<number> {
      await db.query(
        `INSERT INTO trusted_documents (id, body, operation_name, operation_type)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
         ON CONFLICT (id) DO NOTHING`,
        [
          operations.map((o) => o.id),
          operations.map((o) => o.body),
          operations.map((o) => o.name),
          operations.map((o) => o.type),
        ],
      );
      const { rowCount } = await db.query(
        `INSERT INTO trusted_document_clients (client_name, client_version, document_id, published_by)
         SELECT $1, $2, id, $3 FROM unnest($4::text[]) AS id
         ON CONFLICT DO NOTHING`,
        [client.name, client.version, client.publishedBy, operations.map((o) => o.id)],
      );
      return rowCount ?? 0;
    },

    /**
     * The body of document `id`, and whether client `clientName` (at any version) registered it;
     * undefined when nobody did.
     */
    async lookup(
      id: string,
      clientName: string,
    ): Promise<{ body: string; registeredForClient: boolean } | undefined> {
      const { rows } = await db.query<{ body: string; registered: boolean }>(
        `SELECT d.body, EXISTS (
           SELECT 1 FROM trusted_document_clients c WHERE c.document_id = d.id AND c.client_name = $2
         ) AS registered
         FROM trusted_documents d WHERE d.id = $1`,
        [id, clientName],
      );
      const row = rows[0];
      return row && { body: row.body, registeredForClient: row.registered };
    },

    /** Registrations in publishing order, after `afterSeq`, optionally of one client name. */
    async list(
      clientName: string | null,
      afterSeq: string | null,
      limit: number,
    ): Promise<TrustedDocumentRow[]> {
      const { rows } = await db.query<TrustedDocumentRecord>(
        `SELECT c.seq, d.id, d.body, d.operation_name, d.operation_type, c.client_name,
           c.client_version, c.published_at
         FROM trusted_document_clients c JOIN trusted_documents d ON d.id = c.document_id
         WHERE ($1::text IS NULL OR c.client_name = $1) AND ($2::bigint IS NULL OR c.seq > $2)
         ORDER BY c.seq LIMIT $3`,
        [clientName, afterSeq, limit],
      );
      return rows.map(toRow);
    },

    async count(clientName: string | null): Promise<number> {
      const { rows } = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM trusted_document_clients
         WHERE $1::text IS NULL OR client_name = $1`,
        [clientName],
      );
      return Number(rows[0]?.n ?? 0);
    },
  };
}

/** How often one client version's operation used a coordinate in the window. */
export interface CoordinateUse {
  coordinate: string;
  clientName: string;
  clientVersion: string;
  operationName: string;
  operationHash: string;
  count: number;
}

/** A trusted document a client registered (policy's `trustedDocuments`). */
export interface RegisteredDocument {
  id: string;
  clientName: string;
  clientVersion: string;
  operationName: string | null;
  body: string;
}

/** Where a schema check learns who uses what: a running platform, or a test's fixture. */
export interface UsageSource {
  /** Recent traffic on these coordinates since `since`. */
  fieldUsage(coordinates: string[], since: Date): Promise<CoordinateUse[]>;
  /** Every registered trusted document. */
  trustedDocuments(): Promise<RegisteredDocument[]>;
}

/** One page of `trustedDocuments`, in the shape the policy subgraph answers (house connections). */
export interface TrustedDocumentPage {
  trustedDocuments: {
    edges: Array<{ node: RegisteredDocument }>;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

/**
 * Rows per `fieldUsage` call: the gateway's cost limit (GRAPHQL_MAX_COST, 10,000 by default)
 * prices a list by its `first`, so one call cannot ask for policy's 10,000.
 */
const ROWS_PER_CALL = 900;
const FIELD_USAGE = `query SchemaCheckFieldUsage($since: DateTime!, $coordinates: [String!]) {
  fieldUsage(since: $since, coordinates: $coordinates, first: ${ROWS_PER_CALL}) {
    coordinate clientName clientVersion operationName operationHash count
  }
}`;

const TRUSTED_DOCUMENTS = `query SchemaCheckTrustedDocuments($after: String) {
  trustedDocuments(first: 100, after: $after) {
    edges { node { id clientName clientVersion operationName body } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** Coordinates one `fieldUsage` call asks about first; halved while an answer fills a page. */
const COORDINATES_PER_CALL = 25;

/** Every document, page after page. */
export async function readAllDocuments(
  page: (after: string | null) => Promise<TrustedDocumentPage>,
): Promise<RegisteredDocument[]> {
  const documents: RegisteredDocument[] = [];
  let after: string | null = null;
  for (;;) {
    const { trustedDocuments } = await page(after);
    documents.push(...trustedDocuments.edges.map((edge) => edge.node));
    if (!trustedDocuments.pageInfo.hasNextPage || !trustedDocuments.pageInfo.endCursor) break;
    after = trustedDocuments.pageInfo.endCursor;
  }
  return documents;
}

/** Runs an operation against a platform's gateway with an organization admin's key. */
export function gatewayGraphql(url: string, key: string) {
  return async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${key}`,
        'apollographql-client-name': 'schema-check',
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json().catch(() => ({}))) as {
      data?: T;
      errors?: Array<{ message: string; extensions?: { code?: string } }>;
    };
    const error = body.errors?.[0];
    if (error || !body.data) {
      const why = error ? `${error.extensions?.code ?? 'ERROR'}: ${error.message}` : 'no data';
      throw new Error(`${url} answered ${response.status} (${why})`);
    }
    return body.data;
  };
}

/** Usage and registered documents from a running platform, through its gateway's GraphQL. */
export function gatewayUsageSource(url: string, key: string): UsageSource {
  const run = gatewayGraphql(url, key);
  return {
    async fieldUsage(coordinates, since) {
      // A full answer may have left rows out (it is sorted by count, not by coordinate): ask again
      // about fewer coordinates rather than miss a user.
      const ask = async (part: string[]): Promise<CoordinateUse[]> => {
        const { fieldUsage } = await run<{ fieldUsage: CoordinateUse[] }>(FIELD_USAGE, {
          since: since.toISOString(),
          coordinates: part,
        });
        if (fieldUsage.length < ROWS_PER_CALL) return fieldUsage;
        if (part.length === 1) {
          throw new Error(`${part[0]} has more than ${ROWS_PER_CALL} users; cannot list them all`);
        }
        const half = Math.ceil(part.length / 2);
        return [...(await ask(part.slice(0, half))), ...(await ask(part.slice(half)))];
      };
      const uses: CoordinateUse[] = [];
      for (let i = 0; i < coordinates.length; i += COORDINATES_PER_CALL) {
        uses.push(...(await ask(coordinates.slice(i, i + COORDINATES_PER_CALL))));
      }
      return uses;
    },
    trustedDocuments: () =>
      readAllDocuments((after) => run<TrustedDocumentPage>(TRUSTED_DOCUMENTS, { after })),
  };
}

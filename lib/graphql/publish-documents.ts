/*
 * Registers a client version's operations as trusted documents (decision 81) through the
 * gateway's `publishDocuments` mutation, as an organization admin (`token`).
 */
const PUBLISH = `mutation PublishDocuments($input: PublishDocumentsInput!) {
  publishDocuments(input: $input) { clientName clientVersion documentCount addedCount }
}`;

export interface PublishedDocuments {
  clientName: string;
  clientVersion: string;
  documentCount: number;
  addedCount: number;
}

interface PublishResponse {
  data?: { publishDocuments: PublishedDocuments } | null;
  errors?: Array<{
    message: string;
    extensions?: { code?: string; operations?: Array<{ name: string | null; problems: string[] }> };
  }>;
}

/** Refused: one line per error, then each refused operation and its problems. */
export class PublishRefused extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

export async function publishDocuments(options: {
  /** The gateway's /graphql. */
  url: string;
  token: string;
  clientName: string;
  clientVersion: string;
  /** Apollo's persisted-query manifest, as `generate-persisted-query-manifest` writes it. */
  manifest: unknown;
}): Promise<PublishedDocuments> {
  const { url, token, clientName, clientVersion, manifest } = options;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: PUBLISH,
      variables: { input: { clientName, clientVersion, manifest } },
    }),
  });
  const result = (await response.json()) as PublishResponse;
  const published = result.data?.publishDocuments;
  if (published) return published;
  const lines: string[] = [];
  for (const error of result.errors ?? [{ message: `HTTP ${response.status}` }]) {
    lines.push(`${error.extensions?.code ?? 'ERROR'}: ${error.message}`);
    for (const operation of error.extensions?.operations ?? []) {
      lines.push(`  ${operation.name ?? '(anonymous)'}: ${operation.problems.join('; ')}`);
    }
  }
  throw new PublishRefused(lines);
}

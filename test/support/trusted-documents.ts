import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import type { PersistedQueryManifest } from '@apollo/generate-persisted-query-manifest';
import { generatePersistedQueryIdsFromManifest } from '@apollo/persisted-query-lists';
import { typed } from './typed-document.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = join(ROOT, 'test/fixtures/trusted-client');
const GENERATOR = join(ROOT, 'node_modules/.bin/generate-persisted-query-manifest');

/** A manifest the real generator wrote for the fixture client, and where it is on disk. */
export interface GeneratedManifest {
  manifest: PersistedQueryManifest;
  path: string;
  /** The operation of that name (fails the test when the generator did not write it). */
  operation(name: string): PersistedQueryManifest['operations'][number];
  remove(): Promise<void>;
}

/**
 * Runs `generate-persisted-query-manifest` (the real binary) on a copy of the fixture client
 * project under test/fixtures/trusted-client, with `extraOperations` (file name to text) added to
 * its sources.
 */
export async function generateManifest(
  extraOperations: Record<string, string> = {},
): Promise<GeneratedManifest> {
  const dir = await mkdtemp(join(tmpdir(), 'mg-trusted-client-'));
  await cp(FIXTURE, dir, { recursive: true });
  for (const [name, text] of Object.entries(extraOperations)) {
    await writeFile(join(dir, 'src', name), text);
  }
  await run(GENERATOR, [], { cwd: dir, timeout: 60_000 });
  const path = join(dir, 'persisted-query-manifest.json');
  const manifest = JSON.parse(await readFile(path, 'utf8')) as PersistedQueryManifest;
  return {
    manifest,
    path,
    operation(name) {
      const found = manifest.operations.find((o) => o.name === name);
      if (!found) throw new Error(`The manifest has no operation ${name}.`);
      return found;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** `npm run documents:publish` as an operator runs it; resolves its exit code and output. */
export async function publishWithCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'scripts/publish-documents.ts'), ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

export const PUBLISH = typed<
  {
    publishDocuments: {
      clientName: string;
      clientVersion: string;
      documentCount: number;
      addedCount: number;
    };
  },
  { input: { clientName: string; clientVersion: string; manifest: PersistedQueryManifest } }
>(`mutation Publish($input: PublishDocumentsInput!) {
  publishDocuments(input: $input) { clientName clientVersion documentCount addedCount }
}`);

export const LIST = typed<
  {
    trustedDocuments: {
      totalCount: number;
      edges: Array<{
        node: {
          id: string;
          clientName: string;
          clientVersion: string;
          operationName: string | null;
          operationType: string;
          body: string;
        };
      }>;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  },
  { clientName?: string; first?: number; after?: string | null }
>(`query List($clientName: String, $first: Int, $after: String) {
  trustedDocuments(clientName: $clientName, first: $first, after: $after) {
    totalCount
    edges { node { id clientName clientVersion operationName operationType body publishedAt } }
    pageInfo { hasNextPage endCursor }
  }
}`);

/** The persisted-queries link sending only the manifest's ids (`generatePersistedQueryIdsFromManifest`). */
export const persistedQueryLink = (
  manifest: PersistedQueryManifest,
  useGETForHashedQueries = false,
) =>
  new PersistedQueryLink({
    ...generatePersistedQueryIdsFromManifest({ loadManifest: () => manifest }),
    useGETForHashedQueries,
  });

/**
 * Apollo Client 4 as an app ships it with trusted documents: the persisted-queries link with ids
 * from the manifest (`generatePersistedQueryIdsFromManifest`), client awareness, and HttpLink.
 * Every request body it sends is kept in `sent`.
 */
export function persistedQueryClient(options: {
  url: string;
  token: string;
  manifest: PersistedQueryManifest;
  client: { name: string; version: string };
  useGETForHashedQueries?: boolean;
}) {
  const sent: Array<{ method: string; url: string; body: unknown }> = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    sent.push({
      method: init?.method ?? 'GET',
      url: String(input),
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    return fetch(input, init);
  };
  const client = new ApolloClient({
    link: persistedQueryLink(options.manifest, options.useGETForHashedQueries).concat(
      new HttpLink({
        uri: options.url,
        fetch: recordingFetch,
        headers: { authorization: `Bearer ${options.token}` },
      }),
    ),
    cache: new InMemoryCache(),
    clientAwareness: options.client,
  });
  return { client, sent };
}

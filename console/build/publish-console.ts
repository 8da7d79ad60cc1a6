import { readFileSync } from 'node:fs';
import { publishDocuments } from '../../lib/graphql/publish-documents.js';
import { CONSOLE_CLIENT_NAME, CONSOLE_MANIFEST } from './paths.js';

/**
 * Registers the built console's operations as its trusted documents (decision 91), so it works
 * with TRUSTED_DOCUMENTS=require. Publishing only adds and a version may be published again
 * (decision 82), so every start may do it. `version` is the build's source hash.
 */
export function publishConsoleDocuments(options: { url: string; token: string; version: string }) {
  return publishDocuments({
    url: options.url,
    token: options.token,
    clientName: CONSOLE_CLIENT_NAME,
    clientVersion: options.version,
    manifest: JSON.parse(readFileSync(CONSOLE_MANIFEST, 'utf8')),
  });
}

import { documentId } from '../../lib/graphql/document-id.js';
import type { IncomingHttpHeaders } from 'node:http';
import { isOrgAdmin, type Principal } from '../../lib/auth/principal.js';
import type { Logger } from '../../lib/logging.js';
import { clientIdentityOf, type ClientIdentity } from '../clients/client-identity.js';
import type { DocumentRegistry } from './document-registry.js';
import { persistedRequestOf, withDocument } from './persisted-request.js';

/**
 * `off`: registered ids are resolved, anything else runs as before; `log`: the same, and an
 * operation not registered for its client is logged and counted; `require`: such an operation
 * is refused unless an organization admin sends it.
 */
export type TrustedDocumentsMode = 'off' | 'log' | 'require';

/** Apollo Router's codes for the same refusals. */
export const NOT_IN_LIST = 'PERSISTED_QUERY_NOT_IN_LIST';
export const UNKNOWN_ID = 'PERSISTED_QUERY_UNKNOWN_ID';

/** What an unregistered operation was: a full query, or an id. */
export type UnregisteredKind = 'query' | 'id';
/** What became of it. */
export type UnregisteredAction = 'served' | 'refused' | 'exempt';

export interface TrustedDocumentsDeps {
  mode: TrustedDocumentsMode;
  registry: DocumentRegistry;
  /** Counts operations not registered for their client. */
  countUnregistered?: (kind: UnregisteredKind, action: UnregisteredAction) => void;
}

export interface DocumentRequest {
  method: string;
  url: URL;
  body: unknown;
  headers: IncomingHttpHeaders;
  principal: Principal;
  requestId: string;
  logger: Logger;
}

/** The request to run (with a registered document's text in place of its id), or a refusal. */
export type DocumentResolution =
  | { run: { url: URL; body: unknown } }
  | { refuse: { code: typeof NOT_IN_LIST | typeof UNKNOWN_ID; message: string } }
  /** The registry could not be asked and the mode needs its answer. */
  | { unavailable: string };

const ID = /^[0-9a-f]{64}$/;
const clientLabel = (client: ClientIdentity) => (client.name ? `"${client.name}"` : 'no name');

/**
 * The trusted-documents step of /graphql (decision 81), before Apollo and the subscription path:
 * an id becomes its registered text; an operation not registered for the calling client (its
 * name, at any version) is served, logged or refused by mode.
 */
export function createTrustedDocuments(deps: TrustedDocumentsDeps) {
  const { mode, registry } = deps;

  const resolveDocument = async (request: DocumentRequest): Promise<DocumentResolution> => {
    const { method, url, body } = request;
    const asSent = { run: { url, body } };
    const sent = persistedRequestOf(method, url, body);
    const client = clientIdentityOf(request.headers);
    const exempt = isOrgAdmin(request.principal);

    /** An operation not registered for this client: served, logged and served, or refused. */
    const unregistered = (kind: UnregisteredKind, id: string, refusal: string) => {
      const action: UnregisteredAction =
        mode !== 'require' ? 'served' : exempt ? 'exempt' : 'refused';
      if (mode !== 'off') {
        deps.countUnregistered?.(kind, action);
        // An admin exploring the schema is expected; only counted unless debugging.
        request.logger[action === 'exempt' ? 'debug' : 'warn'](
          {
            trustedDocuments: mode,
            kind,
            action,
            documentId: id,
            client,
            principalId: request.principal.id,
          },
          'operation not registered for its client',
        );
      }
      if (action !== 'refused') return undefined;
      return {
        refuse: {
          code: kind === 'query' ? NOT_IN_LIST : UNKNOWN_ID,
          message: refusal,
        },
      } as const;
    };

    if (sent.query !== undefined) {
      if (mode === 'off') return asSent;
      const id = documentId(sent.query);
      // An organization admin's full query runs in any mode, so it never waits on the registry.
      const found = await registry
        .lookup(id, client.name, request.requestId)
        .catch((error: unknown) => {
          if (!exempt) throw error;
          request.logger.warn({ err: error }, 'trusted documents unavailable; admin exempt');
          return null;
        });
      if (!found || found.registeredForClient) return asSent;
      return (
        unregistered(
          'query',
          id,
          `This operation is not registered for client ${clientLabel(client)}: publish it (npm run documents:publish) and send its id.`,
        ) ?? asSent
      );
    }
    if (sent.id === undefined) return asSent; // not a GraphQL request Apollo would run
    const found = ID.test(sent.id)
      ? await registry.lookup(sent.id, client.name, request.requestId)
      : { body: null, registeredForClient: false };
    if (!found.registeredForClient) {
      const refusal = unregistered(
        'id',
        sent.id,
        `No operation with this id is registered for client ${clientLabel(client)}.`,
      );
      if (refusal) return refusal;
    }
    // Unknown to the registry: Apollo's own automatic persisted queries may know it.
    if (found.body === null) return asSent;
    return { run: withDocument(method, url, body, found.body) };
  };

  return async function resolve(request: DocumentRequest): Promise<DocumentResolution> {
    try {
      return await resolveDocument(request);
    } catch (error) {
      request.logger.error({ err: error }, 'trusted documents unavailable');
      // Only require needs the registry's answer; otherwise the request runs as it was sent.
      if (mode !== 'require') return { run: { url: request.url, body: request.body } };
      return { unavailable: 'Operations cannot be checked right now; try again.' };
    }
  };
}

export type ResolveDocument = ReturnType<typeof createTrustedDocuments>;

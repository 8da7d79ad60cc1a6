import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  getOperationAST,
  type DocumentNode,
  type ExecutionResult,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { Dispatcher } from 'undici';
import type { InternalTokenSigner } from '../../lib/auth/internal-token.js';
import { isOrgAdmin, type Principal } from '../../lib/auth/principal.js';
import { ErrorCode } from '../../lib/errors.js';
import { refuseNulBytes } from '../plugins/nul-bytes.js';
import { introspects } from '../plugins/operation-guard.js';
import { limitedDocumentCache, type operationLimits } from '../plugins/operation-limits.js';
import type { CacheLookups } from '../../lib/metrics.js';
import type { ClientIdentity } from '../clients/client-identity.js';
import { documentId } from '../../lib/graphql/document-id.js';
import type { UsageRecorder } from '../usage/usage-recorder.js';
import { forwardSubscription } from './forward-subscription.js';
import {
  NotASubscriptionError,
  SHUTTING_DOWN_MESSAGE,
  StreamBrokenError,
  SubscriptionRefusedError,
  refused,
} from './subscription-errors.js';
import { rootFieldOwners } from '../supergraph/root-field-owners.js';

/** One subscription to open on behalf of an authenticated caller. */
export interface SubscriptionRequest {
  principal: Principal;
  requestId: string;
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  /** Who sent it (Apollo's client-awareness headers), for field usage. @default none: '' */
  client?: ClientIdentity;
  /** Abort when the client leaves: the upstream request is closed at once. */
  signal?: AbortSignal;
}

/**
 * Opens a subscription through the gateway's own streaming path. The /graphql transports and the
 * /v1 facade both call it.
 *
 * - Refusals before the stream opens (parse or validation failure, operation limits, not a
 *   subscription (NotASubscriptionError), the owning subgraph refused or is unreachable, the gateway is stopping) reject
 *   with a {@link SubscriptionRefusedError} carrying an HTTP status and coded GraphQL errors.
 * - Once it resolves, the iterable yields the owning subgraph's ExecutionResults as they arrive.
 *   A refusal of the subgraph's own (RATE_LIMITED, INSUFFICIENT_FUNDS, …) is a first result with
 *   `errors`; a stream that ends in a typed event (GenerationFailed) is an ordinary result.
 * - An open stream that breaks off without the subgraph completing it (the gateway is shutting
 *   down: SERVICE_UNAVAILABLE; the subgraph's connection broke) throws a
 *   {@link StreamBrokenError} from the iterator.
 * - Stop iterating (`return()`) or abort `signal` when the client leaves; either closes the
 *   upstream request at once.
 */
export type OpenSubscription = (
  request: SubscriptionRequest,
) => Promise<AsyncIterableIterator<ExecutionResult>>;

export interface SubscriptionOpenerDeps {
  limits: ReturnType<typeof operationLimits>;
  production: boolean;
  /** Signs a fresh internal token per stream. */
  signer: InternalTokenSigner;
  /** Where a subgraph lives (the gateway's resolved routing URLs). */
  subgraphUrl(name: string): string | undefined;
  /** A keep-alive pool for the upstream streams. */
  dispatcher: Dispatcher;
  /** Counts the document cache's hits and misses. */
  lookups?: CacheLookups;
  /** Counts the subscriptions it opens for field usage. */
  usage?: Pick<UsageRecorder, 'record'>;
}

/** The first root field of the operation, through fragments (validation allows exactly one). */
function rootFieldName(document: DocumentNode, selectionSet: SelectionSetNode): string | undefined {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) return selection.name.value;
    const fragment =
      selection.kind === Kind.INLINE_FRAGMENT
        ? selection
        : document.definitions.find(
            (d): d is FragmentDefinitionNode =>
              d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value,
          );
    const name = fragment && rootFieldName(document, fragment.selectionSet);
    if (name) return name;
  }
  return undefined;
}

const validationFailed = (errors: readonly GraphQLError[], mask: (m: string) => string) =>
  new SubscriptionRefusedError(
    400,
    errors.map((error) => ({
      message: mask(error.message),
      locations: error.locations,
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    })),
  );

/**
 * The gateway's subscription opener: validates against the supergraph's API schema with the same
 * limits as /graphql, finds the subgraph that owns the root field, and forwards the operation to
 * it with a fresh internal token. `closeAll` ends every open stream (graceful shutdown).
 */
export function createSubscriptionOpener(deps: SubscriptionOpenerDeps) {
  const { limits } = deps;
  const checkDocument = limitedDocumentCache(limits, deps.lookups);
  let schema: GraphQLSchema | undefined;
  let owners = new Map<string, string>();
  const open = new Set<AbortController>();
  let closing = false;

  const prepare = (request: SubscriptionRequest) => {
    if (closing) throw refused(503, ErrorCode.SERVICE_UNAVAILABLE, SHUTTING_DOWN_MESSAGE);
    if (!schema) throw refused(503, ErrorCode.SERVICE_UNAVAILABLE, 'The schema is not loaded yet.');
    const checked = checkDocument(schema, request.query);
    if (checked.parseError) throw refused(400, 'GRAPHQL_PARSE_FAILED', checked.parseError.message);
    const { document } = checked;
    const operation = getOperationAST(document, request.operationName ?? undefined);
    if (!operation) {
      throw refused(
        400,
        ErrorCode.BAD_REQUEST,
        request.operationName
          ? `No operation named "${request.operationName}" in the document.`
          : 'The document must hold one operation, or name the one to run in operationName.',
      );
    }
    if (operation.operation !== 'subscription') {
      throw new NotASubscriptionError();
    }
    if (checked.validationErrors) {
      throw validationFailed(checked.validationErrors, limits.maskSuggestions);
    }
    if (deps.production && !isOrgAdmin(request.principal) && introspects(document)) {
      throw refused(
        403,
        ErrorCode.FORBIDDEN,
        'Introspection is only for organization admins in production.',
      );
    }
    try {
      refuseNulBytes(document, request.variables);
    } catch (error) {
      throw refused(400, ErrorCode.BAD_USER_INPUT, (error as Error).message);
    }
    const field = rootFieldName(document, operation.selectionSet);
    const subgraph = field && owners.get(field);
    if (!subgraph) {
      throw refused(
        400,
        'GRAPHQL_VALIDATION_FAILED',
        `No single subgraph serves Subscription.${field ?? '?'}, so it cannot be streamed.`,
      );
    }
    const url = deps.subgraphUrl(subgraph);
    if (!url) {
      throw refused(503, ErrorCode.SERVICE_UNAVAILABLE, `The ${subgraph} subgraph has no URL.`);
    }
    return { subgraph, url, schema, document, operation };
  };

  const openSubscription: OpenSubscription = async (request) => {
    const { subgraph, url, schema, document, operation } = prepare(request);
    deps.usage?.record({
      schema,
      document,
      operation,
      hash: documentId(request.query),
      client: request.client ?? { name: '', version: '' },
    });
    const controller = new AbortController();
    const leave = () => {
      open.delete(controller);
      controller.abort(request.signal?.reason);
    };
    if (request.signal?.aborted) leave();
    request.signal?.addEventListener('abort', leave, { once: true });
    open.add(controller);
    const release = () => {
      open.delete(controller);
      request.signal?.removeEventListener('abort', leave);
      controller.abort();
    };
    let events: AsyncGenerator<ExecutionResult>;
    try {
      events = await forwardSubscription({
        subgraph,
        url,
        dispatcher: deps.dispatcher,
        token: await deps.signer.sign(request.principal, request.requestId),
        requestId: request.requestId,
        body: {
          query: request.query,
          variables: request.variables ?? undefined,
          operationName: request.operationName ?? undefined,
        },
        signal: controller.signal,
      });
    } catch (error) {
      release();
      // The subgraph's own validation messages may suggest fields too.
      if (error instanceof SubscriptionRefusedError) {
        throw new SubscriptionRefusedError(
          error.status,
          error.errors.map((e) => ({ ...e, message: limits.maskSuggestions(e.message) })),
        );
      }
      throw error;
    }
    return (async function* stream() {
      try {
        yield* events;
      } finally {
        release();
      }
    })();
  };

  return {
    openSubscription,
    /** Takes the API schema and owners of every supergraph the gateway loads. */
    useSupergraph(update: { apiSchema: GraphQLSchema; coreSupergraphSdl: string }) {
      owners = rootFieldOwners(update.coreSupergraphSdl, OperationTypeNode.SUBSCRIPTION);
      schema = update.apiSchema;
    },
    /** How many streams are open now. */
    get openCount() {
      return open.size;
    },
    /**
     * Refuses new streams and ends every open one: its iterator throws a StreamBrokenError with
     * code SERVICE_UNAVAILABLE, and its upstream request is closed.
     */
    closeAll() {
      closing = true;
      for (const controller of open) {
        controller.abort(
          new StreamBrokenError(ErrorCode.SERVICE_UNAVAILABLE, SHUTTING_DOWN_MESSAGE),
        );
      }
    },
  };
}

export type SubscriptionOpener = ReturnType<typeof createSubscriptionOpener>;

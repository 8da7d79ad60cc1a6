import type { Fetcher } from '@apollo/utils.fetcher';
import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  getOperationAST,
  getVariableValues,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { Histogram } from 'prom-client';
import { INTERNAL_TOKEN_HEADER } from '../../lib/auth/internal-token.js';
import { ErrorCode } from '../../lib/errors.js';
import { documentId } from '../../lib/graphql/document-id.js';
import { logUnexpectedErrors, outcomeOf } from '../../lib/graphql/plugins.js';
import { createOperationLabeler, type CacheLookups } from '../../lib/metrics.js';
import { REQUEST_ID_HEADER } from '../../lib/request-id.js';
import { injectTraceHeaders } from '../../lib/tracing/spans.js';
import type { GatewayContext } from '../context.js';
import { refuseNulBytes } from '../plugins/nul-bytes.js';
import type { AuditReporter } from '../plugins/audit-report.js';
import { limitedDocumentCache, type operationLimits } from '../plugins/operation-limits.js';
import { rootFieldOwners } from '../supergraph/root-field-owners.js';
import type { UsageRecorder } from '../usage/usage-recorder.js';
import { OpenAiError, fromGraphQLError } from './errors.js';
import type { RunOperation } from './run-operation.js';

export interface DirectRunnerDeps {
  /**
   * The /v1 operations (by text) whose whole selection one subgraph serves: the query plan Apollo
   * Gateway makes for each is one fetch to the subgraph that owns its root field
   * (gateway/openai/direct-operations.test.ts proves it for the committed supergraph).
   */
  operations: ReadonlySet<string>;
  /** Runs every other operation, and these while the supergraph is not loaded: Apollo. */
  fallback: RunOperation;
  limits: ReturnType<typeof operationLimits>;
  /** Where a subgraph lives (the gateway's resolved routing URLs). */
  subgraphUrl(name: string): string | undefined;
  /** How subgraph fetches go: in process when the subgraph is here, else HTTP (SubgraphDataSource's). */
  fetcher: Fetcher;
  /** The gateway's errors formatter, applied to every error answered (production masking). */
  formatError(formatted: GraphQLFormattedError, error?: unknown): GraphQLFormattedError;
  fetchDuration: Histogram<'subgraph' | 'operation'>;
  operationDuration: Histogram<'operation' | 'outcome'>;
  usage: Pick<UsageRecorder, 'record'>;
  audit: AuditReporter;
  lookups?: CacheLookups;
}

/** An operation ready to send: checked against the API schema and routed to its subgraph. */
interface Plan {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  hash: string;
  subgraph: string;
  url: string;
}

interface Answer {
  data?: Record<string, unknown> | null;
  errors?: GraphQLFormattedError[];
}

const NO_CLIENT = { name: '', version: '' };

const badInput = (message: string): GraphQLFormattedError => ({
  message,
  extensions: { code: ErrorCode.BAD_USER_INPUT },
});

const failure = (code: string, message: string): Answer => ({
  errors: [{ message, extensions: { code } }],
});

/**
 * Runs /v1's single-subgraph operations (chat completions, embeddings) straight on their subgraph,
 * as the gateway's one fetch would, without Apollo Server's request pipeline or Apollo Gateway's
 * executor (decision 106): about 8 % of a /v1 call's CPU at 16 clients. Everything the gateway
 * does to such an operation still happens here: the document is checked against the API schema
 * with /graphql's limits (once per text), the variables are coerced by the API schema (an
 * `@inaccessible` input field or a bad custom scalar is refused) and checked for NUL bytes, field
 * usage is counted, the fetch carries the request's internal token, request id and trace context
 * and is timed, and the answer is timed by operation and outcome, its unexpected errors logged,
 * its FORBIDDENs and an admin's mutations audited, and its errors formatted as Apollo's are.
 */
export function createDirectRunner(deps: DirectRunnerDeps) {
  const { limits } = deps;
  const checkDocument = limitedDocumentCache(limits, deps.lookups);
  const label = createOperationLabeler();
  const hashes = new Map<string, string>();
  let schema: GraphQLSchema | undefined;
  let owners = new Map<string, string>();

  /** The plan of one of `deps.operations`; undefined when Apollo must run it. */
  const plan = (query: string): Plan | undefined => {
    if (!schema || !deps.operations.has(query)) return undefined;
    const checked = checkDocument(schema, query);
    // A document the API schema refuses is answered by Apollo, with Apollo's errors.
    if (!checked.document || checked.validationErrors) return undefined;
    const operation = getOperationAST(checked.document);
    const root = operation?.selectionSet.selections[0];
    const subgraph = root?.kind === Kind.FIELD ? owners.get(root.name.value) : undefined;
    const url = subgraph && deps.subgraphUrl(subgraph);
    if (!operation || !subgraph || !url) return undefined;
    let hash = hashes.get(query);
    if (!hash) hashes.set(query, (hash = documentId(query)));
    return { schema, document: checked.document, operation, hash, subgraph, url };
  };

  const fetchAnswer = async (
    context: GatewayContext,
    { subgraph, url }: Plan,
    body: string,
  ): Promise<Answer> => {
    // Signed before the clock starts: a failure to sign is ours, not the subgraph's.
    const token = await context.internalToken();
    const started = process.hrtime.bigint();
    let status: number;
    let text: string;
    try {
      const response = await deps.fetcher(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          [INTERNAL_TOKEN_HEADER]: token,
          [REQUEST_ID_HEADER]: context.requestId,
          ...injectTraceHeaders({}),
        },
        body,
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      context.logger.warn({ err: error, subgraph }, 'subgraph fetch failed');
      return failure(ErrorCode.SERVICE_UNAVAILABLE, `The ${subgraph} service is unavailable.`);
    } finally {
      deps.fetchDuration.observe(
        { subgraph, operation: context.operationLabel },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    }
    try {
      const answer = JSON.parse(text) as Answer;
      if (answer.errors?.length || answer.data) return answer;
    } catch {
      // not a GraphQL result: said below
    }
    context.logger.warn({ subgraph, status }, 'subgraph answered without a GraphQL result');
    return status >= 500
      ? failure(ErrorCode.SERVICE_UNAVAILABLE, `The ${subgraph} service is unavailable.`)
      : failure(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error.');
  };

  /** The gateway's checks of the variables, then the subgraph's answer. */
  const answer = async (
    context: GatewayContext,
    query: string,
    variables: Record<string, unknown>,
    planned: Plan,
  ): Promise<Answer> => {
    const { operation, document } = planned;
    const coerced = getVariableValues(
      planned.schema,
      operation.variableDefinitions ?? [],
      variables,
    );
    if (coerced.errors) return { errors: coerced.errors.map((e) => badInput(e.message)) };
    try {
      refuseNulBytes(document, variables);
    } catch (error) {
      return { errors: [badInput((error as GraphQLError).message)] };
    }
    deps.usage.record({
      schema: planned.schema,
      document,
      operation,
      hash: planned.hash,
      client: NO_CLIENT,
    });
    const operationName = operation.name?.value;
    return fetchAnswer(context, planned, JSON.stringify({ query, variables, operationName }));
  };

  const run: RunOperation = async <D>(
    context: GatewayContext,
    query: string,
    variables: Record<string, unknown>,
  ): Promise<D> => {
    const planned = plan(query);
    if (!planned) return deps.fallback<D>(context, query, variables);
    const started = process.hrtime.bigint();
    const operationName = planned.operation.name?.value;
    context.operationLabel = label(operationName);
    const { data, errors: raw } = await answer(context, query, variables, planned);
    const errors = raw?.map((error) => deps.formatError(error, error));
    deps.operationDuration.observe(
      { operation: context.operationLabel, outcome: outcomeOf(errors) },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
    if (raw?.length) logUnexpectedErrors(context.logger, raw, operationName);
    deps.audit({
      principal: context.principal,
      requestId: context.requestId,
      operationName,
      operation: planned.operation,
      errors,
    });
    const first = errors?.[0];
    if (first) throw fromGraphQLError(first);
    if (!data) throw new OpenAiError(500, 'No data.', 'api_error', 'internal_error');
    return data as D;
  };

  return {
    run,
    /** Takes the API schema and root-field owners of every supergraph the gateway loads. */
    useSupergraph(update: { apiSchema: GraphQLSchema; coreSupergraphSdl: string }) {
      owners = rootFieldOwners(update.coreSupergraphSdl, OperationTypeNode.MUTATION);
      schema = update.apiSchema;
    },
  };
}

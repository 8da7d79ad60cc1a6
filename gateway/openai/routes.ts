import type { ExecutionResult } from 'graphql';
import type { Principal } from '../../lib/auth/principal.js';
import type { RouteContext, RouteHandler, Routes } from '../../lib/http/http-server.js';
import { headerValue } from '../../lib/http/headers.js';
import { BodyTooLargeError, readBody, sendJson } from '../../lib/http/responses.js';
import type { GatewayContext } from '../context.js';
import { chatCompletion } from './chat-response.js';
import { readChatRequest } from './chat-request.js';
import { GENERATION_ID_HEADER, writeChatStream } from './chat-stream.js';
import { embeddingsList, readEmbeddingsRequest } from './embeddings.js';
import {
  OpenAiError,
  fromAuthenticationError,
  invalidRequest,
  modelNotFound,
  sendOpenAiError,
} from './errors.js';
import { listModels, retrieveModel } from './models.js';
import {
  CHAT,
  CHAT_STREAM,
  EMBED,
  EMBEDDING_DIMENSIONS,
  type EmbeddingsResult,
  type GenerationResult,
} from './operations.js';
import type { RunOperation } from './run-operation.js';
import { HEARTBEAT_MS } from '../streaming/subscription-route.js';

/** Runs a subscription for a /v1 stream; stops it when `signal` aborts (the client left). */
export type OpenStream = (
  context: GatewayContext,
  query: string,
  variables: Record<string, unknown>,
  signal: AbortSignal,
) => AsyncIterable<ExecutionResult> | Promise<AsyncIterable<ExecutionResult>>;

export interface OpenAiRouteDeps {
  authenticate(authorization: string | undefined, requestId: string): Promise<Principal>;
  /** The context /graphql builds for the same principal and request. */
  contextFor(principal: Principal, ctx: RouteContext): GatewayContext;
  run: RunOperation;
  stream: OpenStream;
  maxBodyBytes: number;
  /** @default HEARTBEAT_MS, as /graphql streams */
  heartbeatMs?: number;
}

/** The header that names the team to charge, for callers in several teams (GenerateInput.teamId). */
export const TEAM_HEADER = 'x-modelgraph-team-id';
export const MODELS_PREFIX = '/v1/models/';

async function readJson(ctx: RouteContext, limit: number): Promise<unknown> {
  let raw: Buffer;
  try {
    raw = await readBody(ctx.req, limit);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      throw new OpenAiError(
        413,
        `Request body exceeds ${limit} bytes.`,
        'invalid_request_error',
        'request_too_large',
      );
    }
    throw error;
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw invalidRequest('The request body is not valid JSON.');
  }
}

/**
 * OpenAI's REST API under /v1, a facade over the public GraphQL operations: each request is read
 * into an operation, run through the gateway's own ApolloServer with the context /graphql builds,
 * and its answer written in OpenAI's wire format (docs/openai-compatible.md).
 */
export function openAiRoutes(deps: OpenAiRouteDeps): {
  routes: Routes;
  /** Resolves once every /v1 stream has ended, or after `timeoutMs` (graceful shutdown). */
  drained(timeoutMs: number): Promise<void>;
} {
  const streaming = new Set<Promise<void>>();
  /** Authenticates, runs `serve`, and answers any failure in OpenAI's error JSON. */
  const handler =
    (serve: (ctx: RouteContext, context: GatewayContext) => Promise<void>): RouteHandler =>
    async (ctx) => {
      try {
        const principal = await deps
          .authenticate(ctx.req.headers.authorization, ctx.requestId)
          .catch((error: unknown) => {
            throw fromAuthenticationError(error);
          });
        await serve(ctx, deps.contextFor(principal, ctx));
      } catch (error) {
        if (ctx.res.headersSent) throw error;
        if (error instanceof OpenAiError) return sendOpenAiError(ctx.res, error);
        ctx.logger.error({ err: error }, '/v1 request failed');
        sendOpenAiError(
          ctx.res,
          new OpenAiError(500, 'Internal server error.', 'api_error', 'internal_error'),
        );
      }
    };

  const chat = handler(async (ctx, context) => {
    const call = readChatRequest(
      await readJson(ctx, deps.maxBodyBytes),
      headerValue(ctx.req.headers, 'idempotency-key'),
      headerValue(ctx.req.headers, TEAM_HEADER),
    );
    if (!call.stream) {
      const { generate } = await deps.run<{ generate: GenerationResult }>(context, CHAT, {
        input: call.input,
      });
      return sendJson(ctx.res, 200, chatCompletion(generate), {
        [GENERATION_ID_HEADER]: generate.id,
      });
    }
    // The client leaving stops the subscription, and with it the provider call.
    const left = new AbortController();
    const closed = new Promise<void>((resolve) => ctx.res.once('close', resolve));
    ctx.res.once('close', () => left.abort());
    streaming.add(closed);
    void closed.then(() => streaming.delete(closed));
    const events = await deps.stream(context, CHAT_STREAM, { input: call.input }, left.signal);
    await writeChatStream({
      res: ctx.res,
      events,
      model: call.model,
      includeUsage: call.includeUsage,
      heartbeatMs: deps.heartbeatMs ?? HEARTBEAT_MS,
    });
  });

  const embeddings = handler(async (ctx, context) => {
    const call = readEmbeddingsRequest(
      await readJson(ctx, deps.maxBodyBytes),
      headerValue(ctx.req.headers, TEAM_HEADER),
    );
    if (call.dimensions !== undefined) {
      // Asked before the call, so a request the model cannot serve costs nothing.
      const { model } = await deps
        .run<{ model: { embeddingDimensions: number | null } | null }>(
          context,
          EMBEDDING_DIMENSIONS,
          {
            id: call.input.model,
          },
        )
        .catch((error: unknown) => {
          if (error instanceof OpenAiError && error.status === 404) return { model: null };
          throw error;
        });
      if (model?.embeddingDimensions !== call.dimensions) {
        throw invalidRequest(
          model?.embeddingDimensions
            ? `The model makes vectors of ${model.embeddingDimensions} dimensions; dimensions must be that or omitted.`
            : 'dimensions needs the id of an embedding model (not a route alias).',
          'dimensions',
        );
      }
    }
    const { embed } = await deps.run<{ embed: EmbeddingsResult }>(context, EMBED, {
      input: call.input,
    });
    sendJson(ctx.res, 200, embeddingsList(embed, call.encoding));
  });

  const models = handler(async (ctx, context) => {
    sendJson(ctx.res, 200, await listModels(deps.run, context));
  });

  const model = handler(async (ctx, context) => {
    const raw = ctx.url.pathname.slice(MODELS_PREFIX.length);
    let id: string;
    try {
      // The openai SDK sends `local/echo-chat` as it is; other clients encode the slash.
      id = decodeURIComponent(raw);
    } catch {
      throw modelNotFound(raw);
    }
    sendJson(ctx.res, 200, await retrieveModel(deps.run, context, id));
  });

  const unknown: RouteHandler = (ctx) =>
    sendOpenAiError(
      ctx.res,
      new OpenAiError(
        404,
        `Unknown request URL: ${ctx.req.method} ${ctx.url.pathname}. See docs/openai-compatible.md for what /v1 serves.`,
        'invalid_request_error',
        'unknown_url',
      ),
    );

  return {
    routes: {
      '/v1/*': { GET: unknown, POST: unknown },
      '/v1/chat/completions': { POST: chat },
      '/v1/embeddings': { POST: embeddings },
      '/v1/models': { GET: models },
      [`${MODELS_PREFIX}*`]: { GET: model },
    },
    async drained(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(streaming),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    },
  };
}

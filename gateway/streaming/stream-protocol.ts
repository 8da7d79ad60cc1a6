/**
 * The streaming protocols the gateway speaks on /graphql:
 * - `multipart`: Apollo's multipart HTTP subscriptions (`Accept: multipart/mixed;
 *   subscriptionSpec="1.0"`), as Apollo Client, Apollo iOS and Apollo Kotlin send it;
 * - `sse`: GraphQL over Server-Sent Events, graphql-sse's "distinct connections mode"
 *   (`Accept: text/event-stream`).
 */
export type StreamProtocol = 'multipart' | 'sse';

/** Which streaming protocol an Accept header asks for, if any. */
export function streamProtocolOf(
  accept: string | string[] | undefined,
): StreamProtocol | undefined {
  const value = (Array.isArray(accept) ? accept.join(',') : (accept ?? '')).toLowerCase();
  for (const range of value.split(',')) {
    const [type, ...parameters] = range.split(';').map((part) => part.trim());
    if (
      type === 'multipart/mixed' &&
      parameters.some((p) => p.replace(/\s/g, '').startsWith('subscriptionspec='))
    ) {
      return 'multipart';
    }
    if (type === 'text/event-stream') return 'sse';
  }
  return undefined;
}

/** What to tell a client that sent a subscription without asking for a stream. */
export const STREAM_ACCEPT_HINT =
  'Subscriptions are streamed: send `Accept: multipart/mixed;subscriptionSpec="1.0"` ' +
  '(Apollo Client, Apollo iOS, Apollo Kotlin) or `Accept: text/event-stream` (graphql-sse, curl).';

import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A GraphQL request that arrived at the proxy while its operation was cut. */
export interface CutRequest {
  /** The root field cut (e.g. `captureHold`). */
  field: string;
  variables: Record<string, unknown>;
}

export interface OperationCutProxy {
  /** The proxy's `/graphql` URL: give it to the service instead of the target's. */
  readonly url: string;
  /** From now on, requests that call `field` are cut: their connection is destroyed unanswered. */
  cut(field: string): void;
  /** Lets every request through again. */
  restore(): void;
  /** Called with each request cut, as it arrives. */
  onCut?: (request: CutRequest) => void;
  close(): Promise<void>;
}

const bodyOf = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/**
 * An HTTP proxy in front of one subgraph that can make some of its operations unreachable while the
 * rest still pass (the wallet refusing no hold, but never answering a capture): a cut request's
 * connection is destroyed, as a network failure would, so the caller cannot know its outcome.
 */
export async function startOperationCutProxy(targetUrl: string): Promise<OperationCutProxy> {
  const cuts = new Set<string>();
  const proxy: OperationCutProxy = {
    url: '',
    cut: (field) => void cuts.add(field),
    restore: () => cuts.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = createServer(async (req, res) => {
    const body = await bodyOf(req);
    const parsed = JSON.parse(body.toString() || '{}') as {
      query?: string;
      variables?: Record<string, unknown>;
    };
    const field = [...cuts].find((name) => parsed.query?.includes(`${name}(`));
    if (field) {
      proxy.onCut?.({ field, variables: parsed.variables ?? {} });
      req.socket.destroy();
      return;
    }
    const answer = await fetch(targetUrl, {
      method: 'POST',
      headers: Object.fromEntries(
        Object.entries(req.headers).filter(
          (entry): entry is [string, string] =>
            typeof entry[1] === 'string' && !['host', 'content-length'].includes(entry[0]),
        ),
      ),
      body,
    }).catch(() => null);
    if (!answer) return void req.socket.destroy();
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? '' });
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (proxy as { url: string }).url =
    `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return proxy;
}

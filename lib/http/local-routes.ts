import diagnostics from 'node:diagnostics_channel';
import type { RequestListener, Server } from 'node:http';
import { exchangeInProcess, type PlainRequest, type PlainResponse } from './in-process-exchange.js';

/** A service as it runs in this process: its server, and the listener that server runs. */
export interface LocalService {
  server: Pick<Server, 'listening'>;
  handle: RequestListener;
}

/**
 * Services started in this process, by the origin others reach them at, so that a call between
 * them skips the sockets and HTTP parsing on both sides (decision 64). Shared by the gateway and
 * the services that `npm start`, the test stack or a benchmark starts together; a service in a
 * process of its own has none, and every call goes over HTTP.
 */
export interface LocalRoutes {
  /** Serves `origin` (`http://127.0.0.1:4003`) in process for as long as `service` listens. */
  register(origin: string, service: LocalService): void;
  /**
   * The answer of the service at `url`'s origin, run in process; undefined when the call must go
   * over the network: no service here has that origin, the service has stopped listening (the
   * network then says what it says of a stopped service), or the caller asks for a stream.
   */
  call(
    url: string,
    request: PlainRequest,
    signal?: AbortSignal,
  ): Promise<PlainResponse> | undefined;
}

/** A call answered in process, as published on `localCallChannel`. */
export interface LocalCallMessage {
  url: URL;
  request: PlainRequest;
  answer: Promise<PlainResponse>;
}

/**
 * Every call answered in process, for tracing from outside (bench/inference-trace.ts), as
 * undici's channels show the calls that go over HTTP. Nothing is built while nobody listens.
 */
export const localCallChannel = diagnostics.channel('modelgraph:local-call');

/** Streamed answers (SSE, multipart) are written as they come: they keep using real HTTP. */
const STREAMED = /text\/event-stream|multipart\/mixed/i;

export function createLocalRoutes(): LocalRoutes {
  const services = new Map<string, LocalService>();
  return {
    register(origin, service) {
      services.set(new URL(origin).origin, service);
    },
    call(url, request, signal) {
      const target = new URL(url);
      const service = services.get(target.origin);
      if (!service?.server.listening) return undefined;
      if (STREAMED.test(request.headers.accept ?? '')) return undefined;
      const answer = exchangeInProcess(service.handle, target, request, signal);
      if (localCallChannel.hasSubscribers) {
        localCallChannel.publish({ url: target, request, answer } satisfies LocalCallMessage);
      }
      return answer;
    },
  };
}

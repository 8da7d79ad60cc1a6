/** Small helpers for tests that call provider adapters (see provider-emulators.ts). */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProviderError } from '../../subgraphs/inference/providers/types.js';

/** Every chunk of a stream, in order. */
export async function collectStream<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const chunks: T[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

/** The ProviderError a promise rejects with; fails the test if it resolves or throws another. */
export async function providerErrorOf(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

/** An `http://127.0.0.1:<port>` nothing listens on (a port just released), for NETWORK tests. */
export async function refusedOrigin(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

/**
 * Waits one event-loop turn. undici hands a finished connection back to its pool only then
 * (setImmediate, in case the server closes it after all), so a call made in the same turn as the
 * previous one ended opens a second connection.
 */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

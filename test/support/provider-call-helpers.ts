/** Small helpers for tests that call provider adapters (see provider-emulators.ts). */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpAdapterOptions } from '../../subgraphs/inference/providers/http-call.js';
import { ProviderError, type ProviderAdapter } from '../../subgraphs/inference/providers/types.js';
import type { EmulatorOptions, ProviderEmulator } from './provider-emulators.js';

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

/**
 * One emulator and one adapter pointed at it for a whole test file: started before the tests,
 * its log and faults reset after each, both closed at the end. Read them through the handle
 * (`emulated.adapter`, `emulated.emulator`) inside tests.
 */
export function useEmulatedAdapter(
  start: (options: EmulatorOptions) => Promise<ProviderEmulator>,
  create: (options: HttpAdapterOptions) => ProviderAdapter,
  apiKey: string,
) {
  const emulated = {} as { emulator: ProviderEmulator; adapter: ProviderAdapter };
  beforeAll(async () => {
    emulated.emulator = await start({ apiKey });
    emulated.adapter = create({ baseUrl: emulated.emulator.baseUrl, apiKey });
  });
  afterEach(() => emulated.emulator.reset());
  afterAll(async () => {
    await emulated.adapter?.close();
    await emulated.emulator?.close();
  });
  return emulated;
}

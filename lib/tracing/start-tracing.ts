import type { TracingConfig } from '../config.js';
import type { Logger } from '../logging.js';

/**
 * Starts exporting this process's spans over OTLP/HTTP when `config.tracesUrl` is set, and
 * resolves with what flushes and stops it at shutdown. Off (no URL), nothing is loaded or
 * registered: @opentelemetry/api then hands out non-recording spans and propagates nothing.
 */
export async function startTracing(
  config: TracingConfig,
  logger: Logger,
): Promise<() => Promise<void>> {
  if (!config.tracesUrl) return async () => undefined;
  // Loaded only when on: an untraced process pays nothing for the SDK at its start.
  const [
    { NodeTracerProvider, BatchSpanProcessor },
    { OTLPTraceExporter },
    { resourceFromAttributes },
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    sampler: await samplerFor(config),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: config.tracesUrl }))],
  });
  // The AsyncLocalStorage context manager and the W3C trace-context propagator.
  provider.register();
  logger.info({ tracesUrl: config.tracesUrl, sampler: config.sampler }, 'tracing on');
  // A collector that is down at shutdown costs the last spans, not a clean exit.
  return () =>
    provider.shutdown().catch((error: unknown) => {
      logger.warn({ err: error }, 'the last spans were not exported');
    });
}

async function samplerFor({ sampler, samplerRatio }: TracingConfig) {
  const { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler } =
    await import('@opentelemetry/sdk-trace-base');
  const root = sampler.endsWith('always_off')
    ? new AlwaysOffSampler()
    : sampler.endsWith('traceidratio')
      ? new TraceIdRatioBasedSampler(samplerRatio)
      : new AlwaysOnSampler();
  return sampler.startsWith('parentbased_') ? new ParentBasedSampler({ root }) : root;
}

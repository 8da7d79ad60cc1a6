import { createOperationLabeler, createServiceMetrics } from './metrics.js';

describe('createOperationLabeler', () => {
  it('labels a missing or empty name anonymous', () => {
    const label = createOperationLabeler();
    expect(label(undefined)).toBe('anonymous');
    expect(label(null)).toBe('anonymous');
    expect(label('')).toBe('anonymous');
  });

  it('keeps a well-formed name as it is', () => {
    const label = createOperationLabeler();
    expect(label('ListModels')).toBe('ListModels');
    expect(label('_private_2')).toBe('_private_2');
    expect(label('a'.repeat(64))).toBe('a'.repeat(64));
  });

  it('labels a malformed name invalid', () => {
    const label = createOperationLabeler();
    for (const name of ['2fast', 'with space', 'Drop;Table', 'x-y', 'a'.repeat(65), 'é']) {
      expect(label(name)).toBe('invalid');
    }
  });

  it('labels names past the first 500 distinct ones other, and keeps the first 500', () => {
    const label = createOperationLabeler();
    for (let i = 0; i < 500; i += 1) expect(label(`Op${i}`)).toBe(`Op${i}`);
    expect(label('Op500')).toBe('other');
    expect(label('YetAnother')).toBe('other');
    // Names seen before the cap keep their own label.
    expect(label('Op0')).toBe('Op0');
    expect(label('Op499')).toBe('Op499');
    // Neither anonymous nor invalid names count against the cap.
    expect(label(null)).toBe('anonymous');
    expect(label('bad name')).toBe('invalid');
  });

  it('does not spend the cap on invalid or anonymous names, nor on repeats', () => {
    const label = createOperationLabeler();
    for (let i = 0; i < 1000; i += 1) {
      label(`bad name ${i}`);
      label(null);
      label('Repeat');
    }
    for (let i = 0; i < 499; i += 1) expect(label(`Op${i}`)).toBe(`Op${i}`);
    expect(label('Last')).toBe('other');
  });

  it('gives each labeler its own set of names', () => {
    const first = createOperationLabeler();
    for (let i = 0; i < 500; i += 1) first(`Op${i}`);
    expect(first('Fresh')).toBe('other');
    expect(createOperationLabeler()('Fresh')).toBe('Fresh');
  });
});

describe('createServiceMetrics', () => {
  it('keeps each service in its own registry, labelled with its name', async () => {
    const catalog = createServiceMetrics('catalog');
    const wallet = createServiceMetrics('wallet');
    catalog.operationDuration.observe({ operation: 'ListModels', outcome: 'ok' }, 0.02);
    const [histogram] = await catalog.registry.getMetricsAsJSON();
    expect(histogram?.name).toBe('modelgraph_graphql_operation_duration_seconds');
    const count = histogram?.values.find((v) =>
      (v as { metricName?: string }).metricName?.endsWith('_count'),
    );
    expect(count).toMatchObject({
      value: 1,
      labels: { service: 'catalog', operation: 'ListModels', outcome: 'ok' },
    });
    expect(await wallet.registry.metrics()).not.toContain('ListModels');
    // Default process metrics only where a service asks for them.
    expect(await catalog.registry.metrics()).not.toContain('process_cpu');
  });
});

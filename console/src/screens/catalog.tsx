import { useState } from 'react';
import { CatalogModelsDocument, type Capability } from '../generated/graphql';
import { Amount } from '../parts/amount';
import { DataTable } from '../parts/data-table';
import { ErrorNote } from '../parts/error-note';
import { useQuery } from '../use-query';
import { useViewer } from '../viewer';

const CAPABILITIES: Capability[] = ['CHAT', 'EMBEDDING', 'TOOLS', 'VISION'];

/** The model catalog: filters, prices, live health, and whether the current team may use each. */
export default function Catalog() {
  const { team } = useViewer();
  const [capability, setCapability] = useState<Capability | ''>('');
  const [onlyAllowed, setOnlyAllowed] = useState(false);
  const { data, error, loading } = useQuery(CatalogModelsDocument, {
    filter: capability ? { capabilities: [capability] } : null,
    teamId: team?.id ?? null,
  });
  const models = (data?.models.edges ?? [])
    .map((e) => e.node)
    .filter((m) => !onlyAllowed || m.access.allowed);

  return (
    <>
      <h1>Models</h1>
      <div className="filters">
        <label>
          Capability{' '}
          <select
            value={capability}
            onChange={(e) => setCapability(e.target.value as Capability | '')}
          >
            <option value="">Any</option>
            {CAPABILITIES.map((c) => (
              <option key={c} value={c}>
                {c.toLowerCase()}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={onlyAllowed}
            onChange={(e) => setOnlyAllowed(e.target.checked)}
          />{' '}
          Only models my team may use
        </label>
      </div>
      <ErrorNote error={error} />
      {loading && !data && <p aria-busy="true">Loading…</p>}
      {data && (
        <DataTable
          caption={`${models.length} of ${data.models.totalCount} models. Prices in credits per million tokens.`}
          rows={models}
          rowKey={(m) => m.id}
          columns={[
            {
              header: 'Model',
              rowHeader: true,
              cell: (m) => (
                <>
                  {m.displayName}
                  <br />
                  <code>{m.id}</code>
                  {m.lifecycle.status !== 'ACTIVE' && ` (${m.lifecycle.status.toLowerCase()})`}
                </>
              ),
            },
            { header: 'Provider', cell: (m) => m.provider.displayName },
            { header: 'Input', cell: (m) => <Amount micros={m.pricing.inputPerMillion} /> },
            { header: 'Output', cell: (m) => <Amount micros={m.pricing.outputPerMillion} /> },
            {
              header: 'Health',
              cell: (m) =>
                `${m.health.status.toLowerCase()}${m.health.p50LatencyMs !== null ? `, p50 ${m.health.p50LatencyMs} ms` : ''}`,
            },
            {
              header: 'My team',
              cell: (m) =>
                m.access.allowed ? 'Allowed' : `No: ${m.access.reason ?? 'not allowed'}`,
            },
          ]}
        />
      )}
    </>
  );
}

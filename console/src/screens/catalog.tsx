import { useState } from 'react';
import { CatalogModelsDocument, type Capability } from '../generated/graphql';
import { Amount } from '../parts/amount';
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
        <div className="table-scroll">
          <table>
            <caption>
              {models.length} of {data.models.totalCount} models. Prices in credits per million
              tokens.
            </caption>
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Provider</th>
                <th scope="col">Input</th>
                <th scope="col">Output</th>
                <th scope="col">Health</th>
                <th scope="col">My team</th>
              </tr>
            </thead>
            <tbody>
              {models.map((m) => (
                <tr key={m.id}>
                  <th scope="row">
                    {m.displayName}
                    <br />
                    <code>{m.id}</code>
                    {m.lifecycle.status !== 'ACTIVE' && ` (${m.lifecycle.status.toLowerCase()})`}
                  </th>
                  <td>{m.provider.displayName}</td>
                  <td>
                    <Amount micros={m.pricing.inputPerMillion} />
                  </td>
                  <td>
                    <Amount micros={m.pricing.outputPerMillion} />
                  </td>
                  <td>
                    {m.health.status.toLowerCase()}
                    {m.health.p50LatencyMs !== null && `, p50 ${m.health.p50LatencyMs} ms`}
                  </td>
                  <td>
                    {m.access.allowed ? 'Allowed' : `No: ${m.access.reason ?? 'not allowed'}`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

import { useMemo, useState } from 'react';
import {
  ConsoleUsageDocument,
  OrgTeamNamesDocument,
  type UsageDimension,
  type UsageGranularity,
} from '../generated/graphql';
import { Amount } from '../parts/amount';
import { DataTable } from '../parts/data-table';
import { ErrorNote } from '../parts/error-note';
import { useQuery } from '../use-query';
import { UsageTables } from '../usage/usage-tables';
import { MAX_HOURLY_DAYS, RANGE_DAYS, usageRange } from '../usage/range';
import { useViewer } from '../viewer';

const ORG_WIDE = '';

/**
 * Usage over time: cost, tokens, requests and latency per bucket, by model or by API key, each
 * chart with the table of its figures. Members see their team; organization admins pick a team
 * or the whole organization.
 */
export default function Usage() {
  const { team, isOrgAdmin } = useViewer();
  const [days, setDays] = useState<number>(7);
  const [granularity, setGranularity] = useState<UsageGranularity>('DAY');
  const [groupBy, setGroupBy] = useState<UsageDimension>('MODEL');
  const [teamId, setTeamId] = useState(team?.id ?? ORG_WIDE);
  const teams = useQuery(OrgTeamNamesDocument, {}, !isOrgAdmin);
  const range = useMemo(() => usageRange(days, granularity), [days, granularity]);
  const { data, error, loading, refetch } = useQuery(ConsoleUsageDocument, {
    teamId: teamId || null,
    ...range,
    granularity,
    groupBy: [groupBy],
  });
  // Nothing while a new report loads: the figures shown are always those of the controls.
  const usage = loading ? undefined : data?.usage;
  const scope = teamId
    ? ((teams.data?.teams ?? []).find((t) => t.id === teamId)?.name ?? team?.name)
    : 'the whole organization';
  const chooseDays = (value: number) => {
    setDays(value);
    if (value > MAX_HOURLY_DAYS) setGranularity('DAY');
  };

  return (
    <>
      <h1>Usage</h1>
      <div className="filters">
        {isOrgAdmin && (
          <label>
            Team{' '}
            <select value={teamId} onChange={(e) => setTeamId(e.target.value)}>
              <option value={ORG_WIDE}>Whole organization</option>
              {(teams.data?.teams ?? []).map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Range{' '}
          <select value={days} onChange={(e) => chooseDays(Number(e.target.value))}>
            {RANGE_DAYS.map((d) => (
              <option key={d} value={d}>
                Last {d} days
              </option>
            ))}
          </select>
        </label>
        <label>
          Points{' '}
          <select
            value={granularity}
            onChange={(e) => setGranularity(e.target.value as UsageGranularity)}
          >
            <option value="DAY">Daily</option>
            <option value="HOUR" disabled={days > MAX_HOURLY_DAYS}>
              Hourly (up to {MAX_HOURLY_DAYS} days)
            </option>
          </select>
        </label>
        <label>
          Group by{' '}
          <select value={groupBy} onChange={(e) => setGroupBy(e.target.value as UsageDimension)}>
            <option value="MODEL">Model</option>
            <option value="API_KEY">API key</option>
          </select>
        </label>
        <button type="button" onClick={() => void refetch()}>
          Refresh
        </button>
      </div>
      <ErrorNote error={error} />
      {usage && (
        <>
          <DataTable
            testId="usage-totals"
            caption={`Totals for ${scope ?? ''}, ${bucketRange(range)} (UTC)`}
            rows={[usage.totals]}
            rowKey={() => 'totals'}
            columns={[
              { header: 'Requests', testId: 'usage-requests', cell: (t) => t.requests },
              { header: 'Tokens', cell: (t) => t.inputTokens + t.outputTokens },
              { header: 'Cost', testId: 'usage-cost', cell: (t) => <Amount micros={t.cost} /> },
              { header: 'Latency p50', cell: (t) => milliseconds(t.latencyMs?.p50) },
              { header: 'Latency p95', cell: (t) => milliseconds(t.latencyMs?.p95) },
            ]}
          />
          {usage.series.length === 0 ? (
            <p>No calls in this range.</p>
          ) : (
            <UsageTables usage={usage} range={range} granularity={granularity} groupBy={groupBy} />
          )}
        </>
      )}
    </>
  );
}

function bucketRange({ from, to }: { from: string; to: string }): string {
  return `${from.slice(0, 16).replace('T', ' ')} to ${to.slice(0, 16).replace('T', ' ')}`;
}

function milliseconds(value: number | undefined): string {
  return value === undefined ? '–' : `${Math.round(value)} ms`;
}

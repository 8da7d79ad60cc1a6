import type { SchemaCheckResult, SchemaUser } from './check-schema.js';

const who = (users: SchemaUser[]) =>
  users
    .map((u) =>
      u.source === 'traffic'
        ? `${u.client} ${u.operation} (${u.count} run${u.count === 1 ? '' : 's'})`
        : `${u.client} ${u.operation} (registered document)`,
    )
    .join('; ');

/** The check's result as the text `npm run schema:check` prints. */
export function schemaCheckReport(result: SchemaCheckResult): string {
  const lines: string[] = [];
  const usage = result.usageConsulted
    ? `usage: traffic of the last ${result.windowDays} days and registered trusted documents`
    : 'usage: NOT consulted (set SCHEMA_CHECK_URL and SCHEMA_CHECK_ADMIN_KEY); breaking changes were not checked against clients';
  lines.push(`Schema check: ${result.changes.length} change(s); ${usage}.`);
  for (const level of ['breaking', 'dangerous', 'safe'] as const) {
    const changes = result.changes.filter((c) => c.level === level);
    if (changes.length === 0) continue;
    lines.push('', `${level.toUpperCase()} (${changes.length})`);
    for (const change of changes) {
      const mark = change.blocking ? 'FAIL' : '    ';
      lines.push(`  ${mark} ${change.message}`);
      if (change.usedBy.length > 0) lines.push(`         used by: ${who(change.usedBy)}`);
      else if (level === 'breaking' && result.usageConsulted) lines.push('         unused');
    }
  }
  if (result.deprecations.length > 0) {
    lines.push('', `DEPRECATED (${result.deprecations.length})`);
    for (const d of result.deprecations) {
      const use = result.usageConsulted
        ? d.usedBy.length > 0
          ? `still used by: ${who(d.usedBy)}`
          : 'unused: safe to remove'
        : 'usage not consulted';
      lines.push(`  ${d.coordinate} (${d.reason}): ${use}`);
    }
  }
  const blocking = result.changes.filter((c) => c.blocking).length;
  lines.push(
    '',
    result.passed
      ? 'PASSED'
      : `FAILED: ${blocking} breaking change(s) used by clients (above, marked FAIL)`,
  );
  return lines.join('\n');
}

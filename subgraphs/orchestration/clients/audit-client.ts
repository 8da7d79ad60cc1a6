import { createServiceAuditClient } from '../../policy/service-audit-client.js';

/**
 * Orchestration's writer into policy's audit log: what a caller did to a team's prompts
 * (PROMPT_VERSION_CREATED, PROMPT_LABEL_MOVED), its details saying who and which version, never
 * a prompt's text or variables. The change stands if the write fails.
 */
export const createAuditClient = (
  options: Omit<Parameters<typeof createServiceAuditClient>[0], 'service'>,
) => createServiceAuditClient({ ...options, service: 'orchestration' });

export type AuditClient = ReturnType<typeof createAuditClient>;

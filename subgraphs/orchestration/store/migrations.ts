import type { Migration } from '../../../lib/db/index.js';

/** The orchestration subgraph's schema. Forward-only: a change is a new migration, never an edit. */
export const orchestrationMigrations: Migration[] = [
  {
    id: '001_service_info',
    sql: `
-- One row: when this subgraph's store came to be (what orchestrationInfo reports).
CREATE TABLE service_info (
  service text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO service_info (service) VALUES ('orchestration');
`,
  },
];

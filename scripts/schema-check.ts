import { readFile } from 'node:fs/promises';
import { checkSchema } from '../gateway/schema-check/check-schema.js';
import { loadSchemaCheckConfig } from '../gateway/schema-check/config.js';
import { schemaCheckReport } from '../gateway/schema-check/schema-check-report.js';
import { gatewayUsageSource } from '../gateway/schema-check/usage-source.js';
import {
  SUPERGRAPH_FILE,
  composeSupergraph,
  readSubgraphs,
} from '../gateway/supergraph/compose.js';

// `npm run schema:check`: the working tree's subgraphs, composed, against the committed
// supergraph; exit 1 when a breaking change is used by a client (decision 86).
const config = loadSchemaCheckConfig();
try {
  const result = await checkSchema({
    current: await readFile(SUPERGRAPH_FILE, 'utf8'),
    proposed: composeSupergraph(await readSubgraphs()),
    usageSource: config.usage && gatewayUsageSource(config.usage.url, config.usage.adminKey),
    windowDays: config.windowDays,
  });
  console.log(schemaCheckReport(result));
  process.exitCode = result.passed ? 0 : 1;
} catch (error) {
  // Composition failed, or the platform did not answer: no verdict, which is not a pass.
  console.error(`Schema check could not run: ${(error as Error).message}`);
  process.exitCode = 2;
}

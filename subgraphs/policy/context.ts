import type { SubgraphBaseContext } from '../../lib/subgraph/subgraph-server.js';
import type { PolicyLoaders } from './loaders.js';
import type { FieldUsageService } from './service/field-usage.js';
import type { PolicyReads } from './service/policy-reads.js';
import type { PolicyService } from './service/policy-service.js';
import type { TrustedDocumentService } from './service/trusted-document-service.js';

/** What the policy subgraph's resolvers get per request: loaders and the service, never a store. */
export interface PolicyContext extends SubgraphBaseContext {
  loaders: PolicyLoaders;
  service: PolicyService & PolicyReads & TrustedDocumentService & FieldUsageService;
}

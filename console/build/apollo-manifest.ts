import { createHash } from 'node:crypto';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';

/** What `publishDocuments` takes (decision 81): Apollo's persisted-query manifest. */
export interface ApolloManifest {
  format: 'apollo-persisted-query-manifest';
  version: 1;
  operations: Array<{ id: string; name: string; type: string; body: string }>;
}

/**
 * The codegen client preset's persisted documents (`{ "sha256:<hex>": body }`) as Apollo's
 * manifest, so the console's operations are published like any client's (decision 91).
 */
export function apolloManifestOf(persisted: Record<string, string>): ApolloManifest {
  return {
    format: 'apollo-persisted-query-manifest',
    version: 1,
    operations: Object.entries(persisted).map(([hash, body]) => {
      const id = hash.replace(/^sha256:/, '');
      if (createHash('sha256').update(body).digest('hex') !== id) {
        throw new Error(`Persisted document ${id} is not the SHA-256 of its text.`);
      }
      const operation = parse(body).definitions.find(
        (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
      );
      if (!operation?.name) throw new Error(`Persisted document ${id} has no named operation.`);
      return { id, name: operation.name.value, type: operation.operation, body };
    }),
  };
}

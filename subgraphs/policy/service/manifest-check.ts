import { documentId } from '../../../lib/graphql/document-id.js';
import { GraphQLError, Kind, parse, validate, type GraphQLSchema } from 'graphql';
import { badUserInput } from '../../../lib/errors.js';
import type { OperationType, TrustedOperation } from '../store/trusted-document-store.js';

/** The `format` of the manifests `@apollo/generate-persisted-query-manifest` writes. */
export const MANIFEST_FORMAT = 'apollo-persisted-query-manifest';
/** Most operations one publish may carry. */
export const MAX_MANIFEST_OPERATIONS = 5_000;
/** Largest operation body accepted, in characters. */
export const MAX_DOCUMENT_CHARS = 100_000;

const OPERATION_TYPES: readonly string[] = ['query', 'mutation', 'subscription'];

/** A manifest as the mutation receives it (Apollo's file, unchanged). */
export interface ManifestInput {
  format: string;
  version: number;
  operations: ReadonlyArray<{ id: string; name?: string | null; type: string; body: string }>;
}

/** Why one operation of a manifest cannot be trusted. */
export interface OperationProblem {
  id: string;
  name: string | null;
  problems: string[];
}

/** What is wrong with one operation: its id, its shape, and its validity against `schema`. */
function problemsOf(
  operation: ManifestInput['operations'][number],
  schema: GraphQLSchema,
): string[] {
  const problems: string[] = [];
  if (operation.id !== documentId(operation.body)) {
    problems.push('id is not the SHA-256 (hex) of body');
  }
  if (!OPERATION_TYPES.includes(operation.type)) {
    problems.push(`type must be query, mutation or subscription, not "${operation.type}"`);
  }
  if (operation.body.length > MAX_DOCUMENT_CHARS) {
    return [...problems, `body is longer than ${MAX_DOCUMENT_CHARS} characters`];
  }
  let document;
  try {
    document = parse(operation.body);
  } catch (error) {
    return [...problems, (error as GraphQLError).message];
  }
  const definitions = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const [definition] = definitions;
  if (definitions.length !== 1 || !definition) {
    problems.push(`body must hold exactly one operation, not ${definitions.length}`);
  } else {
    if ((definition.name?.value ?? null) !== (operation.name ?? null)) {
      problems.push(`name "${operation.name}" is not the operation's name`);
    }
    if (definition.operation !== operation.type) {
      problems.push(`type "${operation.type}" is not the operation's type`);
    }
  }
  for (const error of validate(schema, document)) problems.push(error.message);
  return problems;
}

/**
 * Checks a whole manifest against the API schema clients are served. Returns its operations
 * (each id once) when every one is valid; otherwise BAD_USER_INPUT naming each bad operation
 * (`extensions.operations`: id, name and problems of each).
 */
export function checkManifest(manifest: ManifestInput, schema: GraphQLSchema): TrustedOperation[] {
  if (manifest.format !== MANIFEST_FORMAT || manifest.version !== 1) {
    throw badUserInput(`The manifest must be format "${MANIFEST_FORMAT}", version 1.`, {
      field: 'manifest',
    });
  }
  if (manifest.operations.length === 0 || manifest.operations.length > MAX_MANIFEST_OPERATIONS) {
    throw badUserInput(`A manifest holds 1 to ${MAX_MANIFEST_OPERATIONS} operations.`, {
      field: 'manifest.operations',
    });
  }
  const unique = new Map(manifest.operations.map((o) => [o.id, o]));
  const bad: OperationProblem[] = [];
  for (const operation of unique.values()) {
    const problems = problemsOf(operation, schema);
    if (problems.length > 0) bad.push({ id: operation.id, name: operation.name ?? null, problems });
  }
  if (bad.length > 0) {
    const named = bad.map(
      (b) => `${b.name ?? '(anonymous)'} (${b.id.slice(0, 12)}…): ${b.problems.join('; ')}`,
    );
    throw badUserInput(
      `${bad.length} operation(s) cannot be trusted, nothing was published: ${named.join(' | ')}`,
      { field: 'manifest.operations', operations: bad },
    );
  }
  return [...unique.values()].map((o) => ({
    id: o.id,
    name: o.name ?? null,
    type: o.type as OperationType,
    body: o.body,
  }));
}

import {
  Kind,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  parse,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { apiSchemaOf } from '../supergraph/api-schema.js';
import { argumentCoordinate, coordinatesOf, fieldCoordinate } from '../usage/schema-coordinates.js';
import { affectedCoordinates } from './affected-coordinates.js';
import { classifyChanges, type ClassifiedChange } from './classify-changes.js';
import type { RegisteredDocument, UsageSource } from './usage-source.js';

/** One client operation that uses something a change touches. */
export interface SchemaUser {
  /** `name@version` (`(unnamed client)` for requests without client headers). */
  client: string;
  /** The operation's name, or `#` and its hash's first 12 characters when anonymous. */
  operation: string;
  /** Recent traffic, or a registered trusted document. */
  source: 'traffic' | 'registered';
  /** Executions in the window (traffic only). */
  count?: number;
}

export interface CheckedChange extends ClassifiedChange {
  usedBy: SchemaUser[];
  /** Breaking and used: the check fails on it. */
  blocking: boolean;
}

export interface DeprecatedCoordinate {
  coordinate: string;
  reason: string;
  usedBy: SchemaUser[];
}

export interface SchemaCheckResult {
  changes: CheckedChange[];
  deprecations: DeprecatedCoordinate[];
  /** False when no usage source was given: breaking changes were not checked against usage. */
  usageConsulted: boolean;
  windowDays: number;
  passed: boolean;
}

export interface SchemaCheckInput {
  /** The supergraph SDL in use (the committed schema/supergraph.graphql). */
  current: string;
  /** The supergraph SDL proposed (the working tree's subgraphs, composed). */
  proposed: string;
  /** Who uses what; without one only the diff is reported. */
  usageSource?: UsageSource;
  /** How far back traffic counts. @default 14 */
  windowDays?: number;
  now?: () => Date;
}

const DAY_MS = 86_400_000;

const clientLabel = (name: string, version: string) =>
  name === '' && version === '' ? '(unnamed client)' : `${name}@${version}`;
const operationLabel = (name: string | null, hash: string) => name || `#${hash.slice(0, 12)}`;

/** Each registered document's coordinates, read on the current schema. */
function registeredUses(schema: GraphQLSchema, documents: RegisteredDocument[]) {
  return documents.flatMap((registered) => {
    let document: DocumentNode;
    try {
      document = parse(registered.body);
    } catch {
      return [];
    }
    return document.definitions.flatMap((definition) =>
      definition.kind === Kind.OPERATION_DEFINITION
        ? [
            {
              coordinates: new Set(coordinatesOf(schema, document, definition)),
              user: {
                client: clientLabel(registered.clientName, registered.clientVersion),
                operation: operationLabel(
                  definition.name?.value ?? registered.operationName,
                  registered.id,
                ),
                source: 'registered' as const,
              },
            },
          ]
        : [],
    );
  });
}

/** Every deprecated field, argument, input field and enum value of a schema, with its reason. */
function deprecatedIn(schema: GraphQLSchema): Array<{ coordinate: string; reason: string }> {
  const found: Array<{ coordinate: string; reason: string }> = [];
  const add = (coordinate: string, reason: string | null | undefined) => {
    if (reason != null) found.push({ coordinate, reason });
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        add(fieldCoordinate(type.name, field.name), field.deprecationReason);
        for (const arg of field.args) {
          add(argumentCoordinate(type.name, field.name, arg.name), arg.deprecationReason);
        }
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        add(fieldCoordinate(type.name, field.name), field.deprecationReason);
      }
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) {
        add(fieldCoordinate(type.name, value.name), value.deprecationReason);
      }
    }
  }
  return found;
}

/** Who uses any of `coordinates`: traffic summed per client and operation, then documents. */
function usersOf(
  coordinates: readonly string[],
  traffic: Awaited<ReturnType<UsageSource['fieldUsage']>>,
  registered: ReturnType<typeof registeredUses>,
): SchemaUser[] {
  const wanted = new Set(coordinates);
  const users = new Map<string, SchemaUser>();
  // One execution uses several of the coordinates: count it once per operation.
  const counted = new Map<string, number>();
  for (const use of traffic) {
    if (!wanted.has(use.coordinate)) continue;
    const user: SchemaUser = {
      client: clientLabel(use.clientName, use.clientVersion),
      operation: operationLabel(use.operationName, use.operationHash),
      source: 'traffic',
    };
    const key = JSON.stringify([user.client, use.operationHash, use.operationName]);
    counted.set(key, Math.max(counted.get(key) ?? 0, use.count));
    users.set(key, { ...user, count: counted.get(key) });
  }
  for (const { coordinates: used, user } of registered) {
    if (![...wanted].some((c) => used.has(c))) continue;
    users.set(JSON.stringify(['registered', user.client, user.operation]), user);
  }
  return [...users.values()];
}

/**
 * Compares the proposed supergraph's API schema with the current one (decision 86): every change
 * classified; a breaking change used by recent traffic or a registered trusted document fails the
 * check, naming who uses it; deprecated coordinates are listed with their remaining usage.
 */
export async function checkSchema(input: SchemaCheckInput): Promise<SchemaCheckResult> {
  const windowDays = input.windowDays ?? 14;
  const now = input.now?.() ?? new Date();
  const current = apiSchemaOf(input.current);
  const proposed = apiSchemaOf(input.proposed);
  const classified = await classifyChanges(current, proposed);
  const deprecated = deprecatedIn(proposed);
  const affected = new Map(
    classified.map((change) => [
      change,
      change.level === 'breaking' ? affectedCoordinates(current, change.change) : [],
    ]),
  );
  let traffic: Awaited<ReturnType<UsageSource['fieldUsage']>> = [];
  let registered: ReturnType<typeof registeredUses> = [];
  if (input.usageSource) {
    const asked = new Set([...affected.values()].flat());
    for (const { coordinate } of deprecated) asked.add(coordinate);
    const since = new Date(now.getTime() - windowDays * DAY_MS);
    [traffic, registered] = await Promise.all([
      asked.size > 0 ? input.usageSource.fieldUsage([...asked].sort(), since) : [],
      input.usageSource.trustedDocuments().then((docs) => registeredUses(current, docs)),
    ]);
  }
  const changes = classified.map((change) => {
    const usedBy = usersOf(affected.get(change) ?? [], traffic, registered);
    return { ...change, usedBy, blocking: change.level === 'breaking' && usedBy.length > 0 };
  });
  return {
    changes,
    deprecations: deprecated.map((d) => ({
      ...d,
      usedBy: usersOf([d.coordinate], traffic, registered),
    })),
    usageConsulted: input.usageSource !== undefined,
    windowDays,
    passed: !changes.some((c) => c.blocking),
  };
}

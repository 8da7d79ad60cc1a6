import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import type { GraphQLSchema } from 'graphql';

export type ChangeLevel = 'breaking' | 'dangerous' | 'safe';

/** One difference between the current and the proposed API schema. */
export interface ClassifiedChange {
  level: ChangeLevel;
  /** GraphQL Inspector's change type, e.g. FIELD_REMOVED. */
  type: string;
  message: string;
  /** Where, e.g. `Query.models` or `Query.models.first`; absent for schema-wide changes. */
  path?: string;
  change: Change;
}

const LEVELS: Record<CriticalityLevel, ChangeLevel> = {
  [CriticalityLevel.Breaking]: 'breaking',
  [CriticalityLevel.Dangerous]: 'dangerous',
  [CriticalityLevel.NonBreaking]: 'safe',
};

/**
 * Our classification where it differs from GraphQL Inspector's (decision 86): an optional
 * argument added to an existing field is safe, not dangerous. Inspector marks it dangerous because
 * a resolver could behave differently when it is absent; every operation written before it
 * leaves it out and gets the old behaviour, and a new argument's default is our schema's promise.
 */
function ourLevel(change: Change): ChangeLevel {
  const level = LEVELS[change.criticality.level];
  if (change.type === 'FIELD_ARGUMENT_ADDED' && level === 'dangerous') return 'safe';
  return level;
}

/** Every change from `current` to `proposed`, classified breaking, dangerous or safe. */
export async function classifyChanges(
  current: GraphQLSchema,
  proposed: GraphQLSchema,
): Promise<ClassifiedChange[]> {
  const changes = await diff(current, proposed);
  return changes.map((change) => ({
    level: ourLevel(change),
    type: change.type,
    message: change.message,
    path: change.path,
    change,
  }));
}

import { ApolloArmor } from '@escape.tech/graphql-armor';
import { specifiedRules } from 'graphql';
import { createDocumentCache } from '../../lib/graphql/document-cache.js';
import type { CacheLookups } from '../../lib/metrics.js';
import { finiteFloatLiterals } from './finite-float-literals.js';

/** Limits on what one operation may ask for, enforced before planning. */
export interface OperationLimits {
  /** @default 12 */
  maxDepth: number;
  /** @default 30 */
  maxAliases: number;
  /** @default 5000 */
  maxTokens: number;
  /** @default 10000 */
  maxCost: number;
}

export const DEFAULT_OPERATION_LIMITS: OperationLimits = {
  maxDepth: 12,
  maxAliases: 30,
  maxTokens: 5000,
  maxCost: 10_000,
};

/** armor's own mask for hidden field suggestions. */
const SUGGESTION_MASK = '[Suggestion hidden]';

/**
 * graphql-armor's depth, alias, directive and cost limits as Apollo plugins and validation rules
 * (with our rule for Float literals out of range): an abusive operation is refused with GRAPHQL_VALIDATION_FAILED before the gateway plans a single
 * subgraph fetch. The token limit is graphql-js's own parse option (armor's version reports every
 * syntax error as a validation failure), so too many tokens is GRAPHQL_PARSE_FAILED like any other
 * unparseable document. Field suggestions ("did you mean …") are hidden in production, where they
 * would map the schema for an outsider.
 */
export function operationLimits(limits: OperationLimits, options: { production: boolean }) {
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth },
    // armor skips aliases of __typename by default; 1,000 of them would still all execute.
    maxAliases: { n: limits.maxAliases, allowList: [] },
    maxTokens: { enabled: false },
    maxDirectives: { n: 50 },
    costLimit: { maxCost: limits.maxCost },
    blockFieldSuggestion: { enabled: options.production },
  });
  const { plugins, validationRules } = armor.protect();
  return {
    plugins,
    validationRules: [...validationRules, finiteFloatLiterals],
    parseOptions: { maxTokens: limits.maxTokens },
    /** What armor's suggestion plugin does to a message, for paths that do not run plugins. */
    maskSuggestions: (message: string) =>
      options.production ? message.replace(/Did you mean ".+"/g, SUGGESTION_MASK) : message,
  };
}

/**
 * Parses and validates query texts with these limits, once per text and schema, as Apollo Server
 * does for /graphql: for the gateway's paths that do not run Apollo (streams, /v1's direct runs).
 */
export function limitedDocumentCache(
  limits: ReturnType<typeof operationLimits>,
  lookups?: CacheLookups,
) {
  return createDocumentCache({
    rules: [...specifiedRules, ...(limits.validationRules as typeof specifiedRules)],
    parseOptions: limits.parseOptions,
    lookups,
  });
}

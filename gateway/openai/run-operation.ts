import type { ApolloServer } from '@apollo/server';
import type { GatewayContext } from '../context.js';
import { OpenAiError, fromGraphQLError } from './errors.js';

/** Runs one public GraphQL operation for a /v1 request; answers its data or throws an OpenAiError. */
export type RunOperation = <D>(
  context: GatewayContext,
  query: string,
  variables: Record<string, unknown>,
) => Promise<D>;

/**
 * Operations run through the gateway's own ApolloServer (`executeOperation`), with the context the
 * /graphql route builds: the same plugins (operation limits, guard, audit), planner and subgraph
 * rules. The first error decides the answer: /v1 operations select one root field.
 */
export function createOperationRunner(apollo: ApolloServer<GatewayContext>): RunOperation {
  return async <D>(
    context: GatewayContext,
    query: string,
    variables: Record<string, unknown>,
  ): Promise<D> => {
    const response = await apollo.executeOperation<D>(
      { query, variables },
      { contextValue: context },
    );
    if (response.body.kind !== 'single') {
      throw new OpenAiError(500, 'Unexpected incremental result.', 'api_error', 'internal_error');
    }
    const { data, errors } = response.body.singleResult;
    const first = errors?.[0];
    if (first) throw fromGraphQLError(first);
    if (!data) throw new OpenAiError(500, 'No data.', 'api_error', 'internal_error');
    return data;
  };
}

import { GraphQLError, type ValidationRule } from 'graphql';

/**
 * Refuses a Float literal beyond what a double holds (`1e400`). graphql-js parses it as Infinity
 * and lets it through validation; the gateway's query planner then refuses it while planning, an
 * error Apollo reports as INTERNAL_SERVER_ERROR (HTTP 500). As a validation error it is the
 * client's GRAPHQL_VALIDATION_FAILED, like any other value of the wrong kind. (A variable of
 * 1e400 is already refused: JSON gives Infinity, which Float's value parser rejects.)
 */
export const finiteFloatLiterals: ValidationRule = (context) => ({
  FloatValue(node) {
    if (Number.isFinite(Number(node.value))) return;
    context.reportError(
      new GraphQLError(`Float cannot represent ${node.value}: a Float is a finite double.`, {
        nodes: node,
      }),
    );
  },
});

import { isScalarType, type GraphQLSchema } from 'graphql';
import { DateTimeScalar, JsonScalar, MicrosScalar } from '../../lib/graphql/scalars.js';

/** The subgraphs' custom scalars, whose parsers the gateway borrows. */
const PARSED_SCALARS = [MicrosScalar, DateTimeScalar, JsonScalar];

/**
 * Gives the gateway's API schema the subgraphs' own parsers for custom scalars. Apollo Gateway
 * builds every custom scalar as a pass-through, so `Micros: "1.5"` or `DateTime: "yesterday"`
 * used to pass the gateway and come back from the subgraph as an HTTP 400 the gateway reported as
 * INTERNAL_SERVER_ERROR. With the real parsers a bad literal fails validation and a bad variable
 * fails the gateway's variable check, both before planning, with the parser's BAD_USER_INPUT
 * message. Only parsing changes: the gateway still forwards the variables as sent, and a
 * subgraph's answer is already serialized. The schema is changed in place because Apollo Server
 * and the subscription opener validate with this very object.
 */
export function useScalarParsers(schema: GraphQLSchema): void {
  for (const real of PARSED_SCALARS) {
    const type = schema.getType(real.name);
    if (!isScalarType(type)) continue;
    type.parseValue = real.parseValue;
    type.parseLiteral = real.parseLiteral;
  }
}

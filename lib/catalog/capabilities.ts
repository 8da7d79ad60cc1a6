import type { Capability } from '../../subgraphs/model-catalog/generated/resolvers-types.js';

/**
 * What a model can do: the TypeScript side of the `Capability` enum the catalog's schema owns
 * (policy's schema repeats it, as federation requires of a shared enum, and composition checks
 * they agree). Checked against the generated type both ways, so a value added to the schema and
 * not here fails to compile.
 */
export const CAPABILITIES = [
  'CHAT',
  'EMBEDDING',
  'TOOLS',
  'VISION',
  'JSON_MODE',
  'STRUCTURED_OUTPUT',
  'STREAMING',
] as const satisfies readonly Capability[];

type Missing = Exclude<Capability, (typeof CAPABILITIES)[number]>;
/** Fails to compile while the schema has a capability this list lacks. */
export const CAPABILITIES_COMPLETE: [Missing] extends [never] ? true : never = true;

import type { FlowLabelResolvers, FlowVersionResolvers } from '../generated/resolvers-types.js';

export const FlowVersion: FlowVersionResolvers = {
  number: (version) => version.version,
  inputSchema: (version) => version.definition.inputs,
  outputSchema: (version) => version.definition.outputSchema ?? null,
};

export const FlowLabel: FlowLabelResolvers = {
  name: (label) => label.label,
};

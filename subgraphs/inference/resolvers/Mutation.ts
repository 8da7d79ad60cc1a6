import type { GraphQLResolveInfo } from 'graphql';
import type { InferenceContext } from '../context.js';
import type { MutationEmbedArgs, MutationResolvers } from '../generated/resolvers-types.js';
import { generate } from '../service/saga/generate.js';
import type { PreparedEmbed } from '../service/saga/embed-operation.js';
import { rootFieldsNamed } from './operation-fields.js';
import { sagaContextOf } from '../service/saga/saga-types.js';
import { checkTexts, dataClassOf, generateRequestOf, teamForCall } from './inputs.js';
import { flowStepOf } from './flow-step-input.js';
import { resolvePromptInput } from './prompt-input.js';

function prepareEmbed(
  ctx: InferenceContext,
  responseKey: string,
  { input }: MutationEmbedArgs,
): PreparedEmbed & { responseKey: string } {
  try {
    const flowStep = flowStepOf(ctx, input.flowStep);
    return {
      responseKey,
      teamId: teamForCall(ctx.principal, input.teamId),
      ...(flowStep ? { flowStep } : {}),
      request: {
        responseKey,
        model: input.model,
        texts: checkTexts(input.texts),
        dataClass: dataClassOf(input.dataClass),
      },
    };
  } catch (error) {
    return { responseKey, error: error as Error };
  }
}

export const Mutation: MutationResolvers<InferenceContext> = {
  generate: async (_parent, { input }, ctx) => {
    const flowStep = flowStepOf(ctx, input.flowStep);
    const teamId = teamForCall(ctx.principal, input.teamId);
    const resolved = await resolvePromptInput(ctx, input, teamId);
    const saga = {
      ...sagaContextOf(ctx, teamId),
      prompt: resolved.prompt,
      ...(flowStep ? { flowStep } : {}),
    };
    return generate(ctx.saga, saga, generateRequestOf(resolved.input));
  },

  embed: (_parent, _args, ctx, info: GraphQLResolveInfo) => {
    const responseKey = info.fieldNodes[0]?.alias?.value ?? info.fieldName;
    return ctx.embeds.resultFor(responseKey, () =>
      rootFieldsNamed(info, 'embed').map((field) =>
        prepareEmbed(ctx, field.responseKey, field.args as MutationEmbedArgs),
      ),
    );
  },
};

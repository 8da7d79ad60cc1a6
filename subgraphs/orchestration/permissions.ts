import {
  belongsToTeam,
  createPermissions,
  hasScopeInTeam,
  isAuthenticated,
} from '../../lib/auth/shield-rules.js';
import type { CollectionRow } from './store/collection-rows.js';
import type { FlowRow } from './store/flow-store.js';
import type { PromptRow } from './store/prompt-rows.js';
import type { RunRow } from './store/run-store.js';

/**
 * What is not named is denied. Rules that need a prompt's team before it is loaded
 * (createPromptVersion, setPromptLabel, renderPrompt, prompt) let any signed-in caller reach the
 * service, which loads the prompt and applies service/prompt-access.ts (NOT_FOUND for another
 * team's prompt, FORBIDDEN for a member who is not an admin); `Prompt` itself is guarded again by
 * its team, so no path can show another team's prompt. Collections follow the same plan
 * (service/collections/collection-access.ts): a collection is loaded before the service decides,
 * and `Collection` is guarded by its team again. So do flows and runs
 * (service/flows/flow-access.ts), `Flow` and `FlowRun` guarded again by their team.
 */
export const orchestrationPermissions = createPermissions({
  Query: {
    orchestrationInfo: isAuthenticated,
    prompt: isAuthenticated,
    prompts: belongsToTeam<unknown, { teamId: string }>('prompts', (_p, args) => args.teamId),
    renderPrompt: isAuthenticated,
    collection: isAuthenticated,
    collections: belongsToTeam<unknown, { teamId: string }>(
      'collections',
      (_p, args) => args.teamId,
    ),
    searchCollection: isAuthenticated,
    flow: isAuthenticated,
    flows: belongsToTeam<unknown, { teamId: string }>('flows', (_p, args) => args.teamId),
    flowRun: isAuthenticated,
    flowRuns: belongsToTeam<unknown, { teamId: string }>('flowRuns', (_p, args) => args.teamId),
  },
  Mutation: {
    createPrompt: hasScopeInTeam<unknown, { input: { teamId: string } }>(
      'createPrompt',
      'policy:admin',
      (_p, args) => args.input.teamId,
    ),
    createPromptVersion: isAuthenticated,
    setPromptLabel: isAuthenticated,
    createCollection: hasScopeInTeam<unknown, { input: { teamId: string } }>(
      'createCollection',
      'policy:admin',
      (_p, args) => args.input.teamId,
    ),
    ingestDocuments: isAuthenticated,
    deleteCollectionDocument: isAuthenticated,
    deleteCollection: isAuthenticated,
    createFlow: hasScopeInTeam<unknown, { input: { teamId: string } }>(
      'createFlow',
      'policy:admin',
      (_p, args) => args.input.teamId,
    ),
    // The flow's or run's team is known once loaded: service/flows/flow-access.ts decides.
    createFlowVersion: isAuthenticated,
    setFlowLabel: isAuthenticated,
    runFlow: isAuthenticated,
    cancelFlowRun: isAuthenticated,
  },
  Subscription: {
    flowRunProgress: isAuthenticated,
  },
  OrchestrationInfo: isAuthenticated,
  Prompt: belongsToTeam<PromptRow>('Prompt', (prompt) => prompt.teamId),
  PromptVersion: isAuthenticated,
  PromptMessage: isAuthenticated,
  PromptParameters: isAuthenticated,
  PromptLabel: isAuthenticated,
  RenderedPrompt: isAuthenticated,
  PromptConnection: isAuthenticated,
  PromptEdge: isAuthenticated,
  PromptVersionConnection: isAuthenticated,
  PromptVersionEdge: isAuthenticated,
  PageInfo: isAuthenticated,
  Collection: belongsToTeam<CollectionRow>('Collection', (collection) => collection.teamId),
  CollectionDocument: isAuthenticated,
  CollectionConnection: isAuthenticated,
  CollectionEdge: isAuthenticated,
  CollectionDocumentConnection: isAuthenticated,
  CollectionDocumentEdge: isAuthenticated,
  IngestResult: isAuthenticated,
  CollectionSearchResult: isAuthenticated,
  ChunkMatch: isAuthenticated,
  Flow: belongsToTeam<FlowRow>('Flow', (flow) => flow.teamId),
  FlowRun: belongsToTeam<RunRow>('FlowRun', (run) => run.teamId),
  FlowVersion: isAuthenticated,
  FlowLabel: isAuthenticated,
  FlowRunStep: isAuthenticated,
  FlowRunEvent: isAuthenticated,
  FlowError: isAuthenticated,
  FlowConnection: isAuthenticated,
  FlowEdge: isAuthenticated,
  FlowRunConnection: isAuthenticated,
  FlowRunEdge: isAuthenticated,
});

/** A catalog ModelRow for unit tests: an active 8k chat model, created and updated at MODEL_ROW_TIME. */
import type { ModelRow } from '../../subgraphs/model-catalog/store/model-rows.js';

export const MODEL_ROW_TIME = new Date('2026-01-31T12:00:00Z');

export const modelRow = (over: Partial<ModelRow> = {}): ModelRow => ({
  id: 'acme/chat-1',
  providerId: 'acme',
  providerModel: 'chat-1',
  displayName: 'Chat 1',
  description: '',
  capabilities: ['CHAT'],
  contextWindow: 8192,
  maxOutputTokens: 1024,
  embeddingDimensions: null,
  maxBatchSize: null,
  tags: [],
  status: 'ACTIVE',
  dataClassification: 'INTERNAL',
  deprecatedAt: null,
  sunsetAt: null,
  replacementId: null,
  createdAt: MODEL_ROW_TIME,
  updatedAt: MODEL_ROW_TIME,
  ...over,
});

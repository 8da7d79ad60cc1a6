/**
 * Emulated model providers for tests: real HTTP servers on 127.0.0.1 speaking OpenAI's and
 * Anthropic's wire formats, with deterministic answers, a request log and fault injection.
 * Never used by production code.
 */
export { startAnthropicEmulator } from './emulators/anthropic.js';
export { startOpenAiEmulator } from './emulators/openai.js';
export {
  DEFAULT_REPLY,
  countWords,
  emulatorEmbedding,
  expectedChatUsage,
} from './emulators/deterministic-answers.js';
export {
  ARGUMENT_PIECES,
  argumentPieces,
  callTokens,
  valueForSchema,
} from './emulators/tool-answers.js';
export type {
  EmulatorFault,
  EmulatorOptions,
  ProviderEmulator,
  RecordedRequest,
} from './emulators/emulator-core.js';

// The suite's LLM stand-in is the published one (`rota/testing`, `startLlmStandIn`).
export {
  startLlmStandIn as startStandIn,
  type LlmStandIn as StandIn,
  type LlmReply as Reply,
  type LlmRequest as StandInRequest,
  type LlmScript as Script,
} from '../../src/testing/llm-stand-in.js';

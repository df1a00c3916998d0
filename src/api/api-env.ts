import type { Principal } from '../node/views.js';

/** What the bearer middleware resolves for every `/api/v1` request. */
export interface ApiVariables {
  principal: Principal;
  /** id of the workspace this request acts in */
  workspaceId: string;
  /** a body parsed by `definitionBody` (JSON or YAML) */
  body: unknown;
}

export type ApiEnv = { Variables: ApiVariables };

/** pino-compatible: `logger.error({ err }, 'message')`. */
export interface ApiLogger {
  error(data: Record<string, unknown>, message: string): void;
}

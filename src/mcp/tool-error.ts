/**
 * Every failure of a tool leaves as an MCP tool error (`isError: true`) carrying Rota's error shape
 * `{code, message, details, hint}` as structured content and as text, so a model can read and fix it.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { RotaApiError } from '../client/index.js';

export interface ToolErrorShape {
  code: string;
  message: string;
  details: unknown;
  hint: string;
}

/** What to do next, per error code; a code this version does not know gets the generic advice. */
export function hintFor(code: string): string {
  switch (code) {
    case 'definition_invalid':
      return 'fix each problem at its JSON path (details) and call validate_automation again; the definition JSON Schema is the resource rota://schema/definition';
    case 'inputs_invalid':
      return "the inputs do not match the automation's inputs schema: read it with get_automation";
    case 'invalid_request':
      return 'an argument is malformed; details name the path of each problem';
    case 'not_found':
      return 'check the name or id (list_automations, list_runs, list_approvals); another workspace\'s resources look missing';
    case 'conflict':
      return 'the resource is not in a state that allows this (details say why); read it again and decide';
    case 'forbidden':
      return "this token lacks the scope this needs; ask for a token with that scope";
    case 'unauthenticated':
      return 'send a valid token (ROTA_TOKEN, or the Authorization: Bearer header of /mcp)';
    case 'rate_limited':
      return 'too many runs started: wait and call again';
    case 'payload_too_large':
      return 'send less data in one call';
    case 'unavailable':
      return 'the Rota server cannot be reached or is not ready: check ROTA_URL and that `rota serve` runs';
    default:
      return 'see the message; the server log has more for internal errors';
  }
}

export function toolErrorShape(err: unknown): ToolErrorShape {
  if (err instanceof RotaApiError) return { code: err.code, message: err.message, details: err.details ?? null, hint: hintFor(err.code) };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message, details: null, hint: hintFor('internal') };
}

/** A refusal decided by the MCP layer itself (a bad argument combination, say). */
export class ToolArgumentError extends RotaApiError {
  constructor(message: string, details?: unknown) {
    super(400, 'invalid_request', message, details);
  }
}

export function toolError(err: unknown): CallToolResult {
  const error = toolErrorShape(err);
  const details = Array.isArray(error.details) ? `\n${error.details.map((d) => `- ${describeDetail(d)}`).join('\n')}` : '';
  return {
    isError: true,
    content: [{ type: 'text', text: `error ${error.code}: ${error.message}${details}\nhint: ${error.hint}` }],
    structuredContent: { error },
  };
}

function describeDetail(d: unknown): string {
  if (typeof d === 'object' && d !== null && 'message' in d) {
    const { path, message } = d as { path?: unknown; message: unknown };
    return path ? `${String(path)}: ${String(message)}` : String(message);
  }
  return JSON.stringify(d);
}

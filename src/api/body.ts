/**
 * Request bodies: read once (after the body limit), parsed here so that a syntax error says where
 * it is, then handed to the zod validators through hono's body cache.
 */
import type { MiddlewareHandler } from 'hono';
import { DefinitionError, ErrorCode, ValidationError } from '../errors.js';
import { parseDefinitionText } from '../definition/parse.js';
import type { ApiEnv } from './api-env.js';
import { jsonErrorOffset, lineColumn } from './json-error.js';
import { assertJsonDepth } from '../definition/json-depth.js';

// the same test @hono/zod-openapi applies before its validators, so both agree on what is JSON
const JSON_TYPE = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;
const YAML_TYPES = new Set(['application/yaml', 'application/x-yaml', 'text/yaml']);

type BodyKind = 'json' | 'yaml';

function bodyKind(contentType: string | undefined, allowYaml: boolean): BodyKind {
  if (contentType === undefined) throw new ValidationError('Content-Type header is required with a body; send application/json');
  if (JSON_TYPE.test(contentType.trim())) return 'json';
  const essence = contentType.split(';')[0].trim().toLowerCase();
  if (allowYaml && YAML_TYPES.has(essence)) return 'yaml';
  const accepted = allowYaml ? 'application/json or application/yaml' : 'application/json';
  throw new ValidationError(`unsupported Content-Type "${contentType.slice(0, 100)}"; send ${accepted}`);
}

/**
 * Parses JSON text; a syntax error becomes 400 naming the line and column where it failed, and a
 * value nested deeper than MAX_JSON_DEPTH a 400 naming the limit and the path (the services' walkers
 * and native JSON.stringify would overflow the stack on it).
 */
export function parseJsonText(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const offset = jsonErrorOffset(text);
    const where = offset < 0 || offset >= text.length ? 'end of input' : lineColumn(text, offset);
    const message = `malformed JSON at ${where}: ${(err as Error).message}`;
    throw new ValidationError(`malformed JSON body: ${message}`, [{ path: '$', message }]);
  }
  assertJsonDepth(value);
  return value;
}

async function readBody(c: Parameters<MiddlewareHandler<ApiEnv>>[0], allowYaml: boolean): Promise<{ kind: BodyKind; value: unknown } | null> {
  const text = c.req.raw.body === null ? '' : await c.req.text();
  if (text.trim() === '') return null;
  const kind = bodyKind(c.req.header('content-type'), allowYaml);
  if (kind === 'json') return { kind, value: parseJsonText(text) };
  try {
    const value = parseDefinitionText(text, 'yaml');
    assertJsonDepth(value);
    return { kind, value };
  } catch (err) {
    if (err instanceof DefinitionError) throw new ValidationError(`malformed YAML body: ${err.message}`, err.problems, ErrorCode.invalid_request);
    throw err;
  }
}

/**
 * For JSON routes: an empty body counts as `{}` (so `curl -X POST` works on routes whose fields are
 * all optional); anything else must be JSON.
 */
export const jsonBody: MiddlewareHandler<ApiEnv> = async (c, next) => {
  const parsed = await readBody(c, false);
  // hono's validator re-reads the cached text (JSON.parse of '' would be "malformed")
  if (parsed === null) (c.req.bodyCache as Record<string, unknown>).text = Promise.resolve('{}');
  c.set('body', parsed === null ? {} : parsed.value);
  await next();
};

/** For definitions: JSON or YAML, left unvalidated for the service (which reports every problem). */
export const definitionBody: MiddlewareHandler<ApiEnv> = async (c, next) => {
  const parsed = await readBody(c, true);
  if (parsed === null) throw new ValidationError('a definition is required in the body (JSON or YAML)', [{ path: '$', message: 'empty body' }]);
  c.set('body', parsed.value);
  await next();
};

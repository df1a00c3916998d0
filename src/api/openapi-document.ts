/**
 * The published OpenAPI document: what @hono/zod-openapi generates, made acceptable to generators
 * and validators. The route configs carry Hono's `middleware` (it leaks into the generated
 * operations); operations without an explicit `operationId` get one derived from method and path,
 * so that every operation has a stable, unique id.
 */
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

type Operation = Record<string, unknown> & { operationId?: string };
export type OpenApiDocument = Record<string, unknown> & { paths?: Record<string, Record<string, unknown>> };

const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const camel = (s: string): string => s.split(/[^A-Za-z0-9]+/).filter(Boolean).map(capital).join('');

/** `post /api/v1/automations/{name}/runs` → `postAutomationsByNameRuns`. */
export function deriveOperationId(method: string, path: string): string {
  const parts = path
    .replace(/^\/api\/v1(?=\/|$)/, '')
    .split('/')
    .filter(Boolean)
    .map((seg) => (seg.startsWith('{') ? `By${camel(seg.slice(1, -1))}` : camel(seg)));
  return method + (parts.join('') || 'Root');
}

export function finishDocument(doc: OpenApiDocument, servers: { url: string; description?: string }[]): OpenApiDocument {
  const used = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method] as Operation | undefined;
      if (!op) continue;
      delete op.middleware;
      let id = op.operationId ?? deriveOperationId(method, path);
      for (let n = 2; used.has(id); n++) id = `${op.operationId ?? deriveOperationId(method, path)}${n}`;
      op.operationId = id;
      used.add(id);
    }
  }
  return { ...doc, servers };
}

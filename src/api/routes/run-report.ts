/** `GET /runs/{id}/report`: JSON by default, Markdown on `?format=markdown` or `Accept: text/markdown`. */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { RotaService } from '../../node/service.js';
import { Scope } from '../../states.js';
import type { ApiEnv } from '../api-env.js';
import { requireScope } from '../auth.js';
import { RunEventViewSchema, RunIdParam, RunViewSchema, errorResponses } from '../schemas.js';

const ReportSchema = z
  .object({ run: RunViewSchema, events: z.array(RunEventViewSchema), markdown: z.string() })
  .openapi('RunReport');

const reportRoute = createRoute({
  method: 'get',
  path: '/runs/{id}/report',
  tags: ['runs'],
  summary: 'The report of a run (JSON or Markdown)',
  middleware: [requireScope(Scope.runs_read)],
  request: { params: RunIdParam, query: z.object({ format: z.enum(['json', 'markdown']).optional() }) },
  responses: {
    200: {
      description: 'The report',
      content: { 'application/json': { schema: ReportSchema }, 'text/markdown': { schema: z.string() } },
    },
    ...errorResponses,
  },
});

function wantsMarkdown(format: string | undefined, accept: string | undefined): boolean {
  if (format !== undefined) return format === 'markdown';
  return (accept ?? '').toLowerCase().includes('text/markdown');
}

export function registerRunReport(app: OpenAPIHono<ApiEnv>, rota: RotaService): void {
  app.openapi(reportRoute, async (c) => {
    const report = await rota.runs.report(c.var.workspaceId, c.req.valid('param').id);
    if (wantsMarkdown(c.req.valid('query').format, c.req.header('accept'))) {
      return c.body(report.markdown, 200, { 'Content-Type': 'text/markdown; charset=utf-8' });
    }
    return c.json(report, 200);
  });
}

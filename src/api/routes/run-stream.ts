/**
 * `GET /runs/{id}/stream`: server-sent events of a run. Replays the log after `Last-Event-ID` (or
 * `?after=`), then follows it live until the run's terminal event.
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { type SSEStreamingApi, streamSSE } from 'hono/streaming';
import type { RotaService } from '../../node/service.js';
import { Scope, isTerminalRun, runStatusAfter } from '../../states.js';
import type { RunEventView } from '../../node/views.js';
import type { ApiEnv, ApiLogger } from '../api-env.js';
import { requireScope } from '../auth.js';
import { RunIdParam, errorResponses } from '../schemas.js';

const Seq = z.string().regex(/^\d{1,15}$/, 'must be an event sequence number');
const PAGE = 500;
// Live events are pushed; this poll is the fallback for a missed push and keeps proxies from
// closing an idle connection.
const POLL_MS = 2_000;

const streamRoute = createRoute({
  method: 'get',
  path: '/runs/{id}/stream',
  tags: ['runs'],
  summary: 'Live run events (server-sent events; `id:` is the event seq, `event:` its type)',
  middleware: [requireScope(Scope.runs_read)],
  request: {
    params: RunIdParam,
    query: z.object({ after: Seq.optional() }),
    headers: z.object({ 'Last-Event-ID': Seq.optional() }),
  },
  responses: {
    200: { description: 'An event stream that ends after the terminal run event', content: { 'text/event-stream': { schema: z.string() } } },
    ...errorResponses,
  },
});

function isTerminalEvent(event: RunEventView): boolean {
  const status = runStatusAfter(event.type);
  return event.step_id === null && status !== null && isTerminalRun(status);
}

class RunEventPump {
  private last: number;
  private done = false;
  private readonly queue: RunEventView[] = [];
  private wake: (() => void) | null = null;

  constructor(
    private readonly rota: RotaService,
    private readonly ws: string,
    private readonly runId: string,
    after: number,
    private readonly stream: SSEStreamingApi,
  ) {
    this.last = after;
  }

  async run(): Promise<void> {
    const unsubscribe = this.rota.runs.subscribe(this.runId, this.last, (event) => {
      this.queue.push(event);
      this.notify();
    });
    this.stream.onAbort(() => {
      this.done = true;
      this.notify();
    });
    try {
      await this.catchUp();
      while (!this.done) {
        while (this.queue.length > 0 && !this.done) await this.send(this.queue.shift() as RunEventView);
        if (this.done) break;
        if (!(await this.sleep())) await this.poll();
      }
    } finally {
      unsubscribe();
    }
  }

  /** For a run already terminal: the log after `after`, then the end. */
  async replayOnly(): Promise<void> {
    await this.catchUp();
  }

  private notify(): void {
    this.wake?.();
    this.wake = null;
  }

  /** Resolves true when woken by a pushed event, false after POLL_MS. */
  private sleep(): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), POLL_MS);
      this.wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }

  private async catchUp(): Promise<void> {
    for (;;) {
      const page = await this.rota.runs.events(this.ws, this.runId, { after: this.last, limit: PAGE });
      for (const event of page) await this.send(event);
      if (page.length < PAGE || this.done) return;
    }
  }

  // Ends also when the run is terminal but no terminal event was seen (e.g. skipped runs).
  private async poll(): Promise<void> {
    await this.catchUp();
    if (this.done) return;
    const run = await this.rota.runs.get(this.ws, this.runId);
    if (isTerminalRun(run.status)) {
      await this.catchUp();
      this.done = true;
      return;
    }
    await this.stream.write(': keep-alive\n\n');
  }

  private async send(event: RunEventView): Promise<void> {
    if (event.seq <= this.last || this.done) return;
    this.last = event.seq;
    await this.stream.writeSSE({ id: String(event.seq), event: event.type, data: JSON.stringify(event) });
    if (isTerminalEvent(event)) this.done = true;
  }
}

export function registerRunStream(app: OpenAPIHono<ApiEnv>, rota: RotaService, logger?: ApiLogger): void {
  app.openapi(streamRoute, async (c) => {
    const ws = c.var.workspaceId;
    const { id } = c.req.valid('param');
    const run = await rota.runs.get(ws, id);
    const after = Number(c.req.valid('header')['Last-Event-ID'] ?? c.req.valid('query').after ?? 0);
    const terminal = isTerminalRun(run.status);
    return streamSSE(
      c,
      async (stream) => {
        const pump = new RunEventPump(rota, ws, id, after, stream);
        if (terminal) await pump.replayOnly();
        else await pump.run();
      },
      async (err) => {
        logger?.error({ err, run: id }, 'run event stream failed');
      },
    );
  });
}

/** Published events as the interfaces see them: publish (`POST /api/v1/events`, `emit_event`) and list. */
import { listEvents, runsOfEvents } from '../store/events.js';
import type { Store } from '../store/connect.js';
import { ValidationError } from '../errors.js';
import type { EventService } from '../triggers/events.js';
import { eventView } from './convert.js';
import { pageLimit, takePage } from '../paging.js';
import type { EventView, Page } from './views.js';

const EVENT_NAME = /^[A-Za-z0-9_.:-]{1,200}$/;

export interface PublishEventRequest {
  name: string;
  data?: unknown;
  /** dedupe key: publishing the same id again returns the stored event (`duplicate: true`) */
  id?: string;
}

export class EventsService {
  constructor(private readonly store: Store, private readonly events: EventService) {}

  async publish(workspaceId: string, event: PublishEventRequest, source = 'api', opts: { traceparent?: string | null } = {}): Promise<EventView> {
    if (typeof event.name !== 'string' || !EVENT_NAME.test(event.name)) {
      throw new ValidationError('invalid event name', [{ path: 'name', message: 'must match [A-Za-z0-9_.:-]{1,200}' }]);
    }
    const { row, duplicate, runs } = await this.events.publish(workspaceId, { name: event.name, data: event.data, dedupeId: event.id ?? null, traceparent: opts.traceparent ?? null }, source);
    const view = eventView(row, duplicate);
    if (runs) view.runs = runs;
    return view;
  }

  async list(workspaceId: string, opts: { name?: string; cursor?: string | null; limit?: number } = {}): Promise<Page<EventView>> {
    const limit = pageLimit(opts.limit);
    const { rows, total } = await listEvents(this.store.db, workspaceId, { name: opts.name, before: opts.cursor, limit: limit + 1 });
    const page = takePage(rows, limit, (r) => r.id);
    const runs = await runsOfEvents(this.store.db, workspaceId, page.rows.map((r) => r.id));
    const items = page.rows.map((r) => {
      const view = eventView(r);
      const started = runs.filter((run) => run.eventId === r.id);
      if (started.length > 0) view.runs = started.map((run) => ({ automation: run.automation, trigger_id: run.triggerId, run_id: run.runId, status: run.status, created: true }));
      return view;
    });
    return { items, next_cursor: page.next_cursor, total };
  }
}

import type { RunEventType } from '../states.js';
import type { RunEventView } from '../node/views.js';
import { readSse } from './sse.js';
import type { Transport } from './transport.js';

export interface StreamOptions {
  /** only events with a greater `seq` (default 0: from the start) */
  after?: number;
  signal?: AbortSignal;
}

/** Reads one SSE connection of a run's events; see RotaClient.streamRunEvents. */
export async function streamRunEvents(
  http: Transport,
  path: string,
  onEvent: (event: RunEventView) => void | Promise<void>,
  options: StreamOptions = {},
): Promise<void> {
  const after = options.after ?? 0;
  let response: Response;
  try {
    response = await http.send(path, {
      query: { after },
      accept: 'text/event-stream',
      headers: { 'last-event-id': String(after) },
      signal: options.signal,
    });
  } catch (err) {
    if (options.signal?.aborted) return;
    throw err;
  }
  if (!response.body) return;
  try {
    for await (const message of readSse(response.body)) {
      const event = toEvent(message.data, message.id, message.event);
      if (event && event.seq > after) await onEvent(event);
      if (options.signal?.aborted) break;
    }
  } catch (err) {
    if (!options.signal?.aborted) throw err;
  } finally {
    await response.body.cancel().catch(() => undefined);
  }
}

function toEvent(data: string, id: string | null, type: string): RunEventView | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const event = parsed as Partial<RunEventView>;
  // Keep-alive or control messages carry no seq; they are not run events.
  const seq = typeof event.seq === 'number' ? event.seq : id !== null && /^\d+$/.test(id) ? Number(id) : null;
  if (seq === null) return null;
  return {
    seq,
    type: (event.type ?? type) as RunEventType,
    step_id: event.step_id ?? null,
    data: event.data ?? null,
    created_at: event.created_at ?? new Date().toISOString(),
  };
}

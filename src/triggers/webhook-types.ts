/** Public shapes of webhook ingestion and the delivery log (serialized by the API as they are). */
import type { ErrorBody } from '../errors.js';
import type { DeliveryOutcome, RunStatus } from '../states.js';

export { DeliveryOutcome } from '../states.js';

export interface WebhookResponse {
  status: number;
  body:
    | { delivery_id: string | null; runs: { id: string; status: RunStatus }[]; filtered: boolean; duplicate: boolean }
    | ErrorBody;
}

export interface DeliveryView {
  id: string;
  delivery_id: string | null;
  outcome: DeliveryOutcome;
  reason: string | null;
  status_code: number;
  run_ids: string[];
  received_at: string;
}

export interface DeliveryPage {
  items: DeliveryView[];
  next_cursor: string | null;
  /** requests that failed authentication: counted, never logged one by one */
  unauthenticated: { count: number; last_at: string | null; last_reason: string | null };
}

/** Public shapes of webhook ingestion and the delivery log (serialized by the API as they are). */

export const DeliveryOutcome = {
  /** a run was recorded (queued, or `skipped` with a reason) */
  accepted: 'accepted',
  /** a re-delivery: the original run was returned */
  duplicate: 'duplicate',
  /** the trigger's filter did not match; the same delivery id may be sent again */
  filtered: 'filtered',
  /** authenticated, but no run (disabled trigger, malformed JSON, ...); may be sent again */
  rejected: 'rejected',
} as const;
export type DeliveryOutcome = (typeof DeliveryOutcome)[keyof typeof DeliveryOutcome];

export interface WebhookResponse {
  status: number;
  body:
    | { delivery_id: string | null; runs: { id: string; status: string }[]; filtered: boolean; duplicate: boolean }
    | { error: { code: string; message: string; details: unknown } };
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

/** One run-log entry as the API returns it (the run log: `run_events`, `seq` per run). */
import type { RunEventType } from '../states.js';

export interface RunEventView {
  seq: number;
  type: RunEventType;
  step_id: string | null;
  data: unknown;
  created_at: string;
}

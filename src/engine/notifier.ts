/**
 * In-process fan-out of run events (for SSE, `wait`, and waking workers). Events written by other
 * nodes are found by polling the event log; local ones arrive here at once.
 */
import { EventEmitter } from 'node:events';
import type { RunEventView } from './run-events.js';

export class Notifier {
  readonly #emitter = new EventEmitter();
  constructor() {
    this.#emitter.setMaxListeners(0);
  }

  publish(runId: string, events: RunEventView[]): void {
    if (events.length > 0) this.#emitter.emit(`run:${runId}`, events);
  }

  subscribe(runId: string, listener: (events: RunEventView[]) => void): () => void {
    const name = `run:${runId}`;
    this.#emitter.on(name, listener);
    return () => this.#emitter.off(name, listener);
  }

  /** A run became claimable on this node's database (created, woken, released). */
  runsAvailable(): void {
    this.#emitter.emit('runs-available');
  }

  onRunsAvailable(listener: () => void): () => void {
    this.#emitter.on('runs-available', listener);
    return () => this.#emitter.off('runs-available', listener);
  }

  /** Schedule triggers changed on this node (apply, pause, resume, enable): the scheduler re-plans. */
  schedulesChanged(): void {
    this.#emitter.emit('schedules-changed');
  }

  onSchedulesChanged(listener: () => void): () => void {
    this.#emitter.on('schedules-changed', listener);
    return () => this.#emitter.off('schedules-changed', listener);
  }
}

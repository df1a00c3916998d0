/** Racing an action against its abort signal (the executor's side of the abort protocol, errors.ts). */
import { abortErrorOf } from '../errors.js';

/** Races an action against its abort signal, so an action that ignores the signal cannot hang a run. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** The error an aborted signal stands for (errors.ts `abortErrorOf`), or null while it is not aborted. */
export function abortError(signal: AbortSignal): Error | null {
  return signal.aborted ? abortErrorOf(signal) : null;
}

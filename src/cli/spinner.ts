const FRAMES = ['|', '/', '-', '\\'];

export interface Spinner {
  /** erase the spinner line (call before printing); the next frame redraws it */
  clear(): void;
  stop(): void;
}

/** A one-character spinner on stderr, only when both stdout and stderr are terminals. */
export function startSpinner(enabled: boolean, text: string): Spinner {
  if (!enabled || !process.stderr.isTTY) return { clear: () => undefined, stop: () => undefined };
  let frame = 0;
  let drawn = false;
  const timer = setInterval(() => {
    process.stderr.write(`\r${FRAMES[frame++ % FRAMES.length]} ${text}`);
    drawn = true;
  }, 100);
  const clear = () => {
    if (drawn) process.stderr.write('\r\x1b[K');
    drawn = false;
  };
  return {
    clear,
    stop: () => {
      clearInterval(timer);
      clear();
    },
  };
}

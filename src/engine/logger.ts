import pino from 'pino';

export type Logger = pino.Logger;

/** JSON logs on stderr. Secrets never reach a log line: nothing logs tokens, and headers are redacted. */
export function createLogger(level: string): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: ['*.authorization', '*.token', '*.secret', 'headers.authorization'], censor: '[redacted]' },
    },
    pino.destination(2),
  );
}

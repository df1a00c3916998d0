import pino from 'pino';
import pretty from 'pino-pretty';

export type Logger = pino.Logger;

export interface LoggerOptions {
  /** `json` lines, or `pretty` text for a person; null: pretty when stderr is a terminal */
  format?: 'json' | 'pretty' | null;
  /** where lines go (default: stderr); tests pass a stream to read the log */
  destination?: NodeJS.WritableStream;
}

/**
 * Keys whose values are never written, wherever a log call puts them (one level deep, and under
 * `headers`, `config` and `err`). Rota's own log lines carry ids, names and reasons only; this is
 * the net under them and under what an embedding application or a custom action logs.
 */
export const REDACTED_KEYS = ['authorization', 'token', 'secret', 'password', 'apiKey', 'api_key', 'secretKey', 'adminToken', 'signature', 'cookie', 'databaseUrl', 'database_url'];
const REDACT_PATHS = [
  ...REDACTED_KEYS,
  ...REDACTED_KEYS.map((k) => `*.${k}`),
  ...['headers', 'config', 'err'].flatMap((parent) => REDACTED_KEYS.map((k) => `${parent}.*.${k}`)),
  'headers["x-signature"]',
  'headers["set-cookie"]',
  '*.headers["x-signature"]',
];

/**
 * The node's logger: JSON lines on stderr (pino), or pretty text on a terminal / `--log-format
 * pretty`. Secrets never reach a log line: nothing logs tokens or secret values, and the keys
 * above are redacted.
 */
export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const format = options.format ?? (process.stderr.isTTY ? 'pretty' : 'json');
  const settings: pino.LoggerOptions = { level, base: undefined, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  if (format === 'pretty') {
    const destination = options.destination ?? process.stderr;
    const colorize = destination === process.stderr && process.stderr.isTTY === true;
    // synchronous: a line is written before the process exits (no worker-thread transport)
    return pino({ ...settings, timestamp: pino.stdTimeFunctions.isoTime }, pretty({ destination, colorize, sync: true, translateTime: 'SYS:standard', ignore: 'pid,hostname' }));
  }
  return pino({ ...settings, timestamp: pino.stdTimeFunctions.isoTime }, options.destination ?? pino.destination(2));
}

/**
 * The SSRF guard shared by the `http` action and the agent's `http_fetch` tool.
 *
 * Addresses are checked where the socket connects (a custom `lookup` given to `http.request`), so
 * a DNS answer that changes between a check and the connect (DNS rebinding) cannot slip through.
 * IP literals never reach `lookup`, so they are checked before the request. Redirects are followed
 * here, one hop at a time, each hop checked again; connections are never pooled, since a pooled
 * socket could have been opened by an unguarded request.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { ErrorCode, NonRetriableError, RetriableError, RotaError, abortErrorOf } from '../errors.js';
import { timeoutError } from './abort.js';
import { allowlistCovers, nonPublicReason } from './ip-range.js';

export const MAX_REDIRECTS = 5;

export interface SafeRequestOptions {
  url: string | URL;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Host names (`*.example` for subdomains), IPs or CIDRs that may be private (`http.allowlist`). */
  allowlist: readonly string[];
  /** Reading stops and the request fails `output_too_large` past this many body bytes. */
  maxResponseBytes: number;
  /** Covers every hop, including reading the body. */
  timeoutMs: number;
  signal?: AbortSignal;
  maxRedirects?: number;
}

export interface SafeResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The URL of the final hop. */
  url: string;
}

function ssrfBlocked(host: string, address: string, reason: string): NonRetriableError {
  const target = host === address ? address : `${host} (${address})`;
  return new NonRetriableError(
    `refusing to connect to ${target}: ${reason} address. To allow it, add "${host}" or a CIDR range ` +
      `covering ${address} to the configuration key http.allowlist (or ROTA_HTTP_ALLOWLIST) and restart the node`,
    { code: ErrorCode.ssrf_blocked, details: { host, address, reason } },
  );
}

/** Throws `ssrf_blocked` unless `address` is public or the allowlist covers it. */
export function assertAddressAllowed(host: string, address: string, allowlist: readonly string[]): void {
  const reason = nonPublicReason(address);
  if (reason !== null && !allowlistCovers(allowlist, host, address)) throw ssrfBlocked(host, address, reason);
}

/** Parses the URL and refuses every scheme but http and https. */
export function checkUrl(url: string | URL, base?: URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(url, base);
  } catch {
    throw new NonRetriableError(`invalid URL: ${String(url)}`, { code: ErrorCode.ssrf_blocked });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new NonRetriableError(`refusing URL scheme "${parsed.protocol}": only http and https are allowed`, {
      code: ErrorCode.ssrf_blocked,
      details: { url: parsed.origin === 'null' ? parsed.protocol : parsed.origin },
    });
  }
  return parsed;
}

/** A `lookup` for `http.request` that resolves every address and refuses the non-public ones. */
export function createGuardedLookup(allowlist: readonly string[]): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, family: options.family, hints: options.hints }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      try {
        // Every address is checked, not just the first: the connection may fall back to any of them.
        for (const { address } of addresses) assertAddressAllowed(hostname, address, allowlist);
      } catch (blocked) {
        return callback(blocked as NodeJS.ErrnoException, '', 0);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}

/** Checks a URL without connecting: scheme, then every address its host resolves to. */
export async function assertUrlAllowed(url: string | URL, allowlist: readonly string[]): Promise<URL> {
  const parsed = checkUrl(url);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    assertAddressAllowed(host, host, allowlist);
    return parsed;
  }
  const lookup = createGuardedLookup(allowlist);
  await new Promise<void>((resolve, reject) =>
    lookup(host, { all: true }, (err) => (err ? reject(toNetworkError(err, parsed)) : resolve())),
  );
  return parsed;
}

function toNetworkError(err: unknown, url: URL): RotaError {
  if (err instanceof RotaError) return err;
  const e = err as NodeJS.ErrnoException;
  return new RetriableError(`network error calling ${url.origin}: ${e.message}`, {
    code: ErrorCode.network_error,
    details: { url: url.origin, error: e.code ?? e.message },
    cause: err,
  });
}

function tooLarge(limit: number): NonRetriableError {
  return new NonRetriableError(`response body is larger than ${limit} bytes`, {
    code: ErrorCode.output_too_large,
    details: { limit_bytes: limit },
  });
}

async function readCapped(res: http.IncomingMessage, limit: number): Promise<Buffer> {
  if (Number(res.headers['content-length']) > limit) {
    res.destroy();
    throw tooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) throw tooLarge(limit); // leaving the loop destroys the stream
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

interface Hop {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

function sendOnce(hop: Hop, opts: SafeRequestOptions, signal: AbortSignal): Promise<SafeResponse> {
  const { url } = hop;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) assertAddressAllowed(host, host, opts.allowlist);
  return new Promise<SafeResponse>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const transport = url.protocol === 'https:' ? https : http;
    const requestOptions = { method: hop.method, headers: hop.headers, lookup: createGuardedLookup(opts.allowlist), agent: false };
    const req = transport.request(url, requestOptions, (res) => {
      readCapped(res, opts.maxResponseBytes).then(
        (body) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, url: url.href }),
        (err: unknown) => reject(toNetworkError(err, url)),
      );
    });
    const onAbort = (): void => {
      reject(signal.reason);
      req.destroy();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => reject(toNetworkError(err, url)));
    req.on('close', () => signal.removeEventListener('abort', onAbort));
    req.end(hop.body);
  });
}

const SENSITIVE_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

/** The request for the next hop of a redirect, as browsers and fetch() build it. */
function redirectHop(prev: Hop, status: number, location: string): Hop {
  const url = checkUrl(location, prev.url);
  const headers = { ...prev.headers };
  if (url.origin !== prev.url.origin) {
    for (const name of Object.keys(headers)) if (SENSITIVE_HEADERS.has(name.toLowerCase())) delete headers[name];
  }
  const keepsBody = status === 307 || status === 308 || (status !== 303 && prev.method !== 'POST');
  if (keepsBody || prev.method === 'HEAD') return { url, method: prev.method, headers, body: prev.body };
  for (const name of Object.keys(headers)) if (/^content-(type|length)$/i.test(name)) delete headers[name];
  return { url, method: 'GET', headers };
}

/**
 * Sends one HTTP(S) request through the SSRF guard, following up to `maxRedirects` redirects and
 * reading the whole body (bounded). Rejects with Rota errors only: `ssrf_blocked`,
 * `network_error` and `step_timeout` (retriable), `output_too_large`, or the abort reason.
 * HTTP error statuses are returned, not thrown.
 */
export async function safeRequest(opts: SafeRequestOptions): Promise<SafeResponse> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(timeoutError('HTTP request', opts.timeoutMs)), opts.timeoutMs);
  const onAbort = (): void => controller.abort(abortErrorOf(opts.signal as AbortSignal));
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let hop: Hop = { url: checkUrl(opts.url), method: (opts.method ?? 'GET').toUpperCase(), headers: { ...opts.headers }, body: opts.body };
    const maxRedirects = opts.maxRedirects ?? MAX_REDIRECTS;
    for (let redirects = 0; ; redirects++) {
      const res = await sendOnce(hop, opts, controller.signal);
      const location = res.headers.location;
      if (![301, 302, 303, 307, 308].includes(res.status) || !location) return res;
      if (redirects >= maxRedirects) {
        throw new NonRetriableError(`too many redirects (more than ${maxRedirects})`, {
          code: ErrorCode.http_error,
          details: { status: res.status, url: res.url },
        });
      }
      hop = redirectHop(hop, res.status, location);
    }
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

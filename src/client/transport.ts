import { errorFromResponse, RotaApiError, unreachable } from './errors.js';

export type QueryValue = string | number | boolean | string[] | null | undefined;

export interface RequestOptions {
  method?: string;
  query?: Record<string, QueryValue>;
  /** sent as JSON unless `rawBody` is given */
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  headers?: Record<string, string | undefined>;
  accept?: string;
  signal?: AbortSignal;
}

export interface TransportOptions {
  url: string;
  token?: string;
  workspace?: string;
  fetch?: typeof fetch;
}

/** HTTP plumbing shared by every client method: auth headers, JSON, errors. */
export class Transport {
  readonly baseUrl: string;
  readonly #token: string | undefined;
  readonly #workspace: string | undefined;
  readonly #fetch: typeof fetch;

  constructor(options: TransportOptions) {
    this.baseUrl = options.url.replace(/\/+$/, '');
    this.#token = options.token;
    this.#workspace = options.workspace;
    // called unbound: a browser's fetch throws "Illegal invocation" when called on another object
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** Sends a request and returns the status and parsed JSON body (null when empty). */
  async json<T>(path: string, options: RequestOptions = {}): Promise<{ status: number; body: T }> {
    const response = await this.send(path, { accept: 'application/json', ...options });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T };
  }

  async text(path: string, options: RequestOptions = {}): Promise<string> {
    const response = await this.send(path, options);
    return response.text();
  }

  /** Sends a request; throws RotaApiError for a non-2xx status or an unreachable server. */
  async send(path: string, options: RequestOptions = {}): Promise<Response> {
    const url = this.url(path, options.query);
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method: options.method ?? 'GET',
        headers: this.headers(options),
        body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
        signal: options.signal,
      });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw unreachable(this.baseUrl, err);
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => '');
    throw errorFromResponse(response.status, response.statusText, text);
  }

  url(path: string, query?: Record<string, QueryValue>): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null || value === '') continue;
      params.set(key, Array.isArray(value) ? value.join(',') : String(value));
    }
    const qs = params.toString();
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  private headers(options: RequestOptions): Record<string, string> {
    const headers: Record<string, string> = {};
    if (options.accept) headers.accept = options.accept;
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    if (this.#workspace) headers['x-rota-workspace'] = this.#workspace;
    if (options.rawBody !== undefined) headers['content-type'] = options.contentType ?? 'text/plain';
    else if (options.body !== undefined) headers['content-type'] = 'application/json';
    for (const [key, value] of Object.entries(options.headers ?? {})) if (value !== undefined) headers[key.toLowerCase()] = value;
    return headers;
  }
}

export { RotaApiError };

/**
 * A real Rota node (engine + API) on 127.0.0.1:0 over a fresh database: a temp SQLite data dir, or
 * a fresh PostgreSQL schema that is dropped on close. Reusable by any test file.
 *
 * @example
 * const server = await startTestServer({ dialect: 'sqlite' });
 * const res = await fetch(`${server.url}/api/v1/automations`, { headers: { authorization: `Bearer ${server.adminToken}` } });
 * await server.close();
 */
import type { ActionDefinition } from '../../src/actions/types.js';
import type { RotaConfig } from '../../src/config/types.js';
import type { Rota } from '../../src/node/rota.js';
import type { Logger } from '../../src/engine/logger.js';
import { createApi, serveApi } from '../../src/api/server.js';
import { makeNode, TestDatabase, type Dialect } from '../support/node.js';

export interface TestServer {
  url: string;
  adminToken: string;
  rota: Rota;
  config: RotaConfig;
  close(): Promise<void>;
}

export interface TestServerOptions {
  dialect: Dialect;
  actions?: ActionDefinition[];
  /** overrides merged over the test defaults */
  config?: Partial<RotaConfig>;
  /** the node's logger (default: silent); tests pass one with a destination stream to read the log */
  logger?: Logger;
}

export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const db = new TestDatabase(options.dialect, { shareStore: false });
  await db.open();
  const { worker, ...config } = options.config ?? {};
  const node = await makeNode(db, {
    actions: options.actions ?? [],
    config: { port: 0, ...config, worker: { pollMs: 100, ...worker } },
    logger: options.logger,
  });
  const { rota, adminToken } = node;
  if (adminToken === null) throw new Error('bootstrap returned no admin token on a fresh database');
  const app = createApi(rota, { maxBodyBytes: rota.config.maxBodyBytes, defaultWorkspace: rota.config.defaultWorkspace, ...(options.logger ? { logger: options.logger } : {}) });
  const server = await serveApi(app, { host: '127.0.0.1', port: 0 });
  return {
    url: server.url,
    adminToken,
    rota,
    config: rota.config,
    async close() {
      await server.close();
      await db.close();
    },
  };
}

/** A small fetch wrapper: JSON in and out, bearer token, extra headers. */
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export function apiClient(baseUrl: string, token: string | null, defaultHeaders: Record<string, string> = {}) {
  return async function call<T = any>(
    method: string,
    path: string,
    init: { json?: unknown; body?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...defaultHeaders, ...init.headers };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body = init.body;
    if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json')) parsed = text === '' ? null : JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  };
}

export type ApiCall = ReturnType<typeof apiClient>;

/** Reads a server-sent event stream to its end (or until `stopWhen` says so). */
export async function readSse(
  url: string,
  headers: Record<string, string>,
  stopWhen: (event: { id: string; event: string; data: string }) => boolean = () => false,
): Promise<{ status: number; events: { id: string; event: string; data: string }[] }> {
  const res = await fetch(url, { headers });
  const events: { id: string; event: string; data: string }[] = [];
  if (!res.ok || res.body === null) {
    await res.text();
    return { status: res.status, events };
  }
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = parseSseBlock(block);
      if (event === null) continue;
      events.push(event);
      if (stopWhen(event)) {
        await reader.cancel();
        return { status: res.status, events };
      }
    }
  }
  return { status: res.status, events };
}

function parseSseBlock(block: string): { id: string; event: string; data: string } | null {
  const out = { id: '', event: 'message', data: '' };
  let any = false;
  for (const line of block.split('\n')) {
    if (line.startsWith(':') || line === '') continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') out.id = value;
    else if (field === 'event') out.event = value;
    else if (field === 'data') out.data = out.data === '' ? value : `${out.data}\n${value}`;
    any = true;
  }
  return any ? out : null;
}

/**
 * A `gate` action for tests: its step stays running until `open(key)` is called (or the step is
 * aborted), so a test can observe a run in flight.
 */
export function createGateAction(): { action: ActionDefinition<{ key: string }, { key: string }>; open(key: string): void } {
  const opened = new Set<string>();
  const waiters = new Map<string, (() => void)[]>();
  const action: ActionDefinition<{ key: string }, { key: string }> = {
    type: 'gate',
    description: 'test: waits until the test opens the gate named by `key`',
    configSchema: { type: 'object', properties: { key: { type: 'string' } }, required: ['key'], additionalProperties: false },
    handler: (ctx) =>
      new Promise((resolve, reject) => {
        const { key } = ctx.config;
        if (opened.has(key)) return resolve({ key });
        const onAbort = () => reject(ctx.signal.reason ?? new Error('aborted'));
        ctx.signal.addEventListener('abort', onAbort, { once: true });
        const list = waiters.get(key) ?? [];
        list.push(() => {
          ctx.signal.removeEventListener('abort', onAbort);
          resolve({ key });
        });
        waiters.set(key, list);
      }),
  };
  return {
    action,
    open(key) {
      opened.add(key);
      for (const wake of waiters.get(key) ?? []) wake();
      waiters.delete(key);
    },
  };
}

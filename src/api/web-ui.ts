/**
 * The web UI (SPEC §8): the single-page app built from `web/` into `dist/web/`, served at `/` by
 * `rota serve`. Files under `assets/` carry a content hash in their name and are cached for a year;
 * every other path that is not the API's answers `index.html`, so the app's own routes
 * (`/runs/01J…`) load on a reload. The API (`/api`), webhooks (`/hooks`), `/mcp`, `/metrics` and the
 * health routes are never shadowed.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Context } from 'hono';

const RESERVED = ['/api/', '/hooks/', '/mcp', '/metrics', '/healthz', '/readyz'];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

/**
 * The page may load only its own scripts and talk only to its own origin; Mantine sets inline
 * `style` attributes, hence `'unsafe-inline'` for styles alone.
 */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** The built UI of this package (`dist/web`), looked up from this module's location; null when it was not built. */
export function findWebRoot(from: string = fileURLToPath(import.meta.url)): string | null {
  let dir = dirname(from);
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'dist', 'web');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

interface CachedFile {
  body: Uint8Array;
  /** the body gzipped once, for text files a browser takes compressed */
  gzipped: Uint8Array | null;
  type: string;
}

const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.txt', '.map']);

/** A GET/HEAD handler for the UI's files under `root`; `null` from `handle` means "not the UI's path". */
export function webUi(root: string) {
  const cache = new Map<string, CachedFile | null>();
  const base = normalize(root + sep);

  function file(relative: string): CachedFile | null {
    if (cache.has(relative)) return cache.get(relative)!;
    const path = normalize(join(root, relative));
    let found: CachedFile | null = null;
    if (path.startsWith(base) && existsSync(path) && statSync(path).isFile()) {
      const body = readFileSync(path);
      const gzipped = COMPRESSIBLE.has(extname(path)) && body.length > 1024 ? gzipSync(body) : null;
      found = { body, gzipped, type: TYPES[extname(path)] ?? 'application/octet-stream' };
    }
    if (cache.size < 500) cache.set(relative, found);
    return found;
  }

  return (c: Context): Response | null => {
    const path = decodeURIComponentSafe(new URL(c.req.url).pathname);
    if (path === null || RESERVED.some((prefix) => path === prefix.replace(/\/$/, '') || path.startsWith(prefix))) return null;
    const asset = path !== '/' && !path.endsWith('/') ? file(path.slice(1)) : null;
    // a missing hashed asset is a 404, never the page (a stale tab would otherwise parse HTML as JS)
    if (!asset && path.startsWith('/assets/')) return null;
    const served = asset ?? file('index.html');
    if (!served) return null;
    const headers: Record<string, string> = {
      ...SECURITY_HEADERS,
      'content-type': served.type,
      'cache-control': asset && path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      vary: 'accept-encoding',
    };
    const gzip = served.gzipped && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
    if (gzip) headers['content-encoding'] = 'gzip';
    const body = gzip ? served.gzipped! : served.body;
    headers['content-length'] = String(body.length);
    return new Response(c.req.method === 'HEAD' ? null : body, { status: 200, headers });
  };
}

function decodeURIComponentSafe(path: string): string | null {
  try {
    return decodeURIComponent(path);
  } catch {
    return null;
  }
}

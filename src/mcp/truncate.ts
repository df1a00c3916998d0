/**
 * Large run outputs would flood a model's context: values over a byte budget are replaced by a
 * note saying how big they were and how to fetch the rest (a larger `max_bytes`, or `output_path`).
 */
export const DEFAULT_MAX_BYTES = 16_384;
export const MAX_MAX_BYTES = 1_048_576;

export interface Truncated {
  truncated: true;
  bytes: number;
  /** the first bytes of the JSON text */
  preview: string;
  note: string;
}

export function jsonBytes(value: unknown): number {
  return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

/** The value itself when its JSON fits `maxBytes`, else a {@link Truncated} note. */
export function fitValue(value: unknown, maxBytes: number, how: string): unknown {
  const bytes = jsonBytes(value);
  if (bytes <= maxBytes) return value;
  const preview = JSON.stringify(value).slice(0, Math.min(512, maxBytes));
  const note: Truncated = { truncated: true, bytes, preview, note: `${bytes} bytes, over max_bytes ${maxBytes}: ${how}` };
  return note;
}

/**
 * Selects a part of a value by a path such as `items[2].name` or `$.items[2]['a b']`; undefined
 * when nothing is there. Own properties only.
 */
export function selectPath(value: unknown, path: string): { found: boolean; value: unknown } {
  const parts = parsePath(path);
  if (parts === null) return { found: false, value: undefined };
  let current = value;
  for (const part of parts) {
    if (current === null || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, part)) return { found: false, value: undefined };
    current = (current as Record<string, unknown>)[part];
  }
  return { found: true, value: current };
}

const SEGMENT = /^(?:\.?([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[(?:'([^']*)'|"([^"]*)")\])/;

function parsePath(path: string): string[] | null {
  let rest = path.trim().replace(/^\$/, '');
  const parts: string[] = [];
  while (rest.length > 0) {
    const m = SEGMENT.exec(rest);
    if (!m) return null;
    parts.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
    rest = rest.slice(m[0].length);
  }
  return parts;
}

/** JSON-path strings (`$.steps[1].with.url`) used in every error detail of a definition. */

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

export function appendPath(base: string, segment: string | number): string {
  if (typeof segment === 'number') return `${base}[${segment}]`;
  return IDENTIFIER.test(segment) ? `${base}.${segment}` : `${base}[${JSON.stringify(segment)}]`;
}

export function toJsonPath(segments: readonly (string | number)[], base = '$'): string {
  return segments.reduce<string>((path, segment) => appendPath(path, segment), base);
}

/**
 * Turns an Ajv instance pointer (`/a/0/b`) into a JSON path. A `0` segment is an index only when
 * the value at that point is an array, which is why the instance value is needed.
 */
export function pointerToJsonPath(pointer: string, instance: unknown, base = '$'): string {
  if (pointer === '') return base;
  let path = base;
  let current = instance;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current) && /^\d+$/.test(key)) {
      path = appendPath(path, Number(key));
      current = current[Number(key)];
    } else {
      path = appendPath(path, key);
      current = isRecord(current) && Object.hasOwn(current, key) ? current[key] : undefined;
    }
  }
  return path;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

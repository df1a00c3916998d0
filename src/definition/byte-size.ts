/**
 * Sizes as written in definitions (`max_body: 1mb`): an integer with an optional unit `b`, `kb`,
 * `mb` (binary multiples, as body parsers use them: `1mb` = 1,048,576 bytes). Case-insensitive;
 * `kib`/`mib` are accepted as synonyms.
 */
const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1024, kib: 1024, mb: 1024 ** 2, mib: 1024 ** 2 };

export function parseByteSize(text: string): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(String(text).trim());
  const unit = match?.[2]?.toLowerCase() ?? '';
  if (!match || !(unit in UNITS)) throw new Error(`invalid size "${text}" (expected e.g. 512kb, 1mb)`);
  const bytes = Number(match[1]) * UNITS[unit]!;
  if (!Number.isSafeInteger(bytes)) throw new Error(`invalid size "${text}": too large`);
  return bytes;
}

/**
 * IP address parsing and classification for the SSRF guard: which addresses are not public
 * (loopback, private, link-local, ...) and whether an allowlist entry covers a host or address.
 */
import { isIPv4, isIPv6 } from 'node:net';

interface Cidr {
  bytes: Uint8Array;
  prefix: number;
}

/** Parses an IPv4 or IPv6 literal (brackets and zone id tolerated) into 4 or 16 bytes. */
export function parseIp(text: string): Uint8Array | null {
  const bare = text.replace(/^\[|\]$/g, '').split('%')[0];
  if (isIPv4(bare)) return Uint8Array.from(bare.split('.').map(Number));
  if (isIPv6(bare)) return parseIpv6(bare);
  return null;
}

function parseIpv6(text: string): Uint8Array {
  const toGroups = (part: string): number[] => {
    if (part === '') return [];
    return part.split(':').flatMap((group) => {
      if (!group.includes('.')) return [parseInt(group, 16)];
      const [a, b, c, d] = group.split('.').map(Number);
      return [(a << 8) | b, (c << 8) | d];
    });
  };
  const [head, tail] = text.includes('::') ? text.split('::') : [text, ''];
  const h = toGroups(head);
  const t = toGroups(tail);
  const groups = [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return bytes;
}

/** IPv4-mapped IPv6 (`::ffff:a.b.c.d`) becomes the IPv4 address it carries. */
export function normalizeIp(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 16 && bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return bytes.slice(12);
  }
  return bytes;
}

export function parseCidr(text: string): Cidr | null {
  const [addr, prefixText, ...rest] = text.split('/');
  if (rest.length > 0 || prefixText === undefined || !/^\d{1,3}$/.test(prefixText)) return null;
  const bytes = parseIp(addr);
  const prefix = Number(prefixText);
  if (!bytes || prefix > bytes.length * 8) return null;
  // `::ffff:10.0.0.0/104` and `10.0.0.0/8` name the same range.
  const normalized = normalizeIp(bytes);
  return { bytes: normalized, prefix: normalized.length < bytes.length ? prefix - 96 : prefix };
}

export function cidrContains(cidr: Cidr, bytes: Uint8Array): boolean {
  if (cidr.bytes.length !== bytes.length || cidr.prefix < 0) return false;
  const full = Math.floor(cidr.prefix / 8);
  for (let i = 0; i < full; i++) if (cidr.bytes[i] !== bytes[i]) return false;
  const rem = cidr.prefix % 8;
  if (rem === 0) return true;
  const mask = (0xff << (8 - rem)) & 0xff;
  return (cidr.bytes[full] & mask) === (bytes[full] & mask);
}

const NON_PUBLIC: Array<[string, string]> = [
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrier-grade NAT'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'documentation'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  // Deprecated IPv4-compatible addresses: no public use, and some stacks route them to IPv4.
  ['::/96', 'reserved'],
  ['64:ff9b:1::/48', 'local NAT64'],
  ['100::/64', 'discard'],
  ['2001:db8::/32', 'documentation'],
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local'],
  ['ff00::/8', 'multicast'],
];
const NON_PUBLIC_CIDRS = NON_PUBLIC.map(([text, label]) => ({ cidr: parseCidr(text) as Cidr, label }));

/** IPv6 ranges that carry an IPv4 address: the embedded address decides. */
const EMBEDDING: Array<{ cidr: Cidr; label: string; offset: number }> = [
  { cidr: parseCidr('64:ff9b::/96') as Cidr, label: 'NAT64', offset: 12 },
  { cidr: parseCidr('2002::/16') as Cidr, label: '6to4', offset: 2 },
];

/**
 * Why an address is not public (`loopback`, `private`, ...), or null when it is public.
 * Returns `invalid` for text that is not an IP address.
 */
export function nonPublicReason(address: string): string | null {
  const parsed = parseIp(address);
  if (!parsed) return 'invalid';
  const bytes = normalizeIp(parsed);
  for (const { cidr, label } of NON_PUBLIC_CIDRS) if (cidrContains(cidr, bytes)) return label;
  for (const { cidr, label, offset } of EMBEDDING) {
    if (!cidrContains(cidr, bytes)) continue;
    const inner = nonPublicReason(Array.from(bytes.subarray(offset, offset + 4)).join('.'));
    if (inner) return `${inner} (via ${label})`;
  }
  return null;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Whether an allowlist entry covers a connection to `address` made for `host`. Entries are host
 * names (`db.internal`, or `*.internal` for subdomains), IP addresses, or CIDR ranges.
 */
export function allowlistCovers(allowlist: readonly string[], host: string, address: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  const parsed = parseIp(address);
  const bytes = parsed ? normalizeIp(parsed) : null;
  return allowlist.some((raw) => {
    const entry = raw.trim().toLowerCase();
    if (entry.includes('/')) {
      const cidr = parseCidr(entry);
      return cidr !== null && bytes !== null && cidrContains(cidr, bytes);
    }
    const ip = parseIp(entry);
    if (ip) return bytes !== null && sameBytes(normalizeIp(ip), bytes);
    if (entry.startsWith('*.')) return name.endsWith(entry.slice(1));
    return entry.replace(/\.$/, '') === name;
  });
}

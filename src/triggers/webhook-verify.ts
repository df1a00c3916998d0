/**
 * Webhook authentication, one pure function per scheme (SPEC §4): decide from the headers, the raw
 * body, the candidate secrets and the clock whether a request is authentic, and what its delivery id
 * is. Every comparison is constant-time; no outcome depends on where two signatures first differ.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { sha256Hex } from '../hash.js';

export type WebhookScheme = 'standard' | 'github' | 'hmac' | 'token' | 'none';

export interface VerifyConfig {
  scheme: WebhookScheme;
  header?: string;
  timestamp_header?: string;
  delivery_id_header?: string;
}

/** Lower-case header names; a repeated header keeps its first value. */
export type HeaderMap = Record<string, string | undefined>;

export const VerifyFailure = {
  missing_headers: 'missing_headers',
  bad_signature: 'bad_signature',
  stale_timestamp: 'stale_timestamp',
  no_secret: 'no_secret',
  /** the trigger's `{env: NAME}` secret is not set on the node */
  secret_unset: 'secret_unset',
  unknown_endpoint: 'unknown_endpoint',
} as const;
export type VerifyFailure = (typeof VerifyFailure)[keyof typeof VerifyFailure];

export type VerifyResult = { ok: true; deliveryId: string | null } | { ok: false; reason: VerifyFailure };

/** ±5 minutes, as Standard Webhooks and SPEC §4 require. */
export const TIMESTAMP_TOLERANCE_MS = 5 * 60_000;

export const DEFAULTS = {
  hmacHeader: 'x-signature',
  hmacTimestampHeader: 'x-timestamp',
  tokenHeader: 'authorization',
  deliveryIdHeader: 'idempotency-key',
} as const;

/** Headers a sender may use for the delivery id and that end up in the activation's `headers`. */
export function deliveryIdHeader(config: VerifyConfig): string | null {
  switch (config.scheme) {
    case 'standard':
      return 'webhook-id';
    case 'github':
      return 'x-github-delivery';
    default:
      return (config.delivery_id_header ?? DEFAULTS.deliveryIdHeader).toLowerCase();
  }
}

export function verifyWebhook(config: VerifyConfig, headers: HeaderMap, body: Buffer, secrets: string[], now: number): VerifyResult {
  switch (config.scheme) {
    case 'standard':
      return verifyStandard(headers, body, secrets, now);
    case 'github':
      return verifyGithub(headers, body, secrets);
    case 'hmac':
      return verifyHmac(config, headers, body, secrets, now);
    case 'token':
      return verifyToken(config, headers, secrets);
    case 'none':
      return { ok: true, deliveryId: optionalId(headers, deliveryIdHeader(config)) };
    default: {
      const never: never = config.scheme;
      throw new Error(`unknown webhook scheme ${String(never)}`);
    }
  }
}

/** Standard Webhooks: HMAC-SHA256 of `<id>.<timestamp>.<body>` keyed by the base64 part of `whsec_...`. */
function verifyStandard(headers: HeaderMap, body: Buffer, secrets: string[], now: number): VerifyResult {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures) return { ok: false, reason: VerifyFailure.missing_headers };
  if (!withinTolerance(timestamp, now)) return { ok: false, reason: VerifyFailure.stale_timestamp };
  if (secrets.length === 0) return { ok: false, reason: VerifyFailure.no_secret };
  const offered = signatures
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s.slice(3), 'base64'));
  let match = false;
  for (const secret of secrets) {
    const expected = hmac(standardKey(secret), [`${id}.${timestamp}.`, body]);
    for (const sig of offered) match = safeEqual(expected, sig) || match;
  }
  return match ? { ok: true, deliveryId: id } : { ok: false, reason: VerifyFailure.bad_signature };
}

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC of the raw body>`; X-GitHub-Delivery is the id. */
function verifyGithub(headers: HeaderMap, body: Buffer, secrets: string[]): VerifyResult {
  const signature = headers['x-hub-signature-256'];
  const delivery = headers['x-github-delivery'];
  if (!signature || !delivery) return { ok: false, reason: VerifyFailure.missing_headers };
  if (secrets.length === 0) return { ok: false, reason: VerifyFailure.no_secret };
  const offered = hexSignature(signature);
  let match = false;
  for (const secret of secrets) match = safeEqual(hmac(Buffer.from(secret, 'utf8'), [body]), offered) || match;
  return match ? { ok: true, deliveryId: delivery } : { ok: false, reason: VerifyFailure.bad_signature };
}

/** Generic: `<header>: sha256=<hex HMAC of "<timestamp>.<body>">` with the timestamp in its own header. */
function verifyHmac(config: VerifyConfig, headers: HeaderMap, body: Buffer, secrets: string[], now: number): VerifyResult {
  const signature = headers[(config.header ?? DEFAULTS.hmacHeader).toLowerCase()];
  const timestamp = headers[(config.timestamp_header ?? DEFAULTS.hmacTimestampHeader).toLowerCase()];
  if (!signature || !timestamp) return { ok: false, reason: VerifyFailure.missing_headers };
  if (!withinTolerance(timestamp, now)) return { ok: false, reason: VerifyFailure.stale_timestamp };
  if (secrets.length === 0) return { ok: false, reason: VerifyFailure.no_secret };
  const offered = hexSignature(signature);
  let match = false;
  for (const secret of secrets) match = safeEqual(hmac(Buffer.from(secret, 'utf8'), [`${timestamp}.`, body]), offered) || match;
  if (!match) return { ok: false, reason: VerifyFailure.bad_signature };
  // Without a delivery id header, the signature itself identifies the delivery: a replayed request
  // (same timestamp and body) is then recognised as a re-delivery.
  const id = optionalId(headers, deliveryIdHeader(config)) ?? `sig-${sha256Hex(offered).slice(0, 32)}`;
  return { ok: true, deliveryId: id };
}

/** A static token: `Authorization: Bearer <token>` by default, or the raw value of `header`. */
function verifyToken(config: VerifyConfig, headers: HeaderMap, secrets: string[]): VerifyResult {
  const name = (config.header ?? DEFAULTS.tokenHeader).toLowerCase();
  let value = headers[name];
  if (!value) return { ok: false, reason: VerifyFailure.missing_headers };
  if (name === 'authorization') {
    const bearer = /^Bearer\s+(.+)$/i.exec(value);
    if (!bearer) return { ok: false, reason: VerifyFailure.missing_headers };
    value = bearer[1]!.trim();
  }
  if (secrets.length === 0) return { ok: false, reason: VerifyFailure.no_secret };
  // digests first: equal lengths, so the comparison leaks neither content nor length
  const offered = createHash('sha256').update(value).digest();
  let match = false;
  for (const secret of secrets) match = safeEqual(createHash('sha256').update(secret).digest(), offered) || match;
  return match ? { ok: true, deliveryId: optionalId(headers, deliveryIdHeader(config)) } : { ok: false, reason: VerifyFailure.bad_signature };
}

/**
 * Work comparable to a real verification, for requests to unknown or disabled endpoints, so that
 * the answer's timing does not tell them apart from a bad signature on a live one.
 */
export function decoyVerification(body: Buffer): void {
  safeEqual(hmac(DECOY_KEY, [body]), DECOY_KEY);
}
const DECOY_KEY = createHash('sha256').update(String(Math.random())).digest();

/** Why a `standard` secret is unusable, or null. */
export function standardSecretProblem(secret: string): string | null {
  const key = standardKey(secret);
  return key.length >= 16 ? null : 'a Standard Webhooks secret is "whsec_" followed by base64 of at least 16 random bytes';
}

function standardKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
}

function hmac(key: Buffer, parts: (string | Buffer)[]): Buffer {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

function hexSignature(value: string): Buffer {
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(value.trim());
  return match ? Buffer.from(match[1]!, 'hex') : Buffer.alloc(0);
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

/** Unix seconds (or milliseconds, when the number is that large) within ±5 minutes of now. */
function withinTolerance(value: string, now: number): boolean {
  if (!/^\d{1,16}$/.test(value.trim())) return false;
  const n = Number(value.trim());
  const ms = n > 1e12 ? n : n * 1000;
  return Math.abs(now - ms) <= TIMESTAMP_TOLERANCE_MS;
}

const DELIVERY_ID = /^[\x21-\x7e]{1,200}$/;

function optionalId(headers: HeaderMap, name: string | null): string | null {
  if (name === null) return null;
  const value = headers[name]?.trim();
  return value && DELIVERY_ID.test(value) ? value : null;
}

/** Cross-field checks of a webhook trigger's `verify:` block (SPEC §4 schemes). */
import type { ErrorDetail } from '../errors.js';
import { appendPath, isRecord } from './json-path.js';

const ONLY_FOR: Record<string, string[]> = {
  header: ['hmac', 'token'],
  timestamp_header: ['hmac'],
  delivery_id_header: ['hmac', 'token', 'none'],
};

export function checkWebhookVerify(verify: unknown, path: string): ErrorDetail[] {
  if (!isRecord(verify) || typeof verify.scheme !== 'string') return [];
  const problems: ErrorDetail[] = [];
  const at = appendPath(path, 'verify');
  const { scheme } = verify;
  if (scheme === 'none' && verify.secret !== undefined) problems.push({ path: appendPath(at, 'secret'), message: 'scheme none takes no secret' });
  if (scheme !== 'none' && verify.secret === undefined) {
    problems.push({ path: at, message: `scheme ${scheme} needs a secret: a literal (stored encrypted, never returned) or {env: NAME}` });
  }
  for (const [key, schemes] of Object.entries(ONLY_FOR)) {
    if (verify[key] !== undefined && !schemes.includes(scheme)) {
      problems.push({ path: appendPath(at, key), message: `${key} applies to the ${schemes.join(', ')} scheme${schemes.length > 1 ? 's' : ''}, not ${scheme}` });
    }
  }
  return problems;
}

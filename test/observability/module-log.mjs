// Preloaded (`node --import`) by the child of sdk-loading.test.ts: records the URL of every module
// the ESM loader resolves into the file named by ROTA_MODULE_LOG (hooks run on their own thread).
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.ROTA_MODULE_LOG, resolved.url + '\\n');
  return resolved;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);

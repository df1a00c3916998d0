/** Reading automation definitions from `.yaml`, `.yml` and `.json` files (apply -f, serve --watch). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { DefinitionError, ValidationError } from '../errors.js';

export const DEFINITION_EXTENSIONS = ['.yaml', '.yml', '.json'];

export interface DefinitionDocument {
  /** absolute path of the file */
  file: string;
  name: string;
  definition: Record<string, unknown>;
}

/** The definition files under `path` (a file, or a directory searched recursively), sorted. */
export function listDefinitionFiles(path: string): string[] {
  const abs = resolve(path);
  const stat = statSync(abs, { throwIfNoEntry: false });
  if (!stat) throw new ValidationError(`no such file or directory: ${path}`);
  if (stat.isFile()) return [abs];
  const out: string[] = [];
  for (const entry of readdirSync(abs, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue;
    const child = join(abs, entry.name);
    if (entry.isDirectory()) out.push(...listDefinitionFiles(child));
    else if (entry.isFile() && DEFINITION_EXTENSIONS.includes(extname(entry.name).toLowerCase())) out.push(child);
  }
  return out;
}

export function isDefinitionFile(path: string): boolean {
  return DEFINITION_EXTENSIONS.includes(extname(path).toLowerCase());
}

/** Parses one file; a YAML file may hold several definitions separated by `---`. */
export function readDefinitionFile(file: string, text = readFileSync(file, 'utf8')): DefinitionDocument[] {
  const docs = extname(file).toLowerCase() === '.json' ? [parseJson(file, text)] : parseYamlDocs(file, text);
  return docs
    .filter((doc) => doc !== null && doc !== undefined)
    .map((doc, i) => {
      if (typeof doc !== 'object' || Array.isArray(doc)) {
        throw new DefinitionError(`${file}: expected a definition (a mapping with name, steps, ...)`, [{ path: docPath(i), message: 'expected a mapping' }]);
      }
      const name = (doc as { name?: unknown }).name;
      if (typeof name !== 'string' || name === '') {
        throw new DefinitionError(`${file}: the definition has no name`, [{ path: `${docPath(i)}name`, message: 'required' }]);
      }
      return { file, name, definition: doc as Record<string, unknown> };
    });
}

function docPath(index: number): string {
  return index === 0 ? '' : `[document ${index + 1}] `;
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DefinitionError(`${file}: not valid JSON: ${(err as Error).message}`, []);
  }
}

function parseYamlDocs(file: string, text: string): unknown[] {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos ? ` (line ${error.linePos[0].line})` : '';
      throw new DefinitionError(`${file}: not valid YAML${line}: ${error.message.split('\n')[0]}`, []);
    }
  }
  return list.map((doc) => doc.toJS());
}

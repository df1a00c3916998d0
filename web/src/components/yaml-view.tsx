/**
 * YAML, highlighted: keys, strings, numbers, booleans and null, comments and `{{ templates }}`,
 * by a small line tokenizer (no highlighting library). Colours are classes of yaml-view.css, one
 * set per colour scheme, each at least 4.5:1 on the block's background.
 */
import { Fragment, useMemo } from 'react';
import { CopyAction } from './automation-copy';
import './yaml-view.css';

export type TokenKind = 'key' | 'string' | 'number' | 'literal' | 'comment' | 'punct' | 'template' | 'text';

export interface Token {
  kind: TokenKind;
  text: string;
}

const NUMBER = /^[-+]?(?:\d[\d_]*(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|0x[0-9a-fA-F]+|0o[0-7]+|\.inf|\.Inf|\.nan|\.NaN)$/;
const LITERAL = /^(?:true|false|null|True|False|Null|TRUE|FALSE|NULL|~)$/;
const KEY = /^((?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"{}[\],&*!|>%@`][^#{}[\],]*?))(\s*:)(?=\s|$)/;

/** A scalar's kind: a plain word that reads as a number or a literal, else a string. */
function scalarKind(text: string): TokenKind {
  const t = text.trim();
  if (NUMBER.test(t)) return 'number';
  if (LITERAL.test(t)) return 'literal';
  return 'string';
}

/** Splits `{{ ... }}` out of a string token. */
function withTemplates(text: string, kind: TokenKind): Token[] {
  if (kind !== 'string' || !text.includes('{{')) return [{ kind, text }];
  const out: Token[] = [];
  const re = /\{\{.*?\}\}/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) out.push({ kind, text: text.slice(last, m.index) });
    out.push({ kind: 'template', text: m[0] });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ kind, text: text.slice(last) });
  return out;
}

/** The end of a quoted scalar starting at `i` (the index after its closing quote), or the line's end. */
function quotedEnd(line: string, i: number): number {
  const q = line[i];
  for (let j = i + 1; j < line.length; j++) {
    if (q === '"' && line[j] === '\\') j++;
    else if (line[j] === q) {
      if (q === "'" && line[j + 1] === "'") j++;
      else return j + 1;
    }
  }
  return line.length;
}

/** A flow collection's inside (`{ a: 1, b: [x, "y"] }`): punctuation, quoted strings, keys and scalars. */
function flowTokens(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if ('{}[],'.includes(c)) {
      out.push({ kind: 'punct', text: c });
      i++;
    } else if (c === ' ' || c === '\t') {
      const j = text.slice(i).search(/[^ \t]/);
      const end = j < 0 ? text.length : i + j;
      out.push({ kind: 'text', text: text.slice(i, end) });
      i = end;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      out.push({ kind: 'comment', text: text.slice(i) });
      break;
    } else if (c === '"' || c === "'") {
      const end = quotedEnd(text, i);
      const colon = /^\s*:(?=\s|$|[,}\]])/.exec(text.slice(end));
      if (colon) out.push({ kind: 'key', text: text.slice(i, end) }, { kind: 'punct', text: colon[0] });
      else out.push(...withTemplates(text.slice(i, end), 'string'));
      i = end + (colon ? colon[0].length : 0);
    } else {
      const rest = text.slice(i);
      const word = /^(?:[^,{}[\]#:\s]|:(?!\s|$|[,}\]])|\s+(?=[^\s,{}[\]#:]))+/.exec(rest)?.[0] ?? rest[0]!;
      const colon = /^\s*:(?=\s|$|[,}\]])/.exec(rest.slice(word.length));
      if (colon) {
        out.push({ kind: 'key', text: word }, { kind: 'punct', text: colon[0] });
        i += word.length + colon[0].length;
      } else {
        out.push(...withTemplates(word, scalarKind(word)));
        i += word.length;
      }
    }
  }
  return out;
}

/** A value after `key:` or `- ` on one line. */
function valueTokens(text: string): Token[] {
  if (text === '') return [];
  const lead = /^\s*/.exec(text)![0];
  const body = text.slice(lead.length);
  const out: Token[] = lead ? [{ kind: 'text', text: lead }] : [];
  if (body.startsWith('#')) return [...out, { kind: 'comment', text: body }];
  if (body.startsWith('{') || body.startsWith('[')) return [...out, ...flowTokens(body)];
  if (body.startsWith('"') || body.startsWith("'")) {
    const end = quotedEnd(body, 0);
    out.push(...withTemplates(body.slice(0, end), 'string'));
    const rest = body.slice(end);
    if (rest) out.push(...(rest.trimStart().startsWith('#') ? [{ kind: 'comment' as const, text: rest }] : [{ kind: 'text' as const, text: rest }]));
    return out;
  }
  if (/^[|>][-+0-9]*\s*(?:#.*)?$/.test(body)) return [...out, { kind: 'punct', text: body }];
  const comment = body.search(/\s#/);
  const scalar = comment < 0 ? body : body.slice(0, comment);
  out.push(...withTemplates(scalar, scalarKind(scalar)));
  if (comment >= 0) out.push({ kind: 'comment', text: body.slice(comment) });
  return out;
}

/**
 * The tokens of each line. Block scalars (`key: |` and the lines indented under it) are strings;
 * everything else is read line by line, which is all the YAML a definition dump holds.
 */
export function yamlTokens(source: string): Token[][] {
  const lines = source.replace(/\n$/, '').split('\n');
  const out: Token[][] = [];
  let blockIndent: number | null = null;
  for (const line of lines) {
    const indent = /^\s*/.exec(line)![0].length;
    if (blockIndent !== null) {
      if (line.trim() === '' || indent > blockIndent) {
        out.push([{ kind: 'string', text: line }]);
        continue;
      }
      blockIndent = null;
    }
    const tokens: Token[] = [];
    let rest = line;
    const lead = /^\s*/.exec(rest)![0];
    if (lead) tokens.push({ kind: 'text', text: lead });
    rest = rest.slice(lead.length);
    if (rest.startsWith('#')) {
      out.push([...tokens, { kind: 'comment', text: rest }]);
      continue;
    }
    if (rest === '---' || rest === '...') {
      out.push([...tokens, { kind: 'punct', text: rest }]);
      continue;
    }
    while (/^-(?:\s|$)/.test(rest)) {
      const dash = /^-\s*/.exec(rest)![0];
      tokens.push({ kind: 'punct', text: dash });
      rest = rest.slice(dash.length);
    }
    const key = KEY.exec(rest);
    if (key) {
      tokens.push({ kind: 'key', text: key[1]! }, { kind: 'punct', text: key[2]! });
      rest = rest.slice(key[0].length);
    }
    const value = valueTokens(rest);
    tokens.push(...value);
    if (value.some((t) => t.kind === 'punct' && /^[|>]/.test(t.text))) blockIndent = indent;
    out.push(tokens);
  }
  return out;
}

export function YamlLine({ tokens }: { tokens: Token[] }) {
  return (
    <>
      {tokens.map((t, i) =>
        t.kind === 'text' || t.kind === 'punct' ? (
          <Fragment key={i}>{t.text}</Fragment>
        ) : (
          <span key={i} className={`rota-yaml-${t.kind}`}>
            {t.text}
          </span>
        ),
      )}
    </>
  );
}

/** A YAML document, highlighted, with line numbers and a copy button. */
export function YamlView({ source, label, maxHeight = 640 }: { source: string; label: string; maxHeight?: number }) {
  const lines = useMemo(() => yamlTokens(source), [source]);
  return (
    <div className="rota-yaml-frame">
      <CopyAction value={source} label={label} className="rota-yaml-copy" />
      <pre className="rota-yaml" style={{ maxHeight }} tabIndex={0} aria-label={label} data-testid="yaml">
        <code>
          {lines.map((tokens, i) => (
            <span className="rota-yaml-line" key={i}>
              <YamlLine tokens={tokens} />
              {'\n'}
            </span>
          ))}
        </code>
      </pre>
    </div>
  );
}

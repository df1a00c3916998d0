/**
 * Where JSON text stops being valid. Node 20's `JSON.parse` messages carry no position, and a
 * client fixing a 1 MiB body needs one. Iterative (no recursion), so deep nesting cannot overflow.
 */

// control characters (U+0000..U+001F) may not appear raw inside a JSON string
// eslint-disable-next-line no-control-regex
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;
const SPACE = /[ \t\n\r]*/y;

type Mode = 'value' | 'key' | 'after';

/** Offset of the first invalid character (the text length when it ends too early), or -1 if valid. */
export function jsonErrorOffset(text: string): number {
  const stack: string[] = [];
  let i = 0;
  let mode: Mode = 'value';
  const skip = (): void => {
    SPACE.lastIndex = i;
    SPACE.exec(text);
    i = SPACE.lastIndex;
  };
  const token = (pattern: RegExp): boolean => {
    pattern.lastIndex = i;
    if (!pattern.test(text)) return false;
    i = pattern.lastIndex;
    return true;
  };
  for (;;) {
    skip();
    if (mode === 'after' && stack.length === 0) return i < text.length ? i : -1;
    if (i >= text.length) return i;
    const c = text[i];
    if (mode === 'key') {
      if (!token(STRING)) return i;
      skip();
      if (text[i] !== ':') return i;
      i++;
      mode = 'value';
    } else if (mode === 'after') {
      const top = stack[stack.length - 1];
      if (c === ',') {
        i++;
        mode = top === '{' ? 'key' : 'value';
      } else if ((c === '}' && top === '{') || (c === ']' && top === '[')) {
        stack.pop();
        i++;
      } else return i;
    } else if (c === '{' || c === '[') {
      i++;
      skip();
      if (text[i] === (c === '{' ? '}' : ']')) {
        i++;
        mode = 'after';
      } else {
        stack.push(c);
        mode = c === '{' ? 'key' : 'value';
      }
    } else if (token(STRING) || token(NUMBER) || token(LITERAL)) {
      mode = 'after';
    } else return i;
  }
}

/** "line L column C" (1-based) of an offset. */
export function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line} column ${column}`;
}

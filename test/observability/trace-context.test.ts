/** W3C traceparent parsing (engine/trace-context.ts): table-driven. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTraceparent, parseTraceparent } from '../../src/engine/trace-context.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

test('traceparent: valid values parse, invalid ones are null', () => {
  const cases: [string | null | undefined, { traceId: string; spanId: string; traceFlags: number } | null][] = [
    [`00-${TRACE}-${SPAN}-01`, { traceId: TRACE, spanId: SPAN, traceFlags: 1 }],
    [`00-${TRACE}-${SPAN}-00`, { traceId: TRACE, spanId: SPAN, traceFlags: 0 }],
    [` 00-${TRACE}-${SPAN}-03 `, { traceId: TRACE, spanId: SPAN, traceFlags: 1 }],
    [`01-${TRACE}-${SPAN}-01-future`, { traceId: TRACE, spanId: SPAN, traceFlags: 1 }],
    [`00-${TRACE}-${SPAN}-01-extra`, null],
    [`ff-${TRACE}-${SPAN}-01`, null],
    [`00-${'0'.repeat(32)}-${SPAN}-01`, null],
    [`00-${TRACE}-${'0'.repeat(16)}-01`, null],
    [`00-${TRACE.toUpperCase()}-${SPAN}-01`, null],
    [`00-${TRACE.slice(1)}-${SPAN}-01`, null],
    ['garbage', null],
    ['', null],
    [null, null],
    [undefined, null],
    [`00-${TRACE}-${SPAN}-01${' '.repeat(600)}`, null],
  ];
  for (const [input, expected] of cases) {
    const got = parseTraceparent(input);
    assert.deepEqual(got && { traceId: got.traceId, spanId: got.spanId, traceFlags: got.traceFlags }, expected, JSON.stringify(input));
    if (got) assert.equal(got.isRemote, true);
  }
});

test('traceparent: formatting round-trips', () => {
  assert.equal(formatTraceparent({ traceId: TRACE, spanId: SPAN, traceFlags: 1 }), `00-${TRACE}-${SPAN}-01`);
  assert.equal(formatTraceparent(parseTraceparent(`00-${TRACE}-${SPAN}-00`)!), `00-${TRACE}-${SPAN}-00`);
});

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from '../../src/definition/duration.js';
import { parseByteSize } from '../../src/definition/byte-size.js';

describe('parseDuration', () => {
  const valid: [string, number][] = [
    ['500ms', 500],
    ['0s', 0],
    ['2s', 2_000],
    ['10m', 600_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
    ['1w', 604_800_000],
    ['1h30m', 5_400_000],
    ['1d2h3m4s5ms', 93_784_005],
    [' 5s ', 5_000],
  ];
  for (const [text, ms] of valid) {
    test(`${JSON.stringify(text)} → ${ms}`, () => assert.equal(parseDuration(text), ms));
  }

  const invalid = ['', '30', '1.5h', '-1s', '5 s', '10x', '1m1h', '1h1h', 'h', '1h 30m', '99999999999999999999w'];
  for (const text of invalid) {
    test(`rejects ${JSON.stringify(text)}`, () => assert.throws(() => parseDuration(text), /invalid duration|duration is empty/));
  }
});

describe('formatDuration', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [500, '500ms'],
    [90_000, '1m30s'],
    [5_400_000, '1h30m'],
    [604_800_000, '7d'],
    [93_784_005, '1d2h3m4s5ms'],
  ];
  for (const [ms, text] of cases) {
    test(`${ms} → ${text}`, () => {
      assert.equal(formatDuration(ms), text);
      assert.equal(parseDuration(text), ms);
    });
  }
  test('rejects negative and non-finite', () => {
    assert.throws(() => formatDuration(-1), RangeError);
    assert.throws(() => formatDuration(Number.NaN), RangeError);
  });
});

describe('parseByteSize', () => {
  const cases: [string, number][] = [
    ['1024', 1024],
    ['10b', 10],
    ['512kb', 524_288],
    ['1mb', 1_048_576],
    ['2MiB', 2_097_152],
  ];
  for (const [text, bytes] of cases) test(`${text} → ${bytes}`, () => assert.equal(parseByteSize(text), bytes));
  for (const text of ['', '1gb', '1.5mb', 'mb', '-1kb']) {
    test(`rejects ${JSON.stringify(text)}`, () => assert.throws(() => parseByteSize(text), /invalid size/));
  }
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { allowlistCovers, nonPublicReason, parseIp } from '../../src/actions/ip-range.js';
import { assertUrlAllowed } from '../../src/actions/ssrf.js';
import { ErrorCode, RotaError } from '../../src/errors.js';

describe('nonPublicReason', () => {
  const cases: Array<[string, string | null]> = [
    ['8.8.8.8', null],
    ['1.1.1.1', null],
    ['172.32.0.1', null],
    ['100.128.0.1', null],
    ['2606:4700:4700::1111', null],
    ['::ffff:8.8.8.8', null],
    ['64:ff9b::808:808', null], // NAT64 of 8.8.8.8
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::127.0.0.1', 'reserved'],
    ['fc00::1', 'unique-local'],
    ['fdff:ffff::1', 'unique-local'],
    ['fe80::1%eth0', 'link-local'],
    ['ff02::1', 'multicast'],
    ['64:ff9b::7f00:1', 'loopback (via NAT64)'],
    ['2002:a9fe:a9fe::1', 'link-local (via 6to4)'],
    ['not-an-ip', 'invalid'],
  ];
  for (const [address, reason] of cases) {
    test(`${address} -> ${reason ?? 'public'}`, () => assert.equal(nonPublicReason(address), reason));
  }
});

describe('allowlistCovers', () => {
  const cases: Array<[string[], string, string, boolean]> = [
    [[], '127.0.0.1', '127.0.0.1', false],
    [['127.0.0.1'], '127.0.0.1', '127.0.0.1', true],
    [['127.0.0.1'], '127.0.0.2', '127.0.0.2', false],
    [['127.0.0.0/8'], 'x', '127.9.9.9', true],
    [['127.0.0.0/8'], 'x', '::ffff:127.0.0.1', true],
    [['10.0.0.0/24'], 'x', '10.0.1.1', false],
    [['fd00::/8'], 'x', 'fd12::1', true],
    [['::1'], '::1', '::1', true],
    [['[::1]'], '::1', '0:0:0:0:0:0:0:1', true],
    [['db.internal'], 'DB.internal.', '10.0.0.5', true],
    [['db.internal'], 'evil.db.internal', '10.0.0.5', false],
    [['*.svc.local'], 'api.svc.local', '10.0.0.5', true],
    [['*.svc.local'], 'svc.local', '10.0.0.5', false],
    [['not a cidr/99'], 'x', '10.0.0.1', false],
  ];
  for (const [list, host, address, expected] of cases) {
    test(`${JSON.stringify(list)} ${host} ${address} -> ${expected}`, () => assert.equal(allowlistCovers(list, host, address), expected));
  }
});

test('parseIp reads IPv6 with embedded IPv4 and compression', () => {
  assert.deepEqual([...(parseIp('::ffff:1.2.3.4') ?? [])].slice(10), [0xff, 0xff, 1, 2, 3, 4]);
  assert.deepEqual([...(parseIp('1::2') ?? [])], [0, 1, ...new Array(12).fill(0), 0, 2]);
  assert.equal(parseIp('1.2.3'), null);
});

test('assertUrlAllowed resolves names and checks every address', async () => {
  const err = await assertUrlAllowed('http://localhost:1/', []).catch((e: unknown) => e);
  assert.ok(err instanceof RotaError && err.code === ErrorCode.ssrf_blocked, String(err));
  assert.equal((await assertUrlAllowed('http://localhost:1/x', ['localhost'])).pathname, '/x');
});

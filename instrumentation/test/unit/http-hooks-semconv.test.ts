import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  hostIsParsable,
  normalizeMethod,
  parseHostHeader,
  redactQuery,
  splitPlainTarget,
} from '../../src/instrumentations/http-hooks/semconv.ts';

// The own HTTP hooks skip `new URL` and `URLSearchParams` where they cannot change the result; these
// cases check the fast paths against the WHATWG parsers themselves (what upstream calls every time).

const TARGETS = [
  '/',
  '/orders/42',
  '/orders/42?x=1&y=two',
  '/a/../b',
  '/a/./b',
  '/%2e%2e/etc',
  '/.well-known/x',
  '/a b',
  "/q?x='1'",
  '/x?a=1&&b',
  '/x?a',
  '/x?',
  '/x?%41=1',
  '/x?sig=abc&page=2',
  '/x#frag',
  '//double//slash',
  '/caf\u00e9',
  '/p?q=a+b&r=%20',
  '*',
  'http://other.example/abs?z=1',
];

test('splitPlainTarget returns only what new URL gives for the same target', () => {
  let fast = 0;
  for (const target of TARGETS) {
    const plain = splitPlainTarget(target);
    if (!plain) continue;
    fast++;
    const url = new URL(target, 'http://localhost');
    assert.equal(plain.pathname, url.pathname, target);
    assert.equal(plain.search, url.search.slice(1), target);
  }
  assert.ok(fast >= 4, `the fast path is taken for plain targets (${fast})`);
  for (const odd of [
    '/a/../b',
    '/%2e%2e/etc',
    '/a b',
    "/q?x='1'",
    '/x#frag',
    '*',
    'http://other.example/abs?z=1',
  ])
    assert.equal(splitPlainTarget(odd), undefined, odd);
});

test("redactQuery is URLSearchParams' round trip with upstream's default redactions", () => {
  const redacted = [
    'sig',
    'Signature',
    'AWSAccessKeyId',
    'X-Goog-Signature',
    'X-Amz-Signature',
    'X-Amz-Credential',
    'X-Amz-Security-Token',
  ];
  const reference = (query: string): string => {
    const params = new URLSearchParams(query);
    for (const name of redacted) if (params.has(name)) params.set(name, 'REDACTED');
    return params.toString();
  };
  for (const query of [
    'x=1&y=two',
    'a=1&&b',
    'a',
    '',
    '%41=1',
    'q=a+b&r=%20',
    'sig=abc&page=2',
    'X-Amz-Signature=s&X-Amz-Credential=c',
    'Signature=1',
    'a.b-c_d*=e.f',
  ])
    assert.equal(redactQuery(query), reference(query), query);
});

test('parseHostHeader: host, host:port, IPv6 with and without port, default ports by scheme', () => {
  assert.deepEqual(parseHostHeader('example.com', 'http'), { host: 'example.com', port: '80' });
  assert.deepEqual(parseHostHeader('example.com', 'https'), { host: 'example.com', port: '443' });
  assert.deepEqual(parseHostHeader('example.com'), { host: 'example.com' });
  assert.deepEqual(parseHostHeader('127.0.0.1:8080', 'http'), { host: '127.0.0.1', port: '8080' });
  assert.deepEqual(parseHostHeader('[::1]:8080', 'http'), { host: '[::1]', port: '8080' });
  assert.deepEqual(parseHostHeader('[::1]', 'https'), { host: '[::1]', port: '443' });
  assert.deepEqual(parseHostHeader('[::1]'), { host: '[::1]' });
});

test('hostIsParsable agrees with URL.canParse, also for hosts WHATWG rejects', () => {
  for (const host of [
    'localhost',
    '127.0.0.1:3000',
    '1.2.3.999',
    'a b',
    'h:99999',
    '[::1]:80',
    'example.com',
  ])
    for (const scheme of ['http', 'https'] as const)
      assert.equal(hostIsParsable(scheme, host), URL.canParse(`${scheme}://${host}/`), `${scheme} ${host}`);
});

test('normalizeMethod: known methods upper-cased, others _OTHER, none GET', () => {
  assert.equal(normalizeMethod('get'), 'GET');
  assert.equal(normalizeMethod('PATCH'), 'PATCH');
  assert.equal(normalizeMethod('PURGE'), '_OTHER');
  assert.equal(normalizeMethod(undefined), 'GET');
});

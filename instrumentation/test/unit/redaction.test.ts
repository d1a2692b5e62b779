import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactUrl } from '../../src/redaction/url.ts';
import { sanitizeSql } from '../../src/redaction/sql.ts';
import { isSecretHeaderAttribute } from '../../src/redaction/headers.ts';
import { DEFAULT_REDACTED_QUERY_PARAMS } from '../../src/config/config.ts';

const params = new Set(DEFAULT_REDACTED_QUERY_PARAMS);

test('userinfo and secret query values are removed from full URLs', () => {
  assert.equal(
    redactUrl('https://alice:hunter2@api.example.com/v1/pay?amount=5&token=abc&X-Amz-Signature=zz#frag', params),
    'https://REDACTED:REDACTED@api.example.com/v1/pay?amount=5&token=REDACTED&X-Amz-Signature=REDACTED#frag',
  );
});

test('bare query strings and suffixed secret names are covered; harmless URLs are untouched', () => {
  assert.equal(redactUrl('page=2&client_secret=s&my_auth_token=t', params), 'page=2&client_secret=REDACTED&my_auth_token=REDACTED');
  assert.equal(redactUrl('/api/orders/1?page=2', params), '/api/orders/1?page=2');
  assert.equal(redactUrl('http://localhost:3000/healthz', params), 'http://localhost:3000/healthz');
  assert.equal(redactUrl('postgres://app:pw@db:5432/shop', params), 'postgres://REDACTED:REDACTED@db:5432/shop');
});

test('malformed escapes never throw and never leak', () => {
  assert.equal(redactUrl('/x?%E0%A4%A=1&password=p', params), '/x?%E0%A4%A=1&password=REDACTED');
});

test('SQL literals become ?, placeholders and identifiers stay', () => {
  assert.equal(
    sanitizeSql("SELECT * FROM users WHERE email = 'a@b.c' AND age > 42 AND id = $1 LIMIT 10"),
    'SELECT * FROM users WHERE email = ? AND age > ? AND id = $1 LIMIT ?',
  );
  assert.equal(sanitizeSql("INSERT INTO t2 (c1) VALUES ('it''s', 3.5e2)"), 'INSERT INTO t2 (c1) VALUES (?, ?)');
  assert.equal(sanitizeSql('SELECT col_1 FROM "Table9" WHERE x = :name'), 'SELECT col_1 FROM "Table9" WHERE x = :name');
  assert.equal(sanitizeSql("SELECT 1 -- it's a comment\nFROM dual"), "SELECT ? -- it's a comment\nFROM dual");
  assert.equal(sanitizeSql("SELECT 'unterminated"), 'SELECT ?');
});

test('secret header attributes are recognised in either semconv spelling', () => {
  assert.ok(isSecretHeaderAttribute('http.request.header.authorization'));
  assert.ok(isSecretHeaderAttribute('http.request.header.cookie'));
  assert.ok(isSecretHeaderAttribute('http.response.header.set_cookie'));
  assert.ok(isSecretHeaderAttribute('http.response.header.set-cookie'));
  assert.ok(!isSecretHeaderAttribute('http.request.header.user-agent'));
  assert.ok(!isSecretHeaderAttribute('authorization'));
});

test('a memoised transform answers like the transform and stays bounded', async () => {
  const { BoundedMemo } = await import('../../src/redaction/bounded-memo.ts');
  let calls = 0;
  const memo = new BoundedMemo((sql) => (calls++, sanitizeSql(sql)), 3, 40);
  const statement = "SELECT * FROM t WHERE a = 'x' AND b = 2";
  assert.equal(memo.apply(statement), sanitizeSql(statement));
  assert.equal(memo.apply(statement), 'SELECT * FROM t WHERE a = ? AND b = ?');
  assert.equal(calls, 1, 'a repeated statement is sanitised once');
  for (let i = 0; i < 10; i++) assert.equal(memo.apply(`SELECT ${i}`), 'SELECT ?');
  assert.ok(memo.size <= 3, `at most 3 entries, got ${memo.size}`);
  const long = `SELECT '${'x'.repeat(100)}'`;
  assert.equal(memo.apply(long), 'SELECT ?');
  assert.equal(memo.apply(long), 'SELECT ?');
  assert.ok(memo.size <= 3);
  assert.equal(calls, 13, 'inputs longer than the key limit are never kept');
});

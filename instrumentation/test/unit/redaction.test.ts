import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactUrl } from '../../src/redaction/url.ts';
import { sanitizeSql } from '../../src/redaction/sql.ts';
import { isSecretHeaderAttribute } from '../../src/redaction/headers.ts';
import { DEFAULT_REDACTED_QUERY_PARAMS } from '../../src/config/config.ts';

const params = new Set(DEFAULT_REDACTED_QUERY_PARAMS);

test('userinfo and secret query values are removed from full URLs', () => {
  assert.equal(
    redactUrl(
      'https://alice:hunter2@api.example.com/v1/pay?amount=5&token=abc&X-Amz-Signature=zz#frag',
      params,
    ),
    'https://REDACTED:REDACTED@api.example.com/v1/pay?amount=5&token=REDACTED&X-Amz-Signature=REDACTED#frag',
  );
});

test('bare query strings and suffixed secret names are covered; harmless URLs are untouched', () => {
  assert.equal(
    redactUrl('page=2&client_secret=s&my_auth_token=t', params),
    'page=2&client_secret=REDACTED&my_auth_token=REDACTED',
  );
  assert.equal(redactUrl('/api/orders/1?page=2', params), '/api/orders/1?page=2');
  assert.equal(redactUrl('http://localhost:3000/healthz', params), 'http://localhost:3000/healthz');
  assert.equal(
    redactUrl('postgres://app:pw@db:5432/shop', params),
    'postgres://REDACTED:REDACTED@db:5432/shop',
  );
});

test('malformed escapes never throw and never leak', () => {
  assert.equal(redactUrl('/x?%E0%A4%A=1&password=p', params), '/x?%E0%A4%A=1&password=REDACTED');
});

test('SQL literals become ?, placeholders and identifiers stay', () => {
  assert.equal(
    sanitizeSql("SELECT * FROM users WHERE email = 'a@b.c' AND age > 42 AND id = $1 LIMIT 10"),
    'SELECT * FROM users WHERE email = ? AND age > ? AND id = $1 LIMIT ?',
  );
  assert.equal(
    sanitizeSql("INSERT INTO t2 (c1) VALUES ('it''s', 3.5e2)"),
    'INSERT INTO t2 (c1) VALUES (?, ?)',
  );
  assert.equal(
    sanitizeSql('SELECT col_1 FROM "Table9" WHERE x = :name'),
    'SELECT col_1 FROM "Table9" WHERE x = :name',
  );
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

test('url.query values containing a slash are still treated as a query', async () => {
  const { redactQueryString } = await import('../../src/redaction/url.ts');
  assert.equal(redactQueryString('next=/home&token=abc', params), 'next=/home&token=REDACTED');
  assert.equal(redactQueryString('?jwt=x.y.z&page=1', params), '?jwt=REDACTED&page=1');
});

test('URLs inside free text lose their userinfo and secret query values', async () => {
  const { redactUrlsInText } = await import('../../src/redaction/url.ts');
  assert.equal(
    redactUrlsInText(
      'GET /login?user=bob&access_token=S1 from https://me:S2@api.example.com/x?sig=S3 done',
      params,
    ),
    'GET /login?user=bob&access_token=REDACTED from https://REDACTED:REDACTED@api.example.com/x?sig=REDACTED done',
  );
  assert.equal(redactUrlsInText('plain message, nothing to see', params), 'plain message, nothing to see');
});

test('MySQL double-quoted and backslash-escaped strings, E-strings, hex and dollar-quoted literals are sanitised', () => {
  assert.equal(
    sanitizeSql("SELECT * FROM t WHERE a = \"S1\" AND b = 'it\\'s S2'", 'mysql'),
    'SELECT * FROM t WHERE a = ? AND b = ?',
  );
  // In Postgres (the default) double quotes are identifiers and a backslash is an ordinary character.
  assert.equal(sanitizeSql('SELECT "Col" FROM t WHERE a = \'x\\\''), 'SELECT "Col" FROM t WHERE a = ?');
  assert.equal(sanitizeSql("SELECT E'x\\'Leak' AS v, e'\\\\' AS w"), 'SELECT ? AS v, ? AS w');
  assert.equal(sanitizeSql("SELECT 0xDEADBEEF, 0b1010, X'CAFE', x'beef'"), 'SELECT ?, ?, X?, x?');
  assert.equal(sanitizeSql('SELECT $$S3$$, $tag$S4 $$ S5$tag$, $1, $23'), 'SELECT ?, ?, $1, $23');
  assert.equal(sanitizeSql('DO $$ BEGIN PERFORM 1; END $$'), 'DO ?');
  assert.equal(sanitizeSql('SELECT col_1, t2.x9 FROM t2'), 'SELECT col_1, t2.x9 FROM t2');
});

test('database error texts lose the quoted values but keep the names of schema objects', async () => {
  const { sanitizeDbMessage } = await import('../../src/redaction/db-message.ts');
  assert.equal(
    sanitizeDbMessage('invalid input syntax for type integer: "S3CRET"'),
    'invalid input syntax for type integer: "?"',
  );
  assert.equal(
    sanitizeDbMessage("Duplicate entry 'a@b.c' for key 'users.email'"),
    "Duplicate entry '?' for key 'users.email'",
  );
  assert.equal(
    sanitizeDbMessage('duplicate key value violates unique constraint "users_email_key"'),
    'duplicate key value violates unique constraint "users_email_key"',
  );
  assert.equal(sanitizeDbMessage('relation "orders" does not exist'), 'relation "orders" does not exist');
});

test('the span processor scrubs every URL-bearing attribute, the name, and DB status and exception texts', async () => {
  const { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } =
    await import('@opentelemetry/sdk-trace');
  const { SpanStatusCode } = await import('@opentelemetry/api');
  const { RedactingSpanProcessor } = await import('../../src/tracing/redacting-span-processor.ts');
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    spanProcessors: [
      new RedactingSpanProcessor({ sensitiveQueryParams: [...params], dbStatement: 'sanitized' }),
      new SimpleSpanProcessor({ exporter }),
    ],
  });
  const tracer = provider.getTracer('t');
  const web = tracer.startSpan('GET /p?token=N1');
  web.setAttributes({
    'url.path': '/p?token=A1',
    'http.target': '/p?api_key=A2',
    'url.query': 'next=/x&password=A3',
    'url.full': 'http://u:A4@h/p?x=1',
    'http.url': 'http://h/p?secret=A5',
    'graphql.source.url': 'http://h/?access_token=A6',
  });
  web.setStatus({ code: SpanStatusCode.ERROR, message: 'fetch http://h/?token=A7 failed' });
  web.end();
  const db = tracer.startSpan('SELECT');
  db.setAttributes({ 'db.system.name': 'postgresql', 'db.query.text': "SELECT E'x\\'B1'" });
  const error = new Error('invalid input syntax for type integer: "B2"');
  db.recordException(error);
  db.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  db.end();
  const my = tracer.startSpan('SELECT');
  my.setAttributes({ 'db.system.name': 'mysql', 'db.query.text': 'SELECT * FROM t WHERE a = "C1"' });
  my.end();
  const text = JSON.stringify(
    exporter.getFinishedSpans().map((s) => [s.name, s.attributes, s.status, s.events]),
  );
  for (const secret of ['N1', 'A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'B1', 'B2', 'C1'])
    assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
  assert.match(text, /invalid input syntax for type integer: \\"\?\\"/);
  await provider.shutdown();
});

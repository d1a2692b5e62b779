import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoggerProvider, InMemoryLogRecordExporter, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { DEFAULT_LOG_REDACT_KEYS } from '../../src/config/signals-config.ts';
import { REDACTED, redactValue, SecretKeyMatcher } from '../../src/logs/redact.ts';
import { BoundedLogRecordProcessor, RedactingLogRecordProcessor } from '../../src/logs/processors.ts';

const KEYS = { keys: new SecretKeyMatcher(DEFAULT_LOG_REDACT_KEYS), queryParams: new Set<string>() };

test('redacts default keys at any depth and in arrays, case-insensitively', () => {
  const input = {
    user: { id: 1, Password: 'p' },
    req: { headers: { Authorization: 'Bearer x', cookie: 'c', accept: 'json' } },
    items: [{ token: 't' }, { name: 'ok' }],
  };
  assert.deepEqual(redactValue(input, KEYS), {
    user: { id: 1, Password: REDACTED },
    req: { headers: { Authorization: REDACTED, cookie: REDACTED, accept: 'json' } },
    items: [{ token: REDACTED }, { name: 'ok' }],
  });
});

test('copy-on-write: the caller’s objects are never modified, untouched branches are shared', () => {
  const clean = { a: 1 };
  const input = { clean, secret: { password: 'p' } };
  const out = redactValue(input, KEYS);
  assert.equal(input.secret.password, 'p');
  assert.equal(out.clean, clean);
  assert.notEqual(out, input);
  const untouched = { a: { b: 1 } };
  assert.equal(redactValue(untouched, KEYS), untouched);
});

test('the processor redacts attributes and structured bodies before the exporter sees them', () => {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    processors: [
      new RedactingLogRecordProcessor([...DEFAULT_LOG_REDACT_KEYS, 'card_number']),
      new SimpleLogRecordProcessor({ exporter }),
    ],
  });
  const attributes = { token: 'abc', user: { password: 'p', id: 3 }, card_number: '4111' };
  provider.getLogger('t').emit({ body: { msg: 'm', secret: 's' }, attributes });
  const [record] = exporter.getFinishedLogRecords();
  assert.deepEqual(record!.attributes, {
    token: REDACTED,
    user: { password: REDACTED, id: 3 },
    card_number: REDACTED,
  });
  assert.deepEqual(record!.body, { msg: 'm', secret: REDACTED });
  assert.equal(attributes.user.password, 'p', 'the caller’s attribute object is untouched');
});

test('the bounded processor drops and counts beyond the queue size until batches leave', () => {
  const seen: number[] = [];
  let dropped = 0;
  const inner = {
    onEmit: () => seen.push(1),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const bounded = new BoundedLogRecordProcessor(inner, 3, (n) => (dropped += n));
  const record = {} as never;
  for (let i = 0; i < 5; i++) bounded.onEmit(record);
  assert.equal(seen.length, 3);
  assert.equal(dropped, 2);
  bounded.handedToExporter(2);
  for (let i = 0; i < 3; i++) bounded.onEmit(record);
  assert.equal(seen.length, 5);
  assert.equal(dropped, 3);
  assert.equal(bounded.queued, 3);
});

test('keys are matched by their words, whatever the spelling', async () => {
  const { SecretKeyMatcher } = await import('../../src/logs/redact.ts');
  const matcher = new SecretKeyMatcher([...DEFAULT_LOG_REDACT_KEYS, 'card_number']);
  const secret = [
    'accessToken',
    'refreshToken',
    'apiToken',
    'authToken',
    'sessionId',
    'privateKey',
    'jwt',
    'credentials',
    'userPassword',
    'db_password',
    'secretKey',
    'x-auth-token',
    'X-API-KEY',
    'APIKey',
    'ACCESS_TOKEN',
    'set-cookie',
    'cardNumber',
    'Card-Number',
    'auth',
    'client.secret',
  ];
  const harmless = [
    'user',
    'tokenizerName',
    'keyboard',
    'session',
    'author',
    'authMethod',
    'id',
    'path',
    'max_tokens',
    'cacheKey',
  ];
  for (const key of secret) assert.ok(matcher.isSecret(key), `${key} should be redacted`);
  for (const key of harmless) assert.ok(!matcher.isSecret(key), `${key} should be kept`);
});

test('nothing deeper than the depth limit passes through, and URLs in values are scrubbed', async () => {
  const { SecretKeyMatcher } = await import('../../src/logs/redact.ts');
  const rules = {
    keys: new SecretKeyMatcher(DEFAULT_LOG_REDACT_KEYS),
    queryParams: new Set(['token', 'code']),
  };
  let deep: Record<string, unknown> = { leak: 'D1' };
  for (let i = 0; i < 40; i++) deep = { level: deep };
  const out = redactValue({ deep, url: '/cb?code=U1&state=ok', list: ['https://me:U2@h/'] }, rules);
  const text = JSON.stringify(out);
  for (const secret of ['D1', 'U1', 'U2']) assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
  assert.match(text, /state=ok/);
});

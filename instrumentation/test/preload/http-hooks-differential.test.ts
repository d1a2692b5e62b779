import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { OtlpReceiver } from '../support/otlp-receiver.ts';
import { startApp } from '../support/spawn-app.ts';
import { testEnv } from '../support/env.ts';
import { type AttrValue, type FlatSpan } from '../support/spans.ts';

// The kit's own HTTP hooks (diagnostics channels, src/instrumentations/http-hooks) against the upstream
// instrumentations they replace, which stay the oracle: the same request matrix
// (test/fixtures/apps/http-matrix/cases.cjs) runs under LGTM_APM_HTTP_HOOKS=own and =upstream, as CommonJS
// and as an ES module, and every trace must come out the same — span names, kinds, parents, statuses,
// events and attributes — apart from the differences listed in KNOWN_DIFFERENCES (each one documented
// in instrumentation/README.md, "Own HTTP hooks").

interface Run {
  spans: FlatSpan[];
  ports: Record<string, number>;
}

/** One line per span: where it sits in its trace and everything the comparison covers. */
type Described = Map<string, string[]>;

/**
 * Differences that remain, each explained in the README ("Own HTTP hooks"): in the named case, the
 * upstream text is rewritten to the kit's before comparing. Each rewrite must apply at least once, so a
 * difference that disappears (or changes) fails the test until this list and the README are updated.
 */
const KNOWN_DIFFERENCES: ReadonlyArray<{ case: string; upstream: string; own: string; why: string }> = [
  {
    case: 'case redaction of credentials and tokens',
    upstream: '"url.full":"http://REDACTED:REDACTED@',
    own: '"url.full":"http://',
    why: 'credentials given in the URL reach ClientRequest only as an Authorization header, which an app can set itself',
  },
];

let receiver: OtlpReceiver;
const runs = new Map<string, Run>();

before(async () => {
  receiver = await new OtlpReceiver().start();
});

after(async () => {
  await receiver?.stop();
});

async function runMatrix(
  hooks: 'own' | 'upstream',
  entry: 'http-matrix.cjs' | 'http-matrix.mjs',
): Promise<Run> {
  const service = `matrix-${hooks}-${entry.endsWith('.mjs') ? 'esm' : 'cjs'}`;
  const app = await startApp(entry, {
    waitForPort: false,
    env: testEnv(receiver.grpcEndpoint, {
      OTEL_SERVICE_NAME: service,
      LGTM_APM_HTTP_HOOKS: hooks,
      // One ignored path is enough for the matrix, and it must be one it requests.
      LGTM_APM_IGNORE_PATHS: '/healthz',
    }),
  });
  const { code } = await app.exited;
  assert.equal(
    code,
    0,
    `${service} failed\n--- stdout ---\n${app.stdout().slice(-3000)}\n--- stderr ---\n${app.stderr()}`,
  );
  assert.match(app.stdout(), /\{"done":true\}/);
  const ports = JSON.parse(/\{"ports":(\{[^}]*\})\}/.exec(app.stdout())![1]!) as Record<string, number>;
  // shutdown() returned before the process exited, so every span has been delivered.
  return { spans: receiver.spans().filter((s) => s.service === service), ports };
}

function normalizeValue(value: AttrValue, ports: Record<string, number>): AttrValue {
  if (typeof value === 'number') {
    for (const [name, port] of Object.entries(ports)) if (value === port) return `<port:${name}>`;
    return value;
  }
  if (typeof value === 'string') {
    let out = value;
    for (const [name, port] of Object.entries(ports)) out = out.split(`:${port}`).join(`:<port:${name}>`);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => normalizeValue(v, ports));
  return value;
}

function normalizeAttributes(
  attributes: Record<string, AttrValue>,
  ports: Record<string, number>,
): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const key of Object.keys(attributes).sort()) {
    const value = attributes[key];
    // The client's ephemeral port differs from run to run; that it is there is what can be compared.
    if (key === 'network.peer.port' && typeof value === 'number' && !Object.values(ports).includes(value))
      out[key] = '<ephemeral>';
    // Stack traces go through different frames (the wrappers); that there is one is compared.
    else if (key === 'exception.stacktrace')
      out[key] = typeof value === 'string' && value.length > 0 ? '<stack>' : value;
    else out[key] = normalizeValue(value, ports);
  }
  return out;
}

function describe(run: Run): Described {
  const byId = new Map(run.spans.map((s) => [s.spanId, s]));
  const rootOf = (span: FlatSpan): FlatSpan => {
    let current = span;
    while (current.parentSpanId && byId.has(current.parentSpanId)) current = byId.get(current.parentSpanId)!;
    return current;
  };
  const pathOf = (span: FlatSpan): string => {
    const names: string[] = [];
    for (let p = byId.get(span.parentSpanId); p; p = byId.get(p.parentSpanId))
      names.unshift(`${p.kindName} ${p.name}`);
    return names.join(' > ');
  };
  const out: Described = new Map();
  for (const span of run.spans) {
    const root = rootOf(span);
    // A root's parent id that is not among the spans would be a broken link: keep it visible.
    const orphan = root.parentSpanId ? ' (parent missing)' : '';
    const key = root.name.startsWith('case ')
      ? root.name
      : `${root.kindName} ${String(normalizeValue(root.attributes['url.path'], run.ports))}${orphan}`;
    const line = JSON.stringify({
      under: pathOf(span),
      name: span.name,
      kind: span.kindName,
      scope: span.scope.replace(
        /^@opentelemetry\/instrumentation-(http|undici)$|^@lgtm-apm\/instrumentation\/(http-server|http-client|undici)$/,
        '<http hooks>',
      ),
      status: [span.statusCode, normalizeValue(span.statusMessage, run.ports)],
      events: span.events.map((e) => ({
        name: e.name,
        attributes: normalizeAttributes(e.attributes, run.ports),
      })),
      attributes: normalizeAttributes(span.attributes, run.ports),
    });
    out.set(key, [...(out.get(key) ?? []), line].sort());
  }
  return out;
}

function differences(upstream: Described, own: Described): string[] {
  const problems: string[] = [];
  for (const known of KNOWN_DIFFERENCES) {
    const lines = upstream.get(known.case) ?? [];
    const rewritten = lines.map((line) => line.split(known.upstream).join(known.own));
    if (rewritten.join() === lines.join()) problems.push(`known difference not seen any more: ${known.why}`);
    upstream.set(known.case, rewritten.sort());
  }
  for (const key of new Set([...upstream.keys(), ...own.keys()])) {
    const a = upstream.get(key) ?? [];
    const b = own.get(key) ?? [];
    const onlyUpstream = a.filter((line) => !b.includes(line));
    const onlyOwn = b.filter((line) => !a.includes(line));
    if (a.length !== b.length || onlyUpstream.length || onlyOwn.length)
      problems.push(
        `${key}: ${a.length} spans upstream, ${b.length} own\n` +
          onlyUpstream.map((l) => `  upstream only: ${l}`).join('\n') +
          '\n' +
          onlyOwn.map((l) => `  own only:      ${l}`).join('\n'),
      );
  }
  return problems;
}

for (const entry of ['http-matrix.cjs', 'http-matrix.mjs'] as const) {
  test(
    `own HTTP hooks give the upstream instrumentations' spans (${entry})`,
    { timeout: 180_000 },
    async () => {
      const upstream = await runMatrix('upstream', entry);
      const own = await runMatrix('own', entry);
      runs.set(entry, own);
      const problems = differences(describe(upstream), describe(own));
      assert.deepEqual(problems, [], problems.join('\n\n'));
    },
  );
}

test('the matrix covers what it claims (checked on the own hooks run)', () => {
  for (const [entry, run] of runs) {
    const spans = run.spans;
    const server = spans.filter((s) => s.kindName === 'SERVER');
    const client = spans.filter((s) => s.kindName === 'CLIENT');
    const routes = new Set(server.map((s) => s.attributes['http.route']).filter(Boolean));
    for (const route of ['/users/:id', '/users', '/items/:id', '/things/:id'])
      assert.ok(
        routes.has(route),
        `${entry}: http.route ${route} set (express, fastify, koa): ${[...routes].join(', ')}`,
      );
    // Root SERVER spans carry the Pinpoint USER node; CLIENT spans name their callee.
    const roots = server.filter((s) => !s.parentSpanId);
    assert.ok(roots.length >= 4, `${entry}: root server spans (suppressed caller, pipelined)`);
    for (const root of roots) assert.equal(root.attributes['peer.service'], 'user');
    for (const span of client) assert.equal(span.attributes['server.address'], '127.0.0.1');
    // Ignored path: no SERVER span, and its outgoing fetch was not traced either.
    assert.ok(!server.some((s) => s.attributes['url.path'] === '/healthz'), `${entry}: /healthz ignored`);
    // Redaction still applies to the own hooks' attributes.
    const text = JSON.stringify(spans.map((s) => [s.name, s.attributes, s.events, s.statusMessage]));
    for (const secret of ['s3cret', 'abc123', 'k3y', 's1g', 'xyz'])
      assert.ok(!text.includes(secret), `${entry}: ${secret} redacted`);
    // Context: the calls made from a request body's 'end', from express after its body parser and from a
    // keep-alive response's 'end' joined their callers' traces (no CLIENT span is a root).
    for (const span of client)
      assert.ok(
        span.parentSpanId,
        `${entry}: CLIENT ${span.name} ${String(span.attributes['url.full'])} has a parent`,
      );
    const errors = spans.filter((s) => s.statusCode === 2);
    assert.ok(
      errors.some((s) => s.events.some((e) => e.name === 'exception')),
      `${entry}: exceptions recorded`,
    );
    const methods = new Set(server.map((s) => s.attributes['http.request.method']));
    for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', '_OTHER'])
      assert.ok(methods.has(method), `${entry}: method ${method}`);
  }
  assert.equal(runs.size, 2, 'both module systems ran');
});

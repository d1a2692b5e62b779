import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { OtlpReceiver } from '../support/otlp-receiver.ts';
import { startApp, kitLines } from '../support/spawn-app.ts';
import { testEnv } from '../support/env.ts';
import { type FlatSpan } from '../support/spans.ts';

// LGTM_APM_EXPRESS_LAYERS end to end: the same demo-shaped express app (a logger and a body parser in
// front of a mounted router; one route that answers, one that passes an error to next()) under each
// setting, an unknown value and none at all. Which INTERNAL express spans come out changes; the server
// span's http.route and name, which the service graph and the RED dashboards group by, must not.

const EXPRESS_SCOPE = '@opentelemetry/instrumentation-express';
const SETTINGS = ['all', 'handlers', 'none', 'unset', 'bogus'] as const;
type Setting = (typeof SETTINGS)[number];

interface Run {
  spans: FlatSpan[];
  stderr: string;
}

const receiver = new OtlpReceiver();
const runs = new Map<Setting, Run>();

before(async () => {
  await receiver.start();
  // The five apps run at once: each exits on its own after two requests, and its exit flush has
  // delivered its spans by then.
  await Promise.all(
    SETTINGS.map(async (setting) => {
      const service = `express-layers-${setting}`;
      const app = await startApp('express-layers.cjs', {
        preloadFlag: '--require',
        waitForPort: false,
        env: testEnv(receiver.grpcEndpoint, {
          OTEL_SERVICE_NAME: service,
          ...(setting === 'unset' ? {} : { LGTM_APM_EXPRESS_LAYERS: setting }),
        }),
      });
      const { code } = await app.exited;
      assert.equal(code, 0, `${service}\n--- stdout ---\n${app.stdout()}\n--- stderr ---\n${app.stderr()}`);
      assert.match(app.stdout(), /\{"ok":200,"broken":500\}/, app.stdout());
      // Each request's trace ends with its server span (the express spans end inside it).
      await receiver.waitFor(
        () => receiver.spans().filter((s) => s.service === service && s.kindName === 'SERVER').length >= 2,
        30_000,
        `${service}'s two server spans`,
      );
      runs.set(setting, {
        spans: receiver.spans().filter((s) => s.service === service),
        stderr: app.stderr(),
      });
    }),
  );
});

after(() => receiver.stop());

function serverSpan(run: Run, route: string): FlatSpan {
  const prefix = route.replace(/:id$/, '');
  const found = run.spans.filter(
    (s) => s.kindName === 'SERVER' && String(s.attributes['url.path']).startsWith(prefix),
  );
  const seen = run.spans.map((s) => `${s.kindName} ${s.name}`).join(', ');
  assert.equal(found.length, 1, `one server span for ${route}: ${seen}`);
  return found[0]!;
}

/**
 * The names of the express spans in one request's trace, sorted. A route's own layer is a "router" layer
 * to upstream, and the path in its name is not always the request's (both requests' came out as
 * "router - /items/:id"): the type is what this test is about, so that path is left out.
 */
function expressSpanNames(run: Run, server: FlatSpan): string[] {
  return run.spans
    .filter((s) => s.traceId === server.traceId && s.scope === EXPRESS_SCOPE)
    .map((s) => (s.attributes['express.type'] === 'router' ? 'router - …' : s.name))
    .sort();
}

// Upstream's names under express 5: the handler's span carries the route in http.route only.
const EXPECTED: Record<'all' | 'handlers' | 'none', { ok: string[]; broken: string[] }> = {
  all: {
    ok: ['middleware - jsonParser', 'middleware - logRequest', 'request handler', 'router - …'],
    broken: ['middleware - jsonParser', 'middleware - logRequest', 'request handler', 'router - …'],
  },
  handlers: { ok: ['request handler'], broken: ['request handler'] },
  none: { ok: [], broken: [] },
};
/** What each setting of the test gets: unset and an unknown value both mean the kit's default. */
const EFFECTIVE: Record<Setting, keyof typeof EXPECTED> = {
  all: 'all',
  handlers: 'handlers',
  none: 'none',
  unset: 'handlers',
  bogus: 'handlers',
};

for (const setting of SETTINGS) {
  test(`LGTM_APM_EXPRESS_LAYERS ${setting}: the express spans of ${EFFECTIVE[setting]}, http.route on the server span`, () => {
    const run = runs.get(setting)!;
    const expected = EXPECTED[EFFECTIVE[setting]];
    const ok = serverSpan(run, '/api/items/:id');
    const broken = serverSpan(run, '/api/broken/:id');

    assert.equal(ok.attributes['http.route'], '/api/items/:id');
    assert.equal(ok.name, 'POST /api/items/:id');
    assert.equal(broken.attributes['http.route'], '/api/broken/:id');
    assert.equal(broken.name, 'GET /api/broken/:id');
    assert.equal(broken.attributes['http.response.status_code'], 500);
    assert.equal(broken.statusCode, 2, 'a 500 marks the server span as an error');

    assert.deepEqual(expressSpanNames(run, ok), expected.ok);
    assert.deepEqual(expressSpanNames(run, broken), expected.broken);
    // The error passed to next() is recorded on the handler's span when there is one.
    const handler = run.spans.find(
      (s) => s.traceId === broken.traceId && s.attributes['express.type'] === 'request_handler',
    );
    if (expected.broken.includes('request handler')) {
      assert.ok(handler, 'the handler span');
      assert.equal(handler.statusCode, 2);
      assert.deepEqual(
        handler.events.map((e) => [e.name, e.attributes['exception.message']]),
        [['exception', 'broken on purpose']],
      );
    }
    // Every express span sits in the request's trace under its server span.
    for (const span of run.spans.filter((s) => s.scope === EXPRESS_SCOPE))
      assert.ok([ok.traceId, broken.traceId].includes(span.traceId), `${span.name} in a request's trace`);
  });
}

test('LGTM_APM_EXPRESS_LAYERS: an unknown value prints one line naming the choices and the default used', () => {
  const lines = kitLines(runs.get('bogus')!.stderr).filter((l) => l.includes('LGTM_APM_EXPRESS_LAYERS'));
  assert.deepEqual(lines, [
    '[lgtm-apm] LGTM_APM_EXPRESS_LAYERS="bogus" is not valid (expected one of all, handlers, none); using handlers',
  ]);
  for (const setting of ['all', 'handlers', 'none', 'unset'] as const)
    assert.equal(kitLines(runs.get(setting)!.stderr).filter((l) => l.includes('EXPRESS')).length, 0, setting);
});

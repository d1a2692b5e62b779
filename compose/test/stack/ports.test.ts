// A port already in use is named with what the stack needs it for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import {
  assertPortFree,
  assertPortsFree,
  parsePortOffset,
  PORT_PLAN,
  PortInUseError,
} from '../../stack/ports.ts';

function listen(): Promise<Server & { port: number }> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () =>
      resolve(Object.assign(s, { port: (s.address() as { port: number }).port })),
    );
  });
}

test('a taken port gives PortInUseError naming the port and its purpose', async (t) => {
  const s = await listen();
  t.after(() => s.close());
  await assert.rejects(assertPortFree(s.port, 'Tempo HTTP API (search, trace by id)'), (err: unknown) => {
    assert.ok(err instanceof PortInUseError);
    assert.equal(err.port, s.port);
    assert.match(
      err.message,
      new RegExp(
        `^port ${s.port} on 127\\.0\\.0\\.1 is already in use \\(EADDRINUSE\\); the stack needs it for Tempo HTTP API \\(search, trace by id\\)`,
      ),
    );
    assert.match(err.message, /LGTM_APM_STACK_PORT_OFFSET/);
    return true;
  });
});

test('assertPortsFree checks the planned ports of the chosen services, with the offset', async (t) => {
  const s = await listen();
  t.after(() => s.close());
  // Pick an offset that lands Loki's HTTP port (3100) on the port we hold.
  const offset = s.port - 3100;
  await assert.rejects(assertPortsFree(['loki'], offset), /Loki HTTP API and OTLP logs receiver/);
});

test('the plan gives every port a unique host port per metrics store', () => {
  for (const store of ['mimir', 'prometheus']) {
    const ports = PORT_PLAN.filter((p) => p.service !== (store === 'mimir' ? 'prometheus' : 'mimir')).map(
      (p) => p.hostPort,
    );
    assert.equal(new Set(ports).size, ports.length, store);
  }
});

test('LGTM_APM_STACK_PORT_OFFSET is validated', () => {
  assert.equal(parsePortOffset(undefined), 0);
  assert.equal(parsePortOffset('10000'), 10000);
  assert.throws(() => parsePortOffset('abc'), /must be an integer from 0 to 50000, got "abc"/);
  assert.throws(() => parsePortOffset('70000'), /got "70000"/);
});

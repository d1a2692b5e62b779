// The package as a user gets it: `npm pack` (which builds through prepack), installed from the tarball into
// an express + pg app outside the workspace, run with `node --import @lgtm-apm/instrumentation`. The app
// brings its own @opentelemetry/api, as most do: it must share the kit's single API instance.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OtlpReceiver } from '../support/otlp-receiver.ts';
import { testEnv } from '../support/env.ts';
import { type FlatSpan } from '../support/spans.ts';

const PACKAGE_DIR = join(import.meta.dirname, '..', '..');
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
// The versions the workspace's lockfile already holds, so the install is served from the npm cache.
const APP_DEPENDENCIES = { express: '5.3.0', pg: '8.23.1', '@opentelemetry/api': '^1.9.0' };

const APP_SOURCE = `
import express from 'express';
import pg from 'pg';
import { trace } from '@opentelemetry/api';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
const tracer = trace.getTracer('outside-app');
const app = express();
app.get('/orders/:id', async (req, res) => {
  // A span made with the app's own API copy: its parent is the kit's server span only if both are one API.
  const row = await tracer.startActiveSpan('load-order', async (span) => {
    try {
      return (await pool.query('select $1::int as id', [req.params.id])).rows[0];
    } finally {
      span.end();
    }
  });
  res.json(row);
});
const server = app.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
process.once('SIGTERM', () => {
  server.close();
  void pool.end();
});
`;

/** npm as a user runs it: none of the npm_* settings of the `npm test` that started this file. */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
}

function npm(args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, { cwd, env: npmEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

function writeApp(dir: string, tarball: string, dependencies: Record<string, string>): void {
  const pkg = {
    name: 'outside-app',
    private: true,
    type: 'module',
    dependencies: { '@lgtm-apm/instrumentation': `file:${tarball}`, ...dependencies },
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  writeFileSync(join(dir, 'app.mjs'), APP_SOURCE);
}

const INSTALL = ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];

/** Every installed copy of a package, however deep npm nested it. */
function installedCopies(nodeModules: string, name: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const path = join(dir, e.name);
      if (path.endsWith(join('node_modules', name))) found.push(path);
      walk(e.name === 'node_modules' || e.name.startsWith('@') ? path : join(path, 'node_modules'));
    }
  };
  walk(nodeModules);
  return found;
}

describe('the packed tarball in an app outside the workspace', () => {
  const work = mkdtempSync(join(tmpdir(), 'lgtm-apm-packed-'));
  const appDir = join(work, 'app');
  const receiver = new OtlpReceiver();
  let tarball = '';
  let child: ChildProcess | undefined;

  before(async () => {
    const packed = await npm(['pack', '--pack-destination', work, '--loglevel=error'], PACKAGE_DIR);
    assert.equal(packed.code, 0, packed.output);
    const tarballs = readdirSync(work).filter((f) => f.endsWith('.tgz'));
    assert.equal(tarballs.length, 1, `npm pack wrote ${tarballs.join(', ')}`);
    tarball = join(work, tarballs[0]!);
    mkdirSync(appDir);
    writeApp(appDir, tarball, APP_DEPENDENCIES);
    const installed = await npm(INSTALL, appDir);
    assert.equal(installed.code, 0, installed.output);
    await receiver.start();
  });

  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await receiver.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('the tarball holds the built preload, not the sources', async () => {
    const listed = await npm(
      ['pack', '--dry-run', '--json', '--ignore-scripts', '--loglevel=error'],
      PACKAGE_DIR,
    );
    assert.equal(listed.code, 0, listed.output);
    const files = (JSON.parse(listed.output) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map(
      (f) => f.path,
    );
    for (const f of [
      'dist/preload.cjs',
      'dist/sdk.cjs',
      'dist/export-worker.cjs',
      'dist/types/index.d.ts',
      'package.json',
    ]) {
      assert.ok(files.includes(f), `${f} missing from the tarball: ${files.join(', ')}`);
    }
    assert.deepEqual(
      files.filter((f) => f.startsWith('src/') || f.startsWith('test/')),
      [],
      'sources and tests stay out',
    );
  });

  test('node --import @lgtm-apm/instrumentation: server, manual and pg spans arrive in one trace', async () => {
    child = spawn(process.execPath, ['--import', '@lgtm-apm/instrumentation', 'app.mjs'], {
      cwd: appDir,
      env: {
        ...process.env,
        ...testEnv(receiver.grpcEndpoint, { OTEL_SERVICE_NAME: 'outside-app', DATABASE_URL }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    const port = await receiver
      .waitFor(
        () => Number(/\{"port":(\d+)\}/.exec(out)?.[1]) || undefined,
        60_000,
        'the app\'s {"port":N} line',
      )
      .catch((err: Error) => {
        throw new Error(`${err.message}\n--- app output ---\n${out}`);
      });

    const res = await fetch(`http://127.0.0.1:${port}/orders/42`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { id: 42 });

    /** The chain of parents from `span` up to the first span not (yet) received. */
    const ancestors = (spans: FlatSpan[], span: FlatSpan) => {
      const byId = new Map(spans.map((s) => [s.spanId, s]));
      const chain: FlatSpan[] = [];
      for (let p = byId.get(span.parentSpanId); p; p = byId.get(p.parentSpanId)) chain.push(p);
      return chain;
    };
    // express's handler span sits between the server span and the app's, so the app's span must descend
    // from the server span, through parents that all arrived.
    const find = (spans: FlatSpan[]) => {
      const server = spans.find(
        (s) =>
          s.service === 'outside-app' &&
          s.kindName === 'SERVER' &&
          s.attributes['http.route'] === '/orders/:id',
      );
      const manual = spans.find((s) => s.name === 'load-order' && ancestors(spans, s).includes(server!));
      const db = spans.find(
        (s) =>
          s.kindName === 'CLIENT' &&
          s.attributes['db.system.name'] === 'postgresql' &&
          s.parentSpanId === manual?.spanId,
      );
      return server && manual && db ? { server, manual, db } : undefined;
    };
    const { server, manual, db } = await receiver.waitFor(
      () => find(receiver.spans()),
      60_000,
      "a server span, the app's load-order span below it and a pg span below that",
    );
    assert.equal(manual.traceId, server.traceId);
    assert.equal(db.traceId, server.traceId);
    assert.match(String(db.attributes['db.query.text']), /\$1/);

    child.kill('SIGTERM');
    await exited;
  });

  test('an app with its own @opentelemetry/api ends up with one installed copy', () => {
    const copies = installedCopies(join(appDir, 'node_modules'), join('@opentelemetry', 'api'));
    assert.deepEqual(copies, [join(appDir, 'node_modules', '@opentelemetry', 'api')]);
  });

  test('an app pinning an API the kit cannot share is refused at install, not given a second copy', async () => {
    const pinned = join(work, 'pinned');
    mkdirSync(pinned);
    writeApp(pinned, tarball, { '@opentelemetry/api': '1.9.0' });
    const installed = await npm(INSTALL, pinned);
    assert.notEqual(installed.code, 0);
    assert.match(
      installed.output,
      /ERESOLVE[\s\S]*peer @opentelemetry\/api@"~1\.10\.0" from @lgtm-apm\/instrumentation/,
    );
  });
});

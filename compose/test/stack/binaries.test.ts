// Finding the binaries, the one message when some are missing, and the Prometheus version gate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, chmodSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findBinaries,
  selectBinaries,
  checkPrometheusVersion,
  parsePrometheusVersion,
  MissingBinariesError,
} from '../../stack/binaries.ts';
import { pinnedVersions } from '../../stack/supervisor.ts';
import { loadComposeSource } from '../../stack/compose-source.ts';

const versions = pinnedVersions(loadComposeSource());

function fakeBin(dir: string, name: string, mode = 0o755) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), '#!/bin/sh\n');
  chmodSync(join(dir, name), mode);
}

test('LGTM_APM_BIN_DIR wins over PATH; non-executable files are ignored', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'lgtm-bins-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  fakeBin(join(root, 'bin'), 'tempo');
  fakeBin(join(root, 'path1'), 'tempo');
  fakeBin(join(root, 'path1'), 'loki');
  fakeBin(join(root, 'path2'), 'prometheus', 0o644);
  fakeBin(join(root, 'path2'), 'grafana');
  const found = findBinaries({
    binDir: join(root, 'bin'),
    pathEnv: `${join(root, 'path1')}:${join(root, 'path2')}`,
  });
  assert.deepEqual(found, {
    tempo: join(root, 'bin', 'tempo'),
    loki: join(root, 'path1', 'loki'),
    grafana: join(root, 'path2', 'grafana'),
  });
});

test('versions come from compose.yaml’s image tags', () => {
  assert.match(versions.tempo, /^3\.0\.\d+$/);
  assert.match(versions.loki, /^3\.7\.\d+$/);
  assert.match(versions.mimir, /^3\.\d+\.\d+$/);
  assert.match(versions.grafana, /^13\.\d+\.\d+$/);
});

test('missing binaries: one message naming each, its version and where to get it', () => {
  let err: unknown;
  try {
    selectBinaries({ loki: '/x/loki' }, versions, { binDir: '/opt/lgtm' });
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof MissingBinariesError);
  assert.deepEqual(err.missing, ['tempo', 'mimir or prometheus']);
  const msg = err.message;
  assert.match(
    msg,
    /^npm run stack: missing tempo, mimir or prometheus \(looked in LGTM_APM_BIN_DIR \(\/opt\/lgtm\) and PATH\)\./,
  );
  assert.ok(
    msg.includes(
      `Tempo ${versions.tempo}: release archives and .deb/.rpm at https://github.com/grafana/tempo/releases/tag/v${versions.tempo}`,
    ),
  );
  assert.ok(msg.includes(`https://github.com/grafana/mimir/releases/tag/mimir-${versions.mimir}`));
  assert.match(msg, /Prometheus >= 3\.0 .*https:\/\/github\.com\/prometheus\/prometheus\/releases/);
  assert.match(msg, /Grafana 13\.\d+\.\d+ \(optional\)/);
  assert.match(msg, /docker compose -f compose\/compose\.yaml up -d --build/);
  assert.doesNotMatch(msg, /Loki \d/, 'loki was found, so it is not listed');
});

test('a Prometheus 2.x on PATH counts as missing, and the message says why', () => {
  const reason = '/usr/bin/prometheus is Prometheus 2.42.0; the stack needs Prometheus >= 3.0';
  assert.throws(
    () =>
      selectBinaries(
        { tempo: 't', loki: 'l', prometheus: '/usr/bin/prometheus' },
        versions,
        {},
        { prometheus: reason },
      ),
    (err: unknown) => {
      assert.ok(err instanceof MissingBinariesError);
      assert.deepEqual(err.missing, ['mimir or prometheus']);
      assert.match(err.message, /Not used: \/usr\/bin\/prometheus is Prometheus 2\.42\.0/);
      return true;
    },
  );
});

test('Mimir is preferred; Prometheus otherwise; Grafana is optional', () => {
  const both = selectBinaries({ tempo: 't', loki: 'l', mimir: 'm', prometheus: 'p' }, versions, {});
  assert.deepEqual(both, { tempo: 't', loki: 'l', metricsStore: 'mimir', metrics: 'm' });
  const prom = selectBinaries({ tempo: 't', loki: 'l', prometheus: 'p', grafana: 'g' }, versions, {});
  assert.deepEqual(prom, { tempo: 't', loki: 'l', metricsStore: 'prometheus', metrics: 'p', grafana: 'g' });
});

test('Prometheus version: 3.x accepted, 2.x refused with the reason, unstamped builds checked by flag', () => {
  const v3 =
    'prometheus, version 3.9.1 (branch: HEAD, revision: 9ec59baffb547e24f1468a53eb82901e58feabd8)\n  build user: x';
  assert.deepEqual(parsePrometheusVersion(v3), [3, 9, 1]);
  assert.equal(checkPrometheusVersion(v3, '', '/b/prometheus'), '3.9.1');
  const debian = 'prometheus, version 2.42.0+ds (branch: debian/sid, revision: 2.42.0+ds-5+b5)';
  assert.throws(
    () => checkPrometheusVersion(debian, '--enable-feature=otlp-write-receiver', '/usr/bin/prometheus'),
    /\/usr\/bin\/prometheus is Prometheus 2\.42\.0; the stack needs Prometheus >= 3\.0.*LGTM_APM_BIN_DIR/s,
  );
  const unstamped = 'prometheus, version  (branch: , revision: unknown)';
  assert.match(
    checkPrometheusVersion(unstamped, '  --web.enable-otlp-receiver  Enable API…', 'p'),
    /unknown/,
  );
  assert.throws(
    () => checkPrometheusVersion(unstamped, '--storage.tsdb.path', 'p'),
    /cannot tell its version/,
  );
  assert.deepEqual(parsePrometheusVersion('prometheus, version v3.9.1'), [3, 9, 1]);
});

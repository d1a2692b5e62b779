#!/usr/bin/env node
// Builds dist/ and zips it as lgtmapm-apm-panel-<version>.zip with a top-level lgtmapm-apm-panel/ folder,
// the layout `grafana cli --pluginUrl <zip> plugins install lgtmapm-apm-panel` and
// GF_PLUGINS_PREINSTALL_SYNC=lgtmapm-apm-panel@<version>@<url> unpack into the plugins directory.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const skipBuild = process.argv.includes('--no-build');

if (!skipBuild) {
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
}
const dist = join(root, 'dist');
const pluginJson = JSON.parse(readFileSync(join(dist, 'plugin.json'), 'utf8'));
if (!existsSync(join(dist, 'module.js'))) {
  console.error('package: dist/module.js is missing; run the build first');
  process.exit(1);
}
const id = pluginJson.id;
const version = pluginJson.info?.version ?? pkg.version;
if (version !== pkg.version) {
  console.error(`package: dist/plugin.json version ${version} differs from package.json ${pkg.version}; rebuild`);
  process.exit(1);
}

const stage = mkdtempSync(join(tmpdir(), 'lgtmapm-package-'));
try {
  cpSync(dist, join(stage, id), { recursive: true });
  const zip = join(root, `${id}-${version}.zip`);
  rmSync(zip, { force: true });
  try {
    execFileSync('zip', ['-qr', '-X', zip, id], { cwd: stage, stdio: 'inherit' });
  } catch (err) {
    if (err.code === 'ENOENT') {
      console.error('package: the `zip` command is missing (Debian: apt-get install zip)');
      process.exit(1);
    }
    throw err;
  }
  console.log(`package: wrote ${zip}`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}

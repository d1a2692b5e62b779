// Bundles the kit into one CommonJS file: one file to read and compile instead of hundreds of
// package files is most of the start-up win over the stock preload (see README, "Start-up").
// Instrumentations stay lazy inside the bundle (their require() calls run only when needed).
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(import.meta.dirname, '..');
// Build beside dist/ and swap, so a process starting meanwhile never finds a half-written bundle.
const finalDist = join(root, 'dist');
const dist = join(root, `.dist-${process.pid}`);
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

// npm nests a private copy of @opentelemetry/core, sdk-metrics, otlp-transformer, … under each exporter
// whenever the hoisted copy has another version: bundled as is, that is half of sdk.cjs, and every
// start parses it. Same name and same version → the workspace's own copy, so each package is in once.
function versionOf(file) {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      const { name, version } = JSON.parse(readFileSync(pkg, 'utf8'));
      if (name) return `${name}@${version}`;
    }
  }
  return undefined;
}
const dedupeOpenTelemetry = {
  name: 'dedupe-opentelemetry',
  setup(b) {
    b.onResolve({ filter: /^@opentelemetry\/[^/]+$/ }, async (args) => {
      if (args.pluginData?.dedupe) return undefined;
      const own = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: { dedupe: true },
      });
      const shared = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: root,
        pluginData: { dedupe: true },
      });
      if (own.errors.length || shared.errors.length || own.external || shared.external) return undefined;
      return own.path !== shared.path && versionOf(own.path) === versionOf(shared.path)
        ? { path: shared.path }
        : undefined;
    });
  },
};

// The gRPC exporters live in their own file (src/export/otlp-grpc-exporters.cjs): in
// the export worker's bundle they doubled what every worker start parses, for a protocol few use.
const grpcExportersApart = {
  name: 'grpc-exporters-apart',
  setup(b) {
    b.onResolve({ filter: /^@opentelemetry\/exporter-(trace|metrics|logs)-otlp-grpc$/ }, () => ({
      path: './otlp-grpc-exporters.cjs',
      external: true,
    }));
  },
};

/** One CommonJS bundle for Node with the options every dist file shares. */
function bundle(entry, outfile, external, plugins = [grpcExportersApart]) {
  return build({
    plugins: [...plugins, dedupeOpenTelemetry],
    entryPoints: [join(root, entry)],
    outfile: join(dist, outfile),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    // import('http') in the OTLP exporters becomes require(): with any import() left in a .cjs file, tsx
    // (loaded before the kit) rewrites the whole bundle with a source map, ~2 s of start-up.
    supported: { 'dynamic-import': false },
    external,
    legalComments: 'linked',
    // V8 keeps every script's source for lazy compilation, and one non-ASCII character makes all of it a
    // two-byte string (twice the heap in every instrumented process): strings and identifiers are escaped,
    // and the minifier drops the comments (test/preload/bundle.test.ts checks the result).
    charset: 'ascii',
    // Whitespace and syntax only: names stay, so stack traces still read. V8 keeps the source of every
    // script, so this is ~1.4 MB less heap in every instrumented process and less to parse at start-up.
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
  });
}

// The API is shared with the app (one global singleton); the loader hooks resolve their own files on disk.
await bundle('src/index.ts', 'sdk.cjs', [
  '@opentelemetry/api',
  'import-in-the-middle',
  'import-in-the-middle/*',
  'require-in-the-middle',
]);
// The export worker (spans, pino lines and metrics → OTLP off the main thread): only the worker loads it.
await bundle('src/export/worker.ts', 'export-worker.cjs', ['@opentelemetry/api']);
// Required by the worker when metrics or logs are sent over gRPC (see grpcExportersApart).
await bundle('src/export/otlp-grpc-exporters.cjs', 'otlp-grpc-exporters.cjs', ['@opentelemetry/api'], []);
copyFileSync(join(root, 'src/preload.cjs'), join(dist, 'preload.cjs'));
mkdirSync(finalDist, { recursive: true });
for (const file of readdirSync(dist)) renameSync(join(dist, file), join(finalDist, file));
rmSync(dist, { recursive: true, force: true });

// One variant of bench/pg-options.mjs, started with an IPC channel: on each {queries} message it runs
// that many sequential `pool.query` calls against the local Postgres, each inside a parent span as in a
// request, under @opentelemetry/instrumentation-pg configured as VARIANT says (or without it: "bare"), and
// answers with the CPU µs per query. No exporter: what is measured is the instrumentation and the span
// work, not the export.
import { createRequire } from 'node:module';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { AlwaysOffSampler, AlwaysOnSampler, TracerProvider } from '@opentelemetry/sdk-trace';

const variant = JSON.parse(process.env.VARIANT);
const manager = new AsyncLocalStorageContextManager().enable();
context.setGlobalContextManager(manager);
const provider = new TracerProvider({
  sampler: variant.sampler === 'on' ? new AlwaysOnSampler() : new AlwaysOffSampler(),
});
trace.setGlobalTracerProvider(provider);
if (variant.pg !== 'bare') {
  registerInstrumentations({
    instrumentations: [new PgInstrumentation(variant.pg)],
    tracerProvider: provider,
  });
}
const pg = createRequire(import.meta.url)('pg');
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  max: 4,
});
const tracer = provider.getTracer('bench');
async function run(n) {
  for (let i = 0; i < n; i++) {
    const parent = tracer.startSpan('request');
    await context.with(trace.setSpan(context.active(), parent), () =>
      pool.query('SELECT $1::int + 1 AS next', [i]),
    );
    parent.end();
  }
}
await run(500); // JIT, connections
process.on('message', async ({ queries, stop }) => {
  if (stop) {
    await pool.end();
    process.disconnect();
    return;
  }
  const before = process.cpuUsage();
  await run(queries);
  const used = process.cpuUsage(before);
  process.send({ cpuUsPerQuery: (used.user + used.system) / queries });
});
process.send({ ready: true });

#!/usr/bin/env node
// The per-span choices issue 14 asked to check, each measured in-process against its alternative (the
// SDK's own pieces, no network): attributes given at span start vs set after it, the SDK's attribute
// copy vs a plain one, the SDK's id generator vs a pooled one, ParentBased(AlwaysOn) vs AlwaysOn, the
// kit's redaction pass, and upstream pg's pool listeners. The pairs run alternately in ROUNDS rounds and
// the median is taken; on a shared machine only the ratios within a pair mean much. Writes
// bench/results/span-micro.json and the README block `bench:span-micro`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { loadavg } from 'node:os';
import { deserialize, serialize } from 'node:v8';
import { join } from 'node:path';
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { cleanAttributes } from '@opentelemetry/core';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import {
  AlwaysOnSampler,
  ParentBasedSampler,
  RandomIdGenerator,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { attributeKind, classifyAttributeKey } from '../src/redaction/attribute-kind.ts';
import { RedactingSpanProcessor } from '../src/tracing/redacting-span-processor.ts';
import { fromWireSpans, toPlainWireSpans, toWireSpans } from '../src/tracing/span-wire.ts';
import { fmt, machine, median, rotatingSlices, updateReadmeBlock } from './lib.mjs';

const here = import.meta.dirname;
const ROUNDS = Math.max(3, Number(process.env.ROUNDS ?? 5));
const ITERATIONS = Number(process.env.ITERATIONS ?? 100_000);

/** A SERVER span's attributes as the kit's server hook gives them (ten, strings and numbers). */
const serverAttributes = () => ({
  'http.request.method': 'GET',
  'url.scheme': 'http',
  'server.address': 'localhost',
  'network.peer.address': '127.0.0.1',
  'network.peer.port': 51234,
  'network.protocol.version': '1.1',
  'user_agent.original': 'wrk',
  'url.path': '/orders/1',
  'client.address': '127.0.0.1',
  'server.port': 8080,
});

/** The keys of a SERVER span as ended (with its status code and route) and a pg span's. */
const SPAN_KEYS = [
  ...Object.keys(serverAttributes()),
  'http.response.status_code',
  'http.route',
  'db.system.name',
  'db.query.text',
];

const tracer = new TracerProvider({ sampler: new AlwaysOnSampler() }).getTracer('micro');
const limits = { attributeCountLimit: 128, attributeValueLengthLimit: Infinity };
const ids = new RandomIdGenerator();
let pooledHex = '';
let pooledAt = 0;
/** Ids cut from one hex string of 4 KiB of crypto randomness (the alternative measured, not used). */
function pooledId(chars) {
  if (pooledAt + chars > pooledHex.length) {
    pooledHex = randomFillSync(Buffer.allocUnsafe(4096)).toString('hex');
    pooledAt = 0;
  }
  const id = pooledHex.slice(pooledAt, pooledAt + chars);
  pooledAt += chars;
  return id;
}
const sampledParent = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: 1,
});
const parentBased = new ParentBasedSampler({ root: new AlwaysOnSampler() });
const alwaysOn = new AlwaysOnSampler();
const redaction = new RedactingSpanProcessor({ sensitiveQueryParams: ['token'], dbStatement: 'sanitized' });
const pool = () =>
  Object.assign(new EventEmitter(), {
    options: { host: 'db', port: 5432, database: 'app', max: 8 },
    totalCount: 8,
    idleCount: 7,
    waitingCount: 0,
  });
const listenedPool = pool();
new PgInstrumentation({})._setPoolConnectEventListeners(listenedPool);
const quietPool = pool();

/** A batch for the export worker: BATCH_REQUESTS requests' spans (SERVER, its pg query and its fetch). */
const BATCH_REQUESTS = 33;
const batch = [];
for (let i = 0; i < BATCH_REQUESTS; i++) {
  const server = tracer.startSpan(
    'GET /orders/:id',
    {
      kind: SpanKind.SERVER,
      attributes: { ...serverAttributes(), 'http.route': '/orders/:id', 'http.response.status_code': 200 },
    },
    ROOT_CONTEXT,
  );
  const inRequest = trace.setSpan(ROOT_CONTEXT, server);
  for (const [name, attributes] of [
    [
      'SELECT test',
      {
        'db.system.name': 'postgresql',
        'db.namespace': 'test',
        'db.query.text': 'SELECT $1::int + 1 AS next',
        'server.address': '127.0.0.1',
        'server.port': 5432,
        'peer.service': 'postgresql',
      },
    ],
    [
      'GET',
      {
        'http.request.method': 'GET',
        'url.full': 'http://127.0.0.1:4000/work',
        'server.address': '127.0.0.1',
        'server.port': 4000,
        'http.response.status_code': 200,
      },
    ],
  ]) {
    const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, inRequest);
    span.end();
    batch.push(span);
  }
  server.end();
  batch.push(server);
}
const batchAsObjects = serialize(toPlainWireSpans(batch));
const batchAsJson = toWireSpans(batch);
if (typeof batchAsJson.spans !== 'string') throw new Error('the benchmark batch should cross as JSON');

const PAIRS = {
  'span with its 10 attributes: given at start / set after start': [
    () =>
      tracer.startSpan('GET', { kind: SpanKind.SERVER, attributes: serverAttributes() }, ROOT_CONTEXT).end(),
    () =>
      tracer
        .startSpan('GET', { kind: SpanKind.SERVER }, ROOT_CONTEXT)
        .setAttributes(serverAttributes())
        .end(),
  ],
  "10 attributes: the SDK's cleanAttributes (run twice per startSpan) / a plain copy": [
    () => cleanAttributes(serverAttributes(), limits),
    () => {
      const from = serverAttributes();
      const copy = {};
      for (const key in from) copy[key] = from[key];
      return copy;
    },
  ],
  "trace + span id: the SDK's RandomIdGenerator / ids cut from pooled crypto bytes": [
    () => ids.generateTraceId() + ids.generateSpanId(),
    () => pooledId(32) + pooledId(16),
  ],
  'sampling a child of a sampled span: ParentBased(AlwaysOn) / AlwaysOn': [
    () => parentBased.shouldSample(sampledParent, 't', 'GET', SpanKind.CLIENT, {}, []),
    () => alwaysOn.shouldSample(sampledParent, 't', 'GET', SpanKind.CLIENT, {}, []),
  ],
  "the kit's redaction at span end (10 attributes) / the span alone": [
    () => {
      const span = tracer.startSpan(
        'GET',
        { kind: SpanKind.SERVER, attributes: serverAttributes() },
        ROOT_CONTEXT,
      );
      redaction.onEnding(span);
      span.end();
    },
    () =>
      tracer.startSpan('GET', { kind: SpanKind.SERVER, attributes: serverAttributes() }, ROOT_CONTEXT).end(),
  ],
  "what redaction does with a span's 14 keys: decided afresh (before) / remembered per key (now)": [
    () => {
      let plain = 0;
      for (const key of SPAN_KEYS) if (classifyAttributeKey(key) === 'plain') plain++;
      return plain;
    },
    () => {
      let plain = 0;
      for (const key of SPAN_KEYS) if (attributeKind(key) === 'plain') plain++;
      return plain;
    },
  ],
  [`a batch of ${batch.length} spans for the export worker, app thread: plain copies + their structured clone (before) / one JSON string (now)`]:
    [() => serialize(toPlainWireSpans(batch)), () => toWireSpans(batch)],
  [`the same batch, app thread: OTLP protobuf encoded there (the official serializer) / one JSON string (now)`]:
    [() => ProtobufTraceSerializer.serializeRequest(batch), () => toWireSpans(batch)],
  [`the same batch on the export worker: structured clone decoded (before) / JSON parsed (now), then spans rebuilt`]:
    [() => fromWireSpans(deserialize(batchAsObjects)), () => fromWireSpans(batchAsJson)],
  "pg pool check-out + return: upstream's listeners / none": [
    () => {
      listenedPool.emit('acquire');
      listenedPool.emit('release');
    },
    () => {
      quietPool.emit('acquire');
      quietPool.emit('release');
    },
  ],
};

const BATCH_FNS = new Set(
  Object.entries(PAIRS)
    .filter(([name]) => name.includes('batch'))
    .flatMap(([, fns]) => fns),
);
/** A batch pair's calls each handle a whole batch: fewer of them, for about the same time per measurement. */
const BATCH_ITERATIONS = Math.max(1, Math.round(ITERATIONS / batch.length));
const iterationsOf = (fn) => (BATCH_FNS.has(fn) ? BATCH_ITERATIONS : ITERATIONS);

function nsPerCall(fn) {
  const iterations = iterationsOf(fn);
  const before = process.cpuUsage();
  for (let i = 0; i < iterations; i++) fn();
  const used = process.cpuUsage(before);
  return ((used.user + used.system) * 1000) / iterations;
}

const load0 = loadavg();
// Warm-up: every function optimised before the first measured round.
for (const [first, second] of Object.values(PAIRS)) {
  for (let i = 0; i < 3; i++) {
    nsPerCall(first);
    nsPerCall(second);
  }
}
// Every side of every pair in one rotation, every second round backwards: neither side of a pair always
// gets the warmer caches.
const SIDES = Object.entries(PAIRS).flatMap(([name, fns]) => fns.map((fn, i) => ({ name, fn, side: i })));
const measured = await rotatingSlices(
  SIDES.map((_, i) => i),
  ROUNDS,
  (i, round) => {
    if (i === SIDES.length - 1) console.error(`round ${round + 1}/${ROUNDS}`);
    return nsPerCall(SIDES[i].fn);
  },
);
const runs = Object.fromEntries(Object.keys(PAIRS).map((name) => [name, { first: [], second: [] }]));
SIDES.forEach(({ name, side }, i) => (runs[name][side ? 'second' : 'first'] = measured[i]));
const medians = Object.fromEntries(
  Object.entries(runs).map(([name, r]) => [name, { first: median(r.first), second: median(r.second) }]),
);
const results = {
  machine: { ...machine(), loadavgAtStart: load0, loadavgAtEnd: loadavg() },
  rounds: ROUNDS,
  iterations: ITERATIONS,
  batchIterations: BATCH_ITERATIONS,
  nsPerCall: runs,
  medianNsPerCall: medians,
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'span-micro.json'), JSON.stringify(results, null, 2) + '\n');
const la = (x) => x.map((v) => v.toFixed(1)).join(' / ');
const report =
  `Per-span choices — ${results.machine.node}, ${results.machine.cores} × ${results.machine.cpu}, in-process, ${ROUNDS} alternating rounds × ${ITERATIONS} calls (${BATCH_ITERATIONS} for the batch rows), medians ` +
  `(${results.machine.date.slice(0, 10)}, commit ${results.machine.commit}; load average ${la(load0)} at start, ${la(results.machine.loadavgAtEnd)} at end: a shared, busy machine)\n\n` +
  `| A / B | A: ns per call | B: ns per call | A − B |\n| --- | --- | --- | --- |\n` +
  Object.entries(medians)
    .map(
      ([name, m]) => `| ${name} | ${fmt(m.first, 0)} | ${fmt(m.second, 0)} | ${fmt(m.first - m.second, 0)} |`,
    )
    .join('\n') +
  '\n';
console.log(`\n${report}`);
updateReadmeBlock('span-micro', report);

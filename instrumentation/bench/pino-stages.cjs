// Where pino's OTel log sending spends its time, stage by stage, in one process (no HTTP):
//   bare → + multistream and the instrumentation's OTelPinoStream (parse only) → + Logs SDK record
//   → + BatchLogRecordProcessor → + OTLP protobuf serialization.
// Run: node bench/pino-stages.cjs <bare|stream-only|sdk|batch|serialize>  (prints CPU µs per record)
const path = require('node:path');
const root = path.join(__dirname, '..');
const R = (m) => require(require.resolve(m, { paths: [root] }));
const api = R('@opentelemetry/api');
const { LoggerProvider, BatchLogRecordProcessor } = R('@opentelemetry/sdk-logs');
const { OTelPinoStream, getTimeConverter } = require(
  path.join(
    path.dirname(require.resolve('@opentelemetry/instrumentation-pino', { paths: [root] })),
    'log-sending-utils.cjs',
  ),
);
const pino = R('pino');
const { ProtobufLogsSerializer } = require(
  require.resolve('@opentelemetry/otlp-transformer', {
    paths: [path.dirname(require.resolve('@opentelemetry/exporter-logs-otlp-proto', { paths: [root] }))],
  }),
);
const stage = process.argv[2] ?? 'serialize';
const N = 100000;
let serialized = 0;
const exporter = {
  export(recs, cb) {
    if (stage === 'serialize') serialized += ProtobufLogsSerializer.serializeRequest(recs).length;
    cb({ code: 0 });
  },
  shutdown: async () => {},
  forceFlush: async () => {},
};
const processors =
  stage === 'sdk'
    ? []
    : [
        new BatchLogRecordProcessor({
          exporter,
          maxQueueSize: 1e6,
          maxExportBatchSize: 512,
          scheduledDelayMillis: 1,
        }),
      ];
const provider = new LoggerProvider({ processors });
api.logs.setGlobalLoggerProvider(provider);
let logger = pino(pino.destination({ dest: '/dev/null', sync: true }));
if (stage !== 'bare') {
  const s = new OTelPinoStream({
    messageKey: logger[pino.symbols.messageKeySym],
    errorKey: logger[pino.symbols.errorKeySym],
    levels: logger.levels,
    otelTimestampFromTime: getTimeConverter(logger, pino),
  });
  s[Symbol.for('pino.metadata')] = true;
  if (stage === 'stream-only') s._otelLogger = { emit() {} };
  logger[pino.symbols.streamSym] = pino.multistream(
    [
      { level: 0, stream: logger[pino.symbols.streamSym] },
      { level: 0, stream: s },
    ],
    { levels: logger.levels.values },
  );
}
(async () => {
  for (let w = 0; w < 2; w++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < N; i += 100) {
      for (let j = 0; j < 100; j++)
        logger.info({ orderId: i + j, user: { id: 7 }, route: '/api/orders/:id' }, 'order placed');
      await new Promise((r) => setImmediate(r));
    }
    await provider.forceFlush();
    const c = process.cpuUsage(c0);
    if (w)
      console.log(
        stage.padEnd(12),
        ((c.user + c.system) / N).toFixed(2),
        'CPU µs/log',
        (((performance.now() - t0) * 1000) / N).toFixed(2),
        'wall µs/log',
        stage === 'serialize' ? `(${serialized} protobuf bytes)` : '',
      );
  }
})();

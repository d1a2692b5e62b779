'use strict';
// The kit with trace export on the app's thread, as before the export worker: the official OTLP
// http/protobuf exporter behind the SDK's batch processor. Used by memory-split.mjs to measure the
// export worker's share of the memory apart.
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
require('@lgtm-apm/instrumentation/sdk').start({ traceExporter: new OTLPTraceExporter() });

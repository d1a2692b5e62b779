'use strict';
// Entry of dist/otlp-grpc-exporters.cjs: the gRPC exporters for traces, metrics and logs, kept out of the export
// worker's bundle (grpc-js doubles its size, and every worker start parses all of it) and loaded by the
// worker only when a signal is configured for gRPC. scripts/build.mjs points both package names here.
// require(), not import: the packages' CommonJS builds, as the rest of the bundle uses.
exports.OTLPMetricExporter = require('@opentelemetry/exporter-metrics-otlp-grpc').OTLPMetricExporter;
exports.OTLPLogExporter = require('@opentelemetry/exporter-logs-otlp-grpc').OTLPLogExporter;
exports.OTLPTraceExporter = require('@opentelemetry/exporter-trace-otlp-grpc').OTLPTraceExporter;

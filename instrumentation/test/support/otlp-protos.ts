/**
 * The official OTLP protobuf definitions (opentelemetry-proto), as compiled by protobufjs-cli and
 * published inside @opentelemetry/otlp-transformer 0.208 (aliased `otlp-official-protos`): the test
 * receiver decodes with these, not with the SDK's own serializer under test.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const root = require('otlp-official-protos/build/src/generated/root.js') as any;

export interface ProtoMessageType {
  decode(buffer: Uint8Array): unknown;
  encode(message: unknown): { finish(): Uint8Array };
  fromObject(object: unknown): unknown;
  toObject(message: unknown, options: Record<string, unknown>): Record<string, unknown>;
}

const collector = root.opentelemetry.proto.collector;

export const OTLP = {
  traces: {
    request: collector.trace.v1.ExportTraceServiceRequest as ProtoMessageType,
    response: collector.trace.v1.ExportTraceServiceResponse as ProtoMessageType,
    grpcPath: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  },
  metrics: {
    request: collector.metrics.v1.ExportMetricsServiceRequest as ProtoMessageType,
    response: collector.metrics.v1.ExportMetricsServiceResponse as ProtoMessageType,
    grpcPath: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
  },
  logs: {
    request: collector.logs.v1.ExportLogsServiceRequest as ProtoMessageType,
    response: collector.logs.v1.ExportLogsServiceResponse as ProtoMessageType,
    grpcPath: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
  },
} as const;

export type Signal = keyof typeof OTLP;

/** Plain-object form used by assertions: ids as hex, 64-bit ints as strings, enums as numbers. */
export function toPlain(type: ProtoMessageType, message: unknown): Record<string, unknown> {
  const plain = type.toObject(message, { longs: String, enums: Number, bytes: Buffer, defaults: false, arrays: true });
  return hexIds(plain) as Record<string, unknown>;
}

function hexIds(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('hex');
  if (Array.isArray(value)) return value.map(hexIds);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = hexIds(v);
    return out;
  }
  return value;
}

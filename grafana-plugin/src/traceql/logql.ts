/**
 * LogQL for "logs of this trace". The OTLP logs bridge puts the trace id in structured metadata `trace_id`
 * and the service in the `service_name` stream label, so a label matcher on any service plus a
 * structured-metadata filter finds every line of the trace across services.
 */
const TRACE_ID = /^[0-9a-fA-F]{1,32}$/;

export function buildTraceLogsQuery(traceId: string): string {
  if (!TRACE_ID.test(traceId)) {
    throw new Error(`Not a trace id: ${JSON.stringify(traceId)}`);
  }
  // Loki stores the id as the 32-digit lower-case hex the SDK wrote; Tempo may have trimmed leading zeros.
  const id = traceId.toLowerCase().padStart(32, '0');
  return `{service_name=~".+"} | trace_id="${id}"`;
}

/**
 * The call tree's "logs of this trace" link, checked on what a real Loki v3.7.6 answered while the demo ran
 * under the preload (fixtures/recorded, README there): the pino lines of every service the checkout crossed
 * carry its trace id as structured metadata, and the stream labels are the ones the dashboards select on.
 */
import { buildTraceLogsQuery } from '../../src/traceql/logql';
import { manifest, readRecorded } from '../fixtures/recorded/load';

interface LokiStreams {
  status: string;
  data: {
    resultType: string;
    result: Array<{
      stream: Record<string, string>;
      values: Array<[string, string, { structuredMetadata?: Record<string, string> }?]>;
    }>;
  };
}

const recorded = manifest();
const checkout = recorded.traces.checkout!;
const logs = readRecorded<LokiStreams>('loki/trace-logs.json');

describe('logs of a real checkout trace from Loki', () => {
  it('were asked with the query the call tree builds', () => {
    expect(recorded.queries['loki/trace-logs']).toBe(buildTraceLogsQuery(checkout));
  });

  it('come from every service the checkout crossed, each line carrying the trace id as structured metadata', () => {
    expect(logs.status).toBe('success');
    expect(logs.data.resultType).toBe('streams');
    const services = new Set(logs.data.result.map((s) => s.stream.service_name));
    expect([...services].sort()).toEqual(['gateway', 'orders', 'payments']);
    const lines = logs.data.result.flatMap((s) => s.values);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const [, line, meta] of lines) {
      expect(line.length).toBeGreaterThan(0);
      expect(meta?.structuredMetadata?.trace_id).toBe(checkout.toLowerCase().padStart(32, '0'));
      expect(meta?.structuredMetadata?.span_id).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  it('sit in streams labelled as the logs dashboard selects them (service_name, no per-line labels)', () => {
    for (const { stream } of logs.data.result) {
      expect(Object.keys(stream).sort()).toEqual(['deployment_environment_name', 'service_name', 'service_namespace']);
    }
    expect(readRecorded<{ data: string[] }>('loki/labels.json').data).toEqual(
      expect.arrayContaining(['service_name', 'service_namespace'])
    );
  });
});

import { buildCallTree, coveredLength, visibleRowIndices } from '../../src/calltree/buildCallTree';
import { parseTraceFrames, type SpanRecord } from '../../src/calltree/parseTrace';
import { pathsOfTraces } from '../../src/calltree/pathsOfTraces';
import { traceExploreUrl, traceLogsExploreUrl } from '../../src/calltree/links';
import { FrameFormatError } from '../../src/scatter/frameLike';
import { framesOf, readFixture } from '../fixtures/tempo/load';

type Envelope = Parameters<typeof framesOf>[0];

function span(id: string, parent: string | undefined, startMs: number, durationMs: number, extra: Partial<SpanRecord> = {}): SpanRecord {
  return {
    traceId: 't1',
    spanId: id,
    parentSpanId: parent,
    name: id,
    service: 'orders',
    kind: 'internal',
    statusCode: 0,
    statusMessage: '',
    startMs,
    durationMs,
    attributes: {},
    resource: {},
    events: [],
    ...extra,
  };
}

const row = (tree: ReturnType<typeof buildCallTree>, id: string) => tree.rows.find((r) => r.span?.spanId === id)!;

describe('coveredLength', () => {
  it('merges overlapping intervals and clips them to the parent', () => {
    expect(coveredLength([[0, 10], [5, 15], [20, 30]], 0, 100)).toBe(25);
    expect(coveredLength([[90, 130]], 0, 100)).toBe(10);
    expect(coveredLength([[-5, 5], [200, 300]], 0, 100)).toBe(5);
    expect(coveredLength([], 0, 100)).toBe(0);
  });
});

describe('buildCallTree', () => {
  it('computes Pinpoint’s Gap / Exec / Exec % / Self in depth-first order', () => {
    const tree = buildCallTree([
      span('root', undefined, 0, 100),
      span('db', 'root', 10, 60),
      span('cache', 'root', 75, 5),
      span('inner', 'db', 20, 30),
    ]);
    expect(tree.rows.map((r) => r.span!.spanId)).toEqual(['root', 'db', 'inner', 'cache']);
    expect(tree.rows.map((r) => r.depth)).toEqual([0, 1, 2, 1]);
    expect(row(tree, 'root').selfMs).toBe(35); // 100 - 60 - 5
    expect(row(tree, 'db').selfMs).toBe(30); // 60 - 30
    expect(row(tree, 'inner').selfMs).toBe(30); // leaf
    expect(tree.rows.map((r) => r.gapMs)).toEqual([0, 10, 10, 55]);
    expect(row(tree, 'db').execPct).toBe(60);
    expect(row(tree, 'cache').offsetFrac).toBe(0.75);
    expect(tree.totalMs).toBe(100);
    expect(row(tree, 'root').subtreeEnd).toBe(4);
    expect(row(tree, 'db').subtreeEnd).toBe(3);
  });

  it('does not double count overlapping (parallel) children', () => {
    const tree = buildCallTree([span('p', undefined, 0, 100), span('a', 'p', 10, 50), span('b', 'p', 30, 50)]);
    expect(row(tree, 'p').selfMs).toBe(30); // children cover 10..80
  });

  it('handles async children that outlive their parent', () => {
    const tree = buildCallTree([span('req', undefined, 0, 100), span('audit', 'req', 90, 50)]);
    expect(row(tree, 'req').selfMs).toBe(90); // only 90..100 of the child is inside the request
    expect(row(tree, 'audit').outlivesParent).toBe(true);
    expect(row(tree, 'audit').selfMs).toBe(50);
    expect(tree.totalMs).toBe(140);
    expect(row(tree, 'req').execPct).toBeCloseTo((100 / 140) * 100);
  });

  it('keeps spans with a missing parent under their own group', () => {
    const tree = buildCallTree([span('root', undefined, 0, 10), span('lost', 'nope', 3, 2), span('lostChild', 'lost', 3.5, 1)]);
    const group = tree.rows.find((r) => r.type === 'group')!;
    expect(group.label).toBe('Spans whose parent is missing (1)');
    expect(row(tree, 'lost').depth).toBe(1);
    expect(row(tree, 'lost').orphan).toBe(true);
    expect(row(tree, 'lostChild').depth).toBe(2);
    expect(tree.orphanCount).toBe(2);
    expect(tree.rows).toHaveLength(4);
  });

  it('never loses spans on a parent cycle and never loops', () => {
    const tree = buildCallTree([span('a', 'b', 0, 1), span('b', 'a', 0, 1), span('r', undefined, 0, 5)]);
    expect(tree.rows.filter((r) => r.type === 'span')).toHaveLength(3);
  });

  it('builds a 10 000-deep chain without overflowing the stack and collapses subtrees', () => {
    const spans = Array.from({ length: 10_000 }, (_, i) => span(`s${i}`, i ? `s${i - 1}` : undefined, i, 10_000 - i));
    const tree = buildCallTree(spans);
    expect(tree.rows).toHaveLength(10_000);
    expect(tree.rows[9999]!.depth).toBe(9999);
    expect(tree.rows[0]!.selfMs).toBe(1);
    expect(visibleRowIndices(tree.rows, new Set([1]))).toEqual([0, 1]);
    expect(visibleRowIndices(tree.rows, new Set())).toHaveLength(10_000);
  });

  it('flags failed spans and exception events', () => {
    const tree = buildCallTree([
      span('x', undefined, 0, 5, {
        statusCode: 2,
        events: [{ timeMs: 4, name: 'exception', attributes: { 'exception.type': 'Error', 'exception.message': 'boom' } }],
      }),
    ]);
    expect(tree.rows[0]!.failed).toBe(true);
    expect(tree.rows[0]!.exception).toEqual({ type: 'Error', message: 'boom' });
  });
});

describe('the demo trace fixture', () => {
  const traces = readFixture<Record<string, Envelope>>('traces.json');
  const search = readFixture<Envelope>('search-spans.json');

  it('finds the slow Postgres span by its self time in a slow checkout', () => {
    const frame = framesOf(search)[0] as { schema: { fields: Array<{ name: string }> }; data: { values: unknown[][] } };
    const col = (n: string) => frame.data.values[frame.schema.fields.findIndex((f) => f.name === n)]!;
    const durations = col('duration') as number[];
    const ids = col('traceIdHidden') as string[];
    const slowest = ids[durations.indexOf(Math.max(...durations))]!;
    const { spans, warnings } = parseTraceFrames(framesOf(traces[slowest]!));
    expect(warnings).toEqual([]);
    const tree = buildCallTree(spans);
    const bySelf = [...tree.rows].filter((r) => r.span).sort((a, b) => b.selfMs - a.selfMs);
    expect(bySelf[0]!.span!.name).toBe('pg.query:SELECT test');
    expect(bySelf[0]!.span!.attributes['db.system']).toBe('postgresql');
    expect(bySelf[0]!.selfMs).toBeGreaterThan(1000);
    // the orphaned payments span and the async audit span are both present
    expect(tree.rows.some((r) => r.type === 'group')).toBe(true);
    expect(tree.rows.find((r) => r.span?.name === 'audit.publish')!.outlivesParent).toBe(true);
    // orders server span: self = exec minus its (clipped) children
    const server = tree.rows.find((r) => r.span?.service === 'orders' && r.span.kind === 'server')!;
    const kids = spans.filter((s) => s.parentSpanId === server.span!.spanId);
    const end = server.span!.startMs + server.span!.durationMs;
    const expected = server.execMs - coveredLength(kids.map((k) => [k.startMs, k.startMs + k.durationMs]), server.span!.startMs, end);
    expect(server.selfMs).toBeCloseTo(expected, 9);
  });

  it('reads events, resource and status of a failed trace', () => {
    const failed = Object.values(traces)
      .map((env) => parseTraceFrames(framesOf(env)).spans)
      .find((spans) => spans.some((s) => s.statusCode === 2))!;
    const bad = failed.find((s) => s.statusCode === 2)!;
    expect(bad.events[0]!.name).toBe('exception');
    expect(bad.events[0]!.attributes['exception.message']).toBe('order service exploded on purpose');
    expect(bad.resource['service.namespace']).toBe('demo');
    expect(buildCallTree(failed).rows.find((r) => r.failed)!.exception!.type).toBe('Error');
  });

  it('gives a clear error for malformed trace frames', () => {
    expect(() => parseTraceFrames(framesOf(readFixture<Envelope>('trace-malformed.json')))).toThrow(
      /Trace frame: missing field "spanID"/
    );
    expect(() => parseTraceFrames([])).toThrow(FrameFormatError);
    expect(() => parseTraceFrames([{ name: 'Trace', fields: [{ name: 'spanID', values: [] }, { name: 'startTime', values: [] }, { name: 'duration', values: [] }] }])).toThrow(
      /no usable spans/
    );
    expect(() => framesOf(readFixture<Envelope>('trace-not-found.json'))).toThrow(/trace not found/);
  });

  it('accepts JSON columns as strings and warns about broken ones', () => {
    const { spans, warnings } = parseTraceFrames([
      {
        name: 'Trace',
        fields: [
          { name: 'spanID', values: ['a', 'b'] },
          { name: 'parentSpanID', values: ['', 'a'] },
          { name: 'startTime', values: [0, 1] },
          { name: 'duration', values: [5, 1] },
          { name: 'tags', values: ['[{"key":"http.route","value":"/x"}]', '{not json'] },
        ],
      },
    ]);
    expect(spans[0]!.attributes['http.route']).toBe('/x');
    expect(spans[1]!.parentSpanId).toBe('a');
    expect(warnings).toEqual(['Tags of span b is not valid JSON; ignored']);
  });
});

describe('paths of traces (brush → map highlight)', () => {
  it('names services and edges like the service graph', () => {
    const traces = readFixture<Record<string, Envelope>>('traces.json');
    const checkout = Object.values(traces)
      .map((env) => parseTraceFrames(framesOf(env)).spans)
      .find((spans) => spans.some((s) => s.service === 'payments'))!;
    const paths = pathsOfTraces([checkout]);
    expect(paths.services).toEqual(expect.arrayContaining(['gateway', 'orders', 'payments', 'postgresql', 'redis', '127.0.0.1']));
    const edges = paths.edges.map(([a, b]) => `${a}->${b}`).sort();
    expect(edges).toEqual(
      ['gateway->orders', 'orders->payments', 'orders->postgresql', 'orders->redis', 'payments->127.0.0.1', 'user->gateway'].sort()
    );
  });
});

describe('Explore links', () => {
  const render = (path: string, q: Record<string, unknown>) =>
    `${path}?${Object.entries(q).map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&')}`;

  it('opens the trace in the Tempo trace view', () => {
    const url = traceExploreUrl(render, 'tempo', 'abc123', { from: 1, to: 2 }, 1);
    const panes = JSON.parse(decodeURIComponent(/panes=([^&]*)/.exec(url)![1]!));
    expect(url.startsWith('/explore?schemaVersion=1&')).toBe(true);
    expect(panes.lgtmapm.queries[0]).toEqual({ refId: 'A', datasource: { type: 'tempo', uid: 'tempo' }, queryType: 'traceql', query: 'abc123' });
    expect(panes.lgtmapm.range).toEqual({ from: '1', to: '2' });
    expect(url).toContain('orgId=1');
  });

  it('opens the trace’s logs in Loki', () => {
    const url = traceLogsExploreUrl(render, 'loki', 'abc123', { from: 'now-1h', to: 'now' });
    const panes = JSON.parse(decodeURIComponent(/panes=([^&]*)/.exec(url)![1]!));
    expect(panes.lgtmapm.queries[0].expr).toBe('{service_name=~".+"} | trace_id="00000000000000000000000000abc123"');
    expect(panes.lgtmapm.datasource).toBe('loki');
  });
});

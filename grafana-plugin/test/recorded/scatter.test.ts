/**
 * Scatter, transaction list and call tree fed with what a real Tempo v3.0.3 answered to the panel's own
 * queries while `npm run demo` ran (fixtures/recorded, README there), converted the way Grafana's Tempo
 * data source does.
 */
import { buildCallTree } from '../../src/calltree/buildCallTree';
import { parseTraceFrames } from '../../src/calltree/parseTrace';
import { transactionsFromFrames } from '../../src/scatter/dots';
import { heatmapFromFrames, runtimeSeriesFromFrames } from '../../src/scatter/heatmap';
import { samplingEstimate, transactionLabel } from '../../src/transactions/model';
import { bandRequest, dotsRequest, histogramRequest } from '../../src/traceql';
import { dotFrames, histogramFrames, manifest, readRecorded, traceFrames } from '../fixtures/recorded/load';
import { type PromApiResponse, promFrames } from '../fixtures/recorded/toFrames';
import { framesFromWire } from '../fixtures/load';

const recorded = manifest();
const service = recorded.service;

describe('recorded TraceQL queries', () => {
  it('are the ones the panel sends (dots, a 1 s band, the heatmap histogram)', () => {
    const dots = dotsRequest({ service });
    expect(recorded.queries['tempo/search-dots']).toEqual({ q: dots.query, limit: dots.limit, spss: dots.spss });
    const band = bandRequest({ service, minMs: 1000 });
    expect(recorded.queries['tempo/search-band']).toEqual({ q: band.query, limit: band.limit, spss: band.spss });
    expect((recorded.queries['tempo/histogram'] as { q: string }).q).toBe(histogramRequest({ service }).query);
  });
});

describe('scatter dots from a real Tempo search', () => {
  const set = transactionsFromFrames(dotFrames(), service);

  it('reads every span row: one transaction per orders SERVER span, none skipped', () => {
    expect(set.skipped).toBe(0);
    expect(set.transactions.length).toBeGreaterThanOrEqual(30);
    for (const t of set.transactions) {
      expect(t.service).toBe(service);
      expect(t.rootService).toBe('gateway');
      expect(t.traceId).toMatch(/^[0-9a-f]{1,32}$/);
      expect(t.durationMs).toBeGreaterThan(0);
      expect(t.startMs).toBeGreaterThan(Date.parse('2026-01-01'));
    }
  });

  it('labels each dot with its route and span name', () => {
    for (const t of set.transactions) {
      expect(t.route).toMatch(/^\/(orders|slow|fail|throw)/);
      expect(t.name).toBe(`${t.method} ${t.route}`);
      expect(transactionLabel(t)).toBe(`${t.method} ${t.route}`);
    }
  });

  it('colours the injected failures and shows the slow route above 1 s', () => {
    const failed = set.transactions.filter((t) => t.failed);
    expect(failed.length).toBeGreaterThan(0);
    for (const t of failed) {
      expect(['/fail', '/throw', '/orders', '/orders/:id']).toContain(t.route);
      expect(t.httpStatus).toBeGreaterThanOrEqual(500);
    }
    expect(set.transactions.some((t) => t.route === '/slow' && t.durationMs > 1000)).toBe(true);
  });
});

describe('drag-select band from a real Tempo search', () => {
  it('returns only transactions of at least 1 s', () => {
    const band = transactionsFromFrames(dotFrames('tempo/search-band.json', 'band'), service);
    expect(band.transactions.length).toBeGreaterThan(0);
    for (const t of band.transactions) {
      expect(t.durationMs).toBeGreaterThanOrEqual(1000);
    }
  });
});

describe('heatmap underlay from a real TraceQL histogram_over_time', () => {
  const grid = heatmapFromFrames(histogramFrames())!;

  it("has Tempo's power-of-two buckets and the 30 s step asked for", () => {
    expect(grid).toBeDefined();
    expect(grid.stepMs).toBe(30_000);
    for (const b of grid.bucketsMs) {
      expect(Math.log2(b * 1e6) % 1).toBe(0);
    }
  });

  it('puts each column where its spans started: inside the window it counts what the untrimmed search returned', () => {
    // Same spans, two APIs: the search counted traces started inside [start, end]; the histogram's columns,
    // read as Tempo means them (a sample at T is (T - step, T]), are summed over the same window. They may
    // differ by the requests in flight at either edge of the range. Read with the sample time as the
    // column's start instead, the count is off by a whole column of traffic.
    expect(grid.total).toBeGreaterThan(0);
    let inWindow = 0;
    for (let c = 0; c < grid.times.length; c++) {
      if (grid.times[c]! >= recorded.start * 1000 && grid.times[c]! + grid.stepMs <= recorded.end * 1000) {
        for (let b = 0; b < grid.bucketsMs.length; b++) {
          inWindow += grid.counts[c * grid.bucketsMs.length + b]!;
        }
      }
    }
    expect(Math.abs(inWindow - recorded.dotsTotal)).toBeLessThanOrEqual(Math.ceil(recorded.dotsTotal * 0.02));
  });
});

describe('runtime overlay and sampling estimate from the real Prometheus', () => {
  it('draws the event-loop lag the preload exported under its prom-client name', () => {
    const series = runtimeSeriesFromFrames(
      framesFromWire(
        promFrames('runtime-eventLoopLag', readRecorded<PromApiResponse>('prometheus/runtime-eventLoopLag.json'))
      )
    );
    expect(series).toBeDefined();
    expect(series!.t.length).toBeGreaterThan(5);
    expect(series!.max).toBeGreaterThan(0);
    expect(series!.max).toBeLessThan(5);
  });

  it('estimates that every request reached Tempo (the demo samples everything)', () => {
    const requests = readRecorded<PromApiResponse>('prometheus/requests.json').data!.result[0]!.value![1];
    const stored = heatmapFromFrames(histogramFrames())!.total;
    expect(samplingEstimate(stored, Number(requests))).toBeGreaterThan(0.9);
  });
});

describe('call tree of a real checkout trace', () => {
  const parsed = parseTraceFrames(traceFrames('checkout'));
  const tree = buildCallTree(parsed.spans);

  it('parses every span with no warnings and one root', () => {
    expect(parsed.warnings).toEqual([]);
    expect(tree.orphanCount).toBe(0);
    expect(tree.rows[0]!.depth).toBe(0);
    expect(tree.rows[0]!.span!.service).toBe('gateway');
    expect(tree.rows[0]!.span!.kind).toBe('server');
    expect(tree.rows.filter((r) => r.depth === 0)).toHaveLength(1);
    expect(tree.traceId).toBe(recorded.traces.checkout);
  });

  it('nests gateway -> orders -> (Postgres, Redis, payments -> external) as the demo calls them', () => {
    const depthOf = (pred: (s: NonNullable<(typeof tree.rows)[number]['span']>) => boolean) =>
      tree.rows.filter((r) => r.span && pred(r.span)).map((r) => r.depth);
    const ordersServer = depthOf((s) => s.service === 'orders' && s.kind === 'server');
    const paymentsServer = depthOf((s) => s.service === 'payments' && s.kind === 'server');
    expect(ordersServer).toHaveLength(1);
    expect(paymentsServer).toHaveLength(1);
    expect(paymentsServer[0]!).toBeGreaterThan(ordersServer[0]!);
    const db = tree.rows
      .filter((r) => r.span?.attributes['db.system.name'] !== undefined)
      .map((r) => r.span!.attributes['db.system.name']);
    expect(new Set(db)).toEqual(new Set(['postgresql', 'redis']));
    for (const r of tree.rows.filter((r) => r.span?.attributes['db.system.name'] !== undefined)) {
      expect(r.depth).toBeGreaterThan(ordersServer[0]!);
      // peer.service is what Tempo names the database node after (instrumentation's service-graph hints).
      expect(r.span!.attributes['peer.service']).toBe(r.span!.attributes['db.system.name']);
    }
    expect(tree.services.sort()).toEqual(['gateway', 'orders', 'payments']);
  });

  it('keeps Exec and Self consistent with the span durations', () => {
    for (const r of tree.rows) {
      expect(r.execMs).toBeCloseTo(r.span!.durationMs, 6);
      expect(r.selfMs).toBeGreaterThanOrEqual(0);
      expect(r.selfMs).toBeLessThanOrEqual(r.execMs + 1e-6);
    }
    // The trace ends with its last span, which may end after the root answered (flagged, not hidden).
    const root = tree.rows[0]!.span!;
    // Epoch milliseconds near 1.8e12 keep about 0.2 µs of precision, hence the 1 µs slack.
    expect(tree.totalMs).toBeGreaterThanOrEqual(root.durationMs - 1e-3);
    const lateEnd = Math.max(...tree.rows.map((r) => r.span!.startMs + r.span!.durationMs));
    expect(Math.abs(tree.totalMs - (lateEnd - root.startMs))).toBeLessThan(1e-3);
  });
});

describe('call tree of a real failed trace', () => {
  it('marks the failed spans and carries the exception event', () => {
    const tree = buildCallTree(parseTraceFrames(traceFrames('failed')).spans);
    const failed = tree.rows.filter((r) => r.failed);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.some((r) => r.span!.service === 'orders')).toBe(true);
    // express records the thrown error on its request-handler span as an `exception` event.
    const withException = tree.rows.filter((r) => r.exception);
    expect(withException.length).toBeGreaterThan(0);
    for (const r of withException) {
      expect(r.failed).toBe(true);
      expect(r.exception!.message).not.toBe('');
    }
  });
});

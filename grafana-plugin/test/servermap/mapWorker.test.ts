import { clone, ok, plainEdge, plainMap, plainNode } from '../fixtures/workerCrossing';
import { budgetedLayout } from '../../src/servermap/layout/budget';
import { topologyKey } from '../../src/servermap/layout/layout';
import { layoutInputOf, layoutKey, pinnedNodeIds } from '../../src/servermap/layout/layoutInput';
import { answerModelRequest, layoutKeyHash, type ModelReply, type ModelRequest } from '../../src/servermap/layout/modelProtocol';
import { packLayout, unpackLayout } from '../../src/servermap/layout/packLayout';
import { buildServerMap, filterMap, type FrameLike, type MapFilter } from '../../src/servermap/model';
import { framesSize, packFrames, packFramesInSlices, unpackFrames } from '../../src/servermap/model/packFrames';
import { runInSlices } from '../../src/shared/slices';
import { packMap, unpackMap, unpackMapInSlices } from '../../src/servermap/model/packMap';
import { mapIndex } from '../../src/servermap/model/mapIndex';
import { packStrings, packedStringAt, packedStringAtRequired, unpackStrings } from '../../src/servermap/model/packStrings';
import { manifest, serverMapFrames } from '../fixtures/recorded/load';
import { framesFromResponse, framesFromWire } from '../fixtures/load';
import { demoTopology, generateTopology, prometheusResponse, randomTopology, tempoServiceGraphFrames } from '../fixtures/serviceGraph';

// A safety net only (generated inputs on a busy machine): nothing here waits on time.
jest.setTimeout(120_000);


const INPUTS: Array<{ name: string; frames: () => FrameLike[]; rangeSeconds?: number }> = [
  { name: 'demo, per-series frames', frames: () => framesFromResponse(prometheusResponse(demoTopology())) },
  { name: 'demo, table frames', frames: () => framesFromResponse(prometheusResponse(demoTopology(), { table: true })) },
  {
    name: 'demo, range queries (raw counters)',
    frames: () => framesFromResponse(prometheusResponse(demoTopology(), { range: true })),
    rangeSeconds: 3600,
  },
  { name: 'demo, Tempo service graph', frames: () => framesFromWire(tempoServiceGraphFrames(demoTopology(), 3600)), rangeSeconds: 3600 },
  { name: 'recorded Mimir, table', frames: () => serverMapFrames({ table: true }), rangeSeconds: manifest().rangeSeconds },
  { name: 'recorded Mimir, per-series', frames: () => serverMapFrames({ table: false }), rangeSeconds: manifest().rangeSeconds },
  { name: 'generated 300 nodes', frames: () => framesFromResponse(prometheusResponse(generateTopology(300, 2))) },
  { name: 'random 120 / 500', frames: () => framesFromResponse(prometheusResponse(randomTopology(120, 500, 3), { table: true })) },
];

describe('frames → packed columns → model (the map worker path) equals the direct model', () => {
  it.each(INPUTS)('$name', ({ frames, rangeSeconds }) => {
    const input = frames();
    const direct = buildServerMap(input, { rangeSeconds });
    const packed = clone(packFrames(input));
    const viaWorker = buildServerMap(unpackFrames(packed), { rangeSeconds });
    expect(direct.ok).toBe(true);
    expect(viaWorker).toEqual(direct);
  });

  it('keeps nulls, mixed columns, labels, refIds and the executed query the model reads', () => {
    const frames: FrameLike[] = [
      {
        refId: 'A',
        name: 'x',
        meta: { executedQueryString: 'Expr: sum(traces_service_graph_request_total)\nStep: 15s' },
        fields: [
          { name: 'Time', type: 'time', values: [1, 2, 3] },
          { name: 'Value', type: 'number', labels: { client: 'a', server: 'b' }, values: [1, null, Number.NaN] },
          { name: 'mixed', values: ['1', 2, { x: 1 }] },
          { name: 'strings', values: ['a', undefined, null, ''] },
          { name: 'empty', values: [] },
        ],
      },
      { fields: [] },
    ];
    const back = unpackFrames(clone(packFrames(frames)));
    expect(back).toHaveLength(2);
    expect(back[0]!.refId).toBe('A');
    expect(back[0]!.name).toBe('x');
    expect(back[0]!.meta).toEqual(frames[0]!.meta);
    const [time, value, mixed, strings, empty] = back[0]!.fields;
    expect(Array.from(time!.values)).toEqual([1, 2, 3]);
    expect(value!.labels).toEqual({ client: 'a', server: 'b' });
    expect(Array.from(value!.values)).toEqual([1, null, Number.NaN]);
    expect(mixed!.values).toEqual(['1', 2, { x: 1 }]);
    expect(strings!.values).toEqual(['a', undefined, null, '']);
    expect(empty!.values).toHaveLength(0);
    expect(back[1]!.fields).toEqual([]);
  });

  it('packs the same in slices, yielding between them', async () => {
    const frames = framesFromResponse(prometheusResponse(generateTopology(60, 8)));
    const sliced = packFramesInSlices(frames);
    expect(await sliced.promise).toEqual(packFrames(frames));
    expect(sliced.stats.slices).toBeGreaterThanOrEqual(1);
    // With no time allowed per slice, every step is a slice of its own: the generator really pauses.
    function* steps(): Generator<void, number> {
      yield;
      yield;
      return 3;
    }
    const job = runInSlices(steps(), 0);
    expect(await job.promise).toBe(3);
    expect(job.stats.slices).toBe(3);
    function* failing(): Generator<void, number> {
      yield;
      throw new Error('bad frame');
    }
    await expect(runInSlices(failing(), 0).promise).rejects.toThrow('bad frame');
  });

  it('framesSize counts values and frames, and may stop once past a threshold (same answer to "at least?")', () => {
    const frames = framesFromResponse(prometheusResponse(generateTopology(60, 8)));
    const full = framesSize(frames);
    const expected = frames.reduce((n, f) => n + 4 + f.fields.reduce((m, x) => m + x.values.length, 0), 0);
    expect(full).toBe(expected);
    const threshold = Math.floor(full / 3);
    const partial = framesSize(frames, threshold);
    expect(partial).toBeGreaterThan(threshold);
    expect(partial).toBeLessThan(full);
    expect(framesSize(frames, full) >= full).toBe(true);
    expect(framesSize(frames, full + 1)).toBe(full);
  });

  it('framesSize: frames that pass the threshold by their count alone are not read', () => {
    const unreadable = new Proxy({} as FrameLike, {
      get: () => {
        throw new Error('read');
      },
    });
    const many = Array.from({ length: 100 }, () => unreadable);
    expect(framesSize(many, 399)).toBe(400);
    // At the threshold exactly, the frames are read (the count alone does not pass it).
    expect(() => framesSize(many, 400)).toThrow('read');
    expect(framesSize([{ fields: [{ name: 'v', values: [1, 2, 3] }] }, null as unknown as FrameLike], 10)).toBe(11);
  });

  it('skips what the model skips, and says what is wrong with a message that is not packed frames', () => {
    expect(unpackFrames(packFrames([null as unknown as FrameLike, { fields: 'x' } as unknown as FrameLike]))).toEqual([]);
    expect(() => packFrames([{ fields: [{ name: 'v' } as unknown as FrameLike['fields'][0]] }])).toThrow('field "v" has no values');
    expect(() => unpackFrames('nonsense')).toThrow('packed frames: malformed message');
    const p = packFrames(framesFromResponse(prometheusResponse(demoTopology())));
    p.fields[7] = p.numbers.length; // the first field's values start past the end
    expect(() => unpackFrames(p)).toThrow('out of range');
  });
});

describe('the model and layout packed for the way back', () => {
  it.each(INPUTS)('map round trip: $name', ({ frames, rangeSeconds }) => {
    const map = ok(buildServerMap(frames(), { rangeSeconds }));
    const back = unpackMap(clone(packMap(map)));
    expect(plainMap(back)).toEqual(map);
    // Its index by id comes with it (built in the unpack's slices).
    const index = mapIndex(back);
    expect([...index.nodes.keys()]).toEqual(map.nodes.map((n) => n.id));
    expect(index.edges.get(map.edges[0]!.id)).toBe(back.edges[0]);
    expect(mapIndex(back)).toBe(index);
  });

  it('rejects a packed map whose arrays disagree', () => {
    const p = packMap(ok(buildServerMap(framesFromResponse(prometheusResponse(demoTopology())))));
    expect(() => unpackMap({ ...p, stats: p.stats.subarray(1) })).toThrow('packed map: malformed message');
    expect(() => unpackMap({} as never)).toThrow('packed map: malformed message');
    expect(() => unpackMap({ ...p, edgeText: ['a', 'b', 'c', 'd'] as never })).toThrow('packed map: malformed message');
    // Buckets past the end fail the rebuild, not the first read of a number.
    const refs = p.bucketRefs.slice();
    const withBuckets = refs.findIndex((first, i) => i % 2 === 0 && first >= 0);
    refs[withBuckets + 1] = p.buckets.length;
    expect(() => unpackMap({ ...p, bucketRefs: refs })).toThrow('packed map: malformed message');
    const text = p.nodeText.slice();
    text[0] = 1e6;
    expect(() => unpackMap({ ...p, nodeText: text })).toThrow('packed strings: no entry 1000000');
  });

  it('reads the numbers of the records about to be drawn during the rebuild, the others when first asked', async () => {
    const map = ok(buildServerMap(framesFromResponse(prometheusResponse(demoTopology()))));
    const p = clone(packMap(map));
    const back = await unpackMapInSlices(p, { nodes: Int32Array.of(1), edges: Int32Array.of(0, 999) }).promise;
    // The reply's columns overwritten after the rebuild: only records not read yet see it.
    p.stats.fill(7);
    expect(back.nodes[1]!.inbound.calls).toBe(map.nodes[1]!.inbound.calls);
    expect(back.edges[0]!.stats.calls).toBe(map.edges[0]!.stats.calls);
    expect(map.nodes[2]!.inbound.calls).not.toBe(7);
    expect(back.nodes[2]!.inbound.calls).toBe(7);
  });

  it('rebuilt records read their numbers from the reply when first asked, once; strings are shared', () => {
    const map = ok(buildServerMap(framesFromResponse(prometheusResponse(demoTopology()))));
    const back = unpackMap(clone(packMap(map)));
    const node = back.nodes[1]!;
    const edge = back.edges[0]!;
    expect(Object.keys(node)).not.toContain('inbound');
    expect(Object.keys(edge)).not.toContain('stats');
    expect(node.inbound).toBe(node.inbound);
    expect(node.inbound).toEqual(map.nodes[1]!.inbound);
    expect(node.outbound).toBe(node.outbound);
    expect(edge.stats).toBe(edge.stats);
    expect(edge.stats.buckets).toEqual(map.edges[0]!.stats.buckets);
    expect(edge.stats.buckets!.length).toBeGreaterThan(2);
    // One id string per node, shared with the links that end there (the reply's strings cut once each).
    const byId = new Map(back.nodes.map((n) => [n.id, n]));
    expect(back.edges.every((e) => byId.has(e.source) && byId.has(e.target))).toBe(true);
  });

  it('strings travel as one string and their bounds, absent and empty entries included', () => {
    const list = ['checkout', undefined, '', 'pg \u0000 "orders"', 'ünïcode → ✓', undefined];
    const p = clone(packStrings(list));
    expect(typeof p.text).toBe('string');
    expect(unpackStrings(p)).toEqual(list);
    expect(packedStringAt(p, 3)).toBe('pg \u0000 "orders"');
    expect(() => packedStringAtRequired(p, 1)).toThrow('entry 1 is absent');
    expect(() => packedStringAt(p, 6)).toThrow('no entry 6');
    const bad = { ...p, bounds: Int32Array.from(p.bounds) };
    bad.bounds[1] = p.text.length + 1;
    expect(() => packedStringAt(bad, 0)).toThrow('packed strings: malformed message');
  });

  it('layout round trip', () => {
    const map = ok(buildServerMap(framesFromResponse(prometheusResponse(generateTopology(120, 5)))));
    const { layout } = budgetedLayout(layoutInputOf(map, pinnedNodeIds(map.nodes, undefined), true));
    expect(unpackLayout(clone(packLayout(layout)))).toEqual(layout);
  });
});

describe('answerModelRequest (what the map worker does)', () => {
  const frames = framesFromResponse(prometheusResponse(generateTopology(400, 6)));
  const filter: MapFilter = { inboundDepth: 1, outboundDepth: 1, hideTerminal: false, maxNodes: 5000 };
  const ask = (req: Omit<ModelRequest, 'type' | 'id' | 'frames'>) => {
    const replies: ModelReply[] = [];
    answerModelRequest(clone({ type: 'model', id: 9, frames: packFrames(frames), ...req }), (r) => replies.push(clone(r)));
    expect(replies).toHaveLength(1);
    return replies[0]!;
  };

  it('builds the model and lays out the filtered map under the key the panel computes', () => {
    const reply = ask({ options: {}, layout: { filter, all: false, known: [] } });
    expect(reply.type).toBe('model-done');
    if (reply.type !== 'model-done' || !reply.result.ok) {
      throw new Error('no map');
    }
    const direct = ok(buildServerMap(frames));
    expect(plainMap(unpackMap(reply.result.map))).toEqual(direct);
    const filtered = filterMap(direct, filter);
    const key = layoutKey(topologyKey(filtered.nodes, filtered.edges), false);
    expect(reply.layout?.key).toBe(key);
    const expected = budgetedLayout(layoutInputOf(filtered, pinnedNodeIds(filtered.nodes, undefined), false));
    const got = unpackLayout(reply.layout!.layout);
    expect({ ...got, ms: 0 }).toEqual({ ...expected.layout, ms: 0 });
    expect(reply.layout!.hidden).toBe(expected.hidden);
    // The filtered map as indexes into the map, and its topology key.
    const map = unpackMap(reply.result.map);
    expect(Array.from(reply.filtered!.nodes, (i) => plainNode(map.nodes[i]!))).toEqual(filtered.nodes);
    expect(Array.from(reply.filtered!.edges, (i) => plainEdge(map.edges[i]!))).toEqual(filtered.edges);
    expect(reply.filtered!.topology).toBe(topologyKey(filtered.nodes, filtered.edges));
    expect(reply.filtered).toMatchObject({ hiddenByLimit: filtered.hiddenByLimit, hiddenByFilter: filtered.hiddenByFilter });
  });

  it('filters as asked: a node limit leaves out the least busy nodes, in the worker as in the panel', () => {
    const limited: MapFilter = { ...filter, maxNodes: 150, hideTerminal: true };
    const reply = ask({ options: {}, layout: { filter: limited, all: false, known: [] } });
    if (reply.type !== 'model-done' || !reply.result.ok || !reply.filtered) {
      throw new Error('no filtered map');
    }
    const map = unpackMap(reply.result.map);
    const expected = filterMap(map, limited);
    expect(expected.hiddenByLimit).toBeGreaterThan(0);
    expect(Array.from(reply.filtered.nodes, (i) => map.nodes[i]!.id)).toEqual(expected.nodes.map((n) => n.id));
    expect(Array.from(reply.filtered.edges, (i) => map.edges[i]!.id)).toEqual(expected.edges.map((e) => e.id));
    expect(reply.filtered.hiddenByLimit).toBe(expected.hiddenByLimit);
  });

  it('does not lay out a topology the page has already laid out, nor without a layout request', () => {
    const direct = ok(buildServerMap(frames));
    const filtered = filterMap(direct, filter);
    const known = [layoutKeyHash(layoutKey(topologyKey(filtered.nodes, filtered.edges), false))];
    const skipped = ask({ options: {}, layout: { filter, all: false, known } });
    expect(skipped.type === 'model-done' && skipped.result.ok && skipped.layout === undefined).toBe(true);
    const noLayout = ask({ options: {} });
    expect(noLayout.type === 'model-done' && noLayout.layout === undefined).toBe(true);
  });

  it('answers an unusable input with the model error, and a malformed message with an error reply', () => {
    const empty: ModelReply[] = [];
    answerModelRequest({ type: 'model', id: 2, frames: packFrames([]), options: {} }, (r) => empty.push(r));
    expect(empty[0]).toMatchObject({ type: 'model-done', id: 2, result: { ok: false } });
    const bad: ModelReply[] = [];
    answerModelRequest({ type: 'model', id: 3, frames: 'x' } as unknown as ModelRequest, (r) => bad.push(r));
    expect(bad).toEqual([{ type: 'error', id: 3, message: 'packed frames: malformed message' }]);
  });
});

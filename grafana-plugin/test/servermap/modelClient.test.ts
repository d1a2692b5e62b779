import { deserialize, serialize } from 'node:v8';
import { answerModelRequest, layoutKeyHash, type FramesMemory, type ModelRequest } from '../../src/servermap/layout/modelProtocol';
import { clearLayoutCache, lookupLayoutKeys, rememberLayout } from '../../src/servermap/layout/layout';
import { buildServerMap, type BuildResult, type ServerMap } from '../../src/servermap/model';
import { framesForWorkerSteps, type FramesForWorker } from '../../src/servermap/model/refillFrames';
import { runToEnd } from '../../src/shared/slices';
import { framesFromResponse } from '../fixtures/load';
import { generateTopology, prometheusResponse, withScaledNumbers, type Topology } from '../fixtures/serviceGraph';
import { plainMap } from '../fixtures/workerCrossing';

/**
 * A stand-in for the map worker: the real worker's request handler, one memory per worker, messages cloned as
 * postMessage clones them, answered in a later task.
 */
class FakeWorker {
  static all: FakeWorker[] = [];
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  received: ModelRequest[] = [];
  private memory: FramesMemory = {};
  constructor() {
    FakeWorker.all.push(this);
  }
  postMessage(message: unknown) {
    const req = deserialize(serialize(message)) as ModelRequest;
    this.received.push(req);
    setTimeout(() => answerModelRequest(req, (reply) => this.onmessage?.({ data: deserialize(serialize(reply)) }), this.memory), 0);
  }
  terminate() {}
}

jest.mock('../../src/servermap/layout/createLayoutWorker', () => ({
  createLayoutWorker: () => new FakeWorker(),
}));

// Imported after the mock is declared (jest hoists jest.mock, but keep the order readable).
import { modelWorkerStats, startModelBuild } from '../../src/servermap/layout/modelClient';

jest.setTimeout(120_000);

const ok = (r: BuildResult): ServerMap => {
  if (!r.ok) {
    throw new Error(r.error);
  }
  return r.map;
};

describe('modelClient: a refresh sends numbers only to a worker that kept the frames structure', () => {
  const t = generateTopology(60, 3);
  const framesAt = (factor: number) => framesFromResponse(prometheusResponse(withScaledNumbers(t, factor)));
  const build = async (frames: FramesForWorker) => plainMap(ok((await startModelBuild(frames, {}).promise).result));

  it('full pack first, then numbers only; another worker gets the structure again', async () => {
    const first = runToEnd(framesForWorkerSteps(framesAt(1), undefined));
    expect('packed' in first).toBe(true);
    expect(await build(first)).toEqual(ok(buildServerMap(framesAt(1))));
    expect(FakeWorker.all).toHaveLength(1);
    const w1 = FakeWorker.all[0]!;
    expect(w1.received[0]!.keepShape).toBe(first.shape!.id);

    const refill = runToEnd(framesForWorkerSteps(framesAt(2), first.shape));
    expect('numbers' in refill).toBe(true);
    const before = modelWorkerStats.numbersOnly;
    expect(await build(refill)).toEqual(ok(buildServerMap(framesAt(2))));
    // The idle worker was reused, and it got only the numbers.
    expect(FakeWorker.all).toHaveLength(1);
    const sent = w1.received[1]!.frames as { shape?: number; numbers?: unknown };
    expect(Object.keys(sent).sort()).toEqual(['numbers', 'shape']);
    expect(sent.shape).toBe(first.shape!.id);
    expect(Object.prototype.toString.call(sent.numbers)).toBe('[object Float64Array]');
    expect(w1.received[1]!.keepShape).toBeUndefined();
    expect(modelWorkerStats.numbersOnly).toBe(before + 1);

    // Two builds at once: the second runs in a new worker, which has not kept the structure.
    const a = runToEnd(framesForWorkerSteps(framesAt(3), first.shape));
    const b = runToEnd(framesForWorkerSteps(framesAt(4), first.shape));
    const [mapA, mapB] = await Promise.all([build(a), build(b)]);
    expect(mapA).toEqual(ok(buildServerMap(framesAt(3))));
    expect(mapB).toEqual(ok(buildServerMap(framesAt(4))));
    expect(FakeWorker.all).toHaveLength(2);
    const w2 = FakeWorker.all[1]!;
    expect(w2.received[0]!.keepShape).toBe(first.shape!.id);
    expect(Array.isArray((w2.received[0]!.frames as { strings?: unknown }).strings)).toBe(true);
    expect(modelWorkerStats.numbersOnly).toBe(before + 2);
    expect(modelWorkerStats.failed).toBe(0);
  });
});

describe('modelClient: a reply with the previous map\'s topology is read by that map\'s records', () => {
  const t = generateTopology(50, 4);
  const framesAt = (topology: Topology) => framesFromResponse(prometheusResponse(topology));
  const filter = { inboundDepth: 1, outboundDepth: 1, hideTerminal: false, maxNodes: 5000 };
  const run = (topology: Topology, previous?: ServerMap) =>
    startModelBuild(runToEnd(framesForWorkerSteps(framesAt(topology), undefined)), {}, { filter, all: false }, previous).promise;

  it('same topology: the previous records with the new numbers; another topology: rebuilt', async () => {
    const first = await run(t);
    const previous = ok(first.result);
    expect(modelWorkerStats.last.mapRefilled).toBe(false);
    const before = modelWorkerStats.mapsRefilled;

    const second = await run(withScaledNumbers(t, 4), previous);
    const map = ok(second.result);
    expect(modelWorkerStats.last.mapRefilled).toBe(true);
    expect(modelWorkerStats.mapsRefilled).toBe(before + 1);
    expect(plainMap(map)).toEqual(ok(buildServerMap(framesAt(withScaledNumbers(t, 4)))));
    expect(map).not.toBe(previous);
    expect(map.nodes).toBe(previous.nodes);
    // The filtered map from the worker picks the same objects.
    expect(second.filtered!.filtered.nodes.every((n) => previous.nodes.includes(n))).toBe(true);
    expect(second.filtered!.topology).toBe(first.filtered!.topology);

    // One link less: a new map, and the previous one keeps the numbers it had.
    const kept = JSON.stringify(plainMap(map));
    const fewer = { ...t, edges: t.edges.slice(1) };
    const third = ok((await run(fewer, map)).result);
    expect(modelWorkerStats.last.mapRefilled).toBe(false);
    expect(plainMap(third)).toEqual(ok(buildServerMap(framesAt(fewer))));
    expect(third.nodes).not.toBe(previous.nodes);
    expect(JSON.stringify(plainMap(map))).toBe(kept);
    expect(modelWorkerStats.failed).toBe(0);
  });
});

describe('modelClient: the layout keys the page has', () => {
  it('are sent as their hashes, also after the cache changed (hashes kept per key, not recomputed)', async () => {
    const frames = framesFromResponse(prometheusResponse(generateTopology(30, 2)));
    const filter = { inboundDepth: 1, outboundDepth: 1, hideTerminal: false, maxNodes: 5000 };
    const empty = { nodes: new Map(), edges: new Map(), width: 0, height: 0, ms: 0 } as never;
    clearLayoutCache();
    const knownSent = async () => {
      await startModelBuild(runToEnd(framesForWorkerSteps(frames, undefined)), {}, { filter, all: false }).promise;
      const w = FakeWorker.all.find((x) => x.received.length > 0 && x.received[x.received.length - 1]!.layout)!;
      return w.received[w.received.length - 1]!.layout!.known;
    };
    rememberLayout('a'.repeat(1000), empty);
    rememberLayout('b'.repeat(1000), empty);
    expect(await knownSent()).toEqual(lookupLayoutKeys().map(layoutKeyHash));
    clearLayoutCache();
    rememberLayout('c'.repeat(1000), empty);
    expect(await knownSent()).toEqual([layoutKeyHash('c'.repeat(1000))]);
  });
});

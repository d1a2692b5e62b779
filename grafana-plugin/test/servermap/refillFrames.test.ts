import { clone, ok, plainMap } from '../fixtures/workerCrossing';
import { answerModelRequest, type FramesMemory, type ModelReply, type ModelRequest } from '../../src/servermap/layout/modelProtocol';
import { buildServerMap, type FrameLike, type ServerMap } from '../../src/servermap/model';
import { packFrames } from '../../src/servermap/model/packFrames';
import { unpackMap } from '../../src/servermap/model/packMap';
import { framesForWorkerInSlices, framesForWorkerSteps, refillSteps, shapeOf, type FramesShape } from '../../src/servermap/model/refillFrames';
import { runToEnd } from '../../src/shared/slices';
import { framesFromResponse, framesFromResponseBody } from '../fixtures/load';
import { demoTopology, generateTopology, prometheusResponse, withScaledNumbers, type Topology } from '../fixtures/serviceGraph';

// A safety net only (generated inputs on a busy machine): nothing here waits on time.
jest.setTimeout(120_000);


/** The same series with other numbers, instance counts too: what a dashboard refresh brings. */
function newNumbers(t: Topology, factor: number): Topology {
  return {
    ...withScaledNumbers(t, factor),
    instances: Object.fromEntries(Object.entries(t.instances).map(([k, v]) => [k, v + factor])),
  };
}

const INPUTS: Array<{ name: string; frames: (t: Topology) => FrameLike[] }> = [
  { name: 'per-series frames', frames: (t) => framesFromResponse(prometheusResponse(t)) },
  { name: 'table frames', frames: (t) => framesFromResponse(prometheusResponse(t, { table: true })) },
  { name: 'range queries', frames: (t) => framesFromResponse(prometheusResponse(t, { range: true })) },
  // As Grafana decodes them (JSON text first: equal label strings mostly the same objects).
  { name: 'per-series frames through JSON text', frames: (t) => framesFromResponseBody(prometheusResponse(t)) },
  { name: 'table frames through JSON text', frames: (t) => framesFromResponseBody(prometheusResponse(t, { table: true })) },
  // Frames the model skips (and the packer with it), among the others: skipped by the check too.
  {
    name: 'per-series frames with unusable ones among them',
    frames: (t) => withUnusable(framesFromResponse(prometheusResponse(t))),
  },
];

const shapeOfFrames = (frames: FrameLike[]): FramesShape => {
  const shape = shapeOf(packFrames(frames));
  if (!shape) {
    throw new Error('no shape');
  }
  return shape;
};

/** `value`, after checking it differs from `other` (a case that changes nothing would prove nothing). */
function distinct(value: string, other: string): string {
  if (value === other) {
    throw new Error(`the fixture's series hold the same value "${value}" here`);
  }
  return value;
}

describe('a refresh with the same series sends only their numbers', () => {
  it.each(INPUTS)('$name: the refill is exactly the full pack of the new frames', ({ frames }) => {
    const topology = generateTopology(80, 4);
    const shape = shapeOfFrames(frames(topology));
    const next = frames(newNumbers(topology, 3));
    const numbers = runToEnd(refillSteps(shape, next));
    expect(numbers).toBeInstanceOf(Float64Array);
    const full = packFrames(next);
    expect({ ...shape.structure, numbers }).toEqual(full);
    // And the numbers did change (the check is not passing on identical input).
    expect(numbers).not.toEqual(packFrames(frames(topology)).numbers);
  });

  it('long columns (checked in pieces) refill exactly too, and a change deep in one is found', () => {
    const rows = 20_000;
    const table = (k: number, renamedAt?: number): FrameLike[] => [
      {
        refId: 'A',
        fields: [
          { name: 'Time', type: 'time', values: Array.from({ length: rows }, (_, i) => i * k) },
          { name: 'client', type: 'string', values: Array.from({ length: rows }, (_, i) => (i === renamedAt ? 'x' : `svc-${i % 97}`)) },
          { name: 'Value #A', type: 'number', values: Array.from({ length: rows }, (_, i) => i * k + 0.5) },
        ],
      },
    ];
    const shape = shapeOfFrames(table(1));
    const numbers = runToEnd(refillSteps(shape, table(2)));
    expect({ ...shape.structure, numbers }).toEqual(packFrames(table(2)));
    expect(runToEnd(refillSteps(shape, table(2, rows - 3)))).toBeUndefined();
  });

  it('a long column among short frames (checked in pieces, between batches) refills exactly, and changes before, in and after it are found', () => {
    const rows = 3 * 8192 + 5;
    const short = (k: number) => framesFromResponse(prometheusResponse(newNumbers(generateTopology(30, 2), k)));
    const long = (k: number, renamedAt?: number): FrameLike => ({
      refId: 'L',
      fields: [
        { name: 'client', type: 'string', values: Array.from({ length: rows }, (_, i) => (i === renamedAt ? 'x' : `svc-${i % 31}`)) },
        { name: 'Value #L', type: 'number', values: Array.from({ length: rows }, (_, i) => i * k + 0.25) },
      ],
    });
    const frames = (k: number, renamedAt?: number) => {
      const before = short(k);
      return [...before.slice(0, 70), long(k, renamedAt), ...before.slice(70)];
    };
    const shape = shapeOfFrames(frames(1));
    const numbers = runToEnd(refillSteps(shape, frames(2)));
    expect({ ...shape.structure, numbers }).toEqual(packFrames(frames(2)));
    expect(runToEnd(refillSteps(shape, frames(2, rows - 2)))).toBeUndefined();
    const changedAfter = frames(2);
    changedAfter[changedAfter.length - 1] = { ...changedAfter[changedAfter.length - 1]!, refId: 'other' };
    expect(runToEnd(refillSteps(shape, changedAfter))).toBeUndefined();
    const changedBefore = frames(2);
    changedBefore[3] = { ...changedBefore[3]!, name: 'other' };
    expect(runToEnd(refillSteps(shape, changedBefore))).toBeUndefined();
  });

  it('framesForWorkerSteps: numbers for the same series, a full pack with a new shape otherwise', async () => {
    const t = demoTopology();
    const first = runToEnd(framesForWorkerSteps(framesFromResponse(prometheusResponse(t)), undefined));
    if (!('packed' in first) || !first.shape) {
      throw new Error('expected a full pack with a shape');
    }
    const again = await framesForWorkerInSlices(framesFromResponse(prometheusResponse(newNumbers(t, 2))), first.shape).promise;
    expect('numbers' in again && again.shape).toBe(first.shape);
    const other = runToEnd(framesForWorkerSteps(framesFromResponse(prometheusResponse(generateTopology(20, 1))), first.shape));
    if (!('packed' in other) || !other.shape) {
      throw new Error('expected a full pack');
    }
    expect(other.shape.id).not.toBe(first.shape.id);
    // Mixed columns are not refilled: no shape is kept for them.
    expect(shapeOf(packFrames([{ fields: [{ name: 'm', values: ['1', 2] }] }]))).toBeUndefined();
  });

  // Decoded from JS objects, and through JSON text as Grafana decodes them (short strings then the very same
  // objects in every frame and every refresh: identity must not pass for a match either).
  const DECODERS = [
    { decoded: 'from JS objects', decode: framesFromResponse },
    { decoded: 'through JSON text', decode: framesFromResponseBody },
  ];
  describe.each(DECODERS)('anything but the numbers differs: no refill (the caller packs in full), frames decoded $decoded', ({ decode }) => {
    const base = () => decode(prometheusResponse(demoTopology()));
    const shape = shapeOfFrames(base());
    // Each change is made to freshly decoded frames (new objects, equal strings: what a refresh brings).
    const CHANGES: Array<[string, (frames: FrameLike[]) => FrameLike[]]> = [
      ['a series more', (f) => [...f, f[0]!]],
      ['a series less', (f) => f.slice(1)],
      ['the last series less', (f) => f.slice(0, -1)],
      ['a series more at the end', (f) => [...f, f[f.length - 1]!]],
      ['two series swapped', (f) => [f[1]!, f[0]!, ...f.slice(2)]],
      ['a label value', (f) => withField(f, 3, 1, (x) => ({ ...x, labels: { ...x.labels, server: 'elsewhere' } }))],
      // The same string object as the series before holds in this place (a check must not take identity for a match).
      ['the series before\'s label value, the very same string object', (f) => withField(f, 4, 1, (x) => ({ ...x, labels: { ...x.labels, server: distinct(f[3]!.fields[1]!.labels!.server!, x.labels!.server!) } }))],
      ['a label key', (f) => withField(f, 3, 1, (x) => ({ ...x, labels: renameKey(x.labels!, 'server', 'server_x') }))],
      ['the same labels in another order', (f) => withField(f, 3, 1, (x) => ({ ...x, labels: reversed(x.labels!) }))],
      ['a label more', (f) => withField(f, 3, 1, (x) => ({ ...x, labels: { ...x.labels, extra: 'y' } }))],
      // Not a difference for the packer (own keys only), but not worth telling apart: a full pack, never a wrong refill.
      ['the same labels with an inherited one', (f) => withField(f, 3, 1, (x) => ({ ...x, labels: Object.assign(Object.create({ inherited: 'x' }), x.labels) }))],
      ['labels gone', (f) => withField(f, 3, 1, (x) => ({ ...x, labels: undefined }))],
      ['a label less', (f) => withField(f, 3, 1, (x) => ({ ...x, labels: withoutKey(x.labels!, 'server') }))],
      // The time field has no labels: labels appearing there, even none at all, are not what was packed.
      ['labels on a field that had none', (f) => withField(f, 3, 0, (x) => ({ ...x, labels: { a: 'b' } }))],
      ['empty labels on a field that had none', (f) => withField(f, 3, 0, (x) => ({ ...x, labels: {} }))],
      ['a field type', (f) => withField(f, 3, 1, (x) => ({ ...x, type: 'string' }))],
      ['a display name from the data source', (f) => withField(f, 3, 1, (x) => ({ ...x, config: { displayNameFromDS: 'shown' } }))],
      ['a field missing', (f) => f.map((x, i) => (i === 2 ? { ...x, fields: [x.fields[0]!, undefined as never] } : x))],
      ['the frame name', (f) => f.map((x, i) => (i === 2 ? { ...x, name: 'named' } : x))],
      ['the meta type', (f) => f.map((x, i) => (i === 2 ? { ...x, meta: { ...x.meta, type: 'other-type' } } : x))],
      ['a preferred visualisation', (f) => f.map((x, i) => (i === 2 ? { ...x, meta: { ...x.meta, preferredVisualisationType: 'graph' } } : x))],
      ['a field name', (f) => withField(f, 3, 1, (x) => ({ ...x, name: 'Other' }))],
      ['a display name', (f) => withField(f, 3, 1, (x) => ({ ...x, config: { displayName: 'shown' } }))],
      ['a null among the numbers', (f) => withField(f, 3, 1, (x) => ({ ...x, values: [null] }))],
      ['a string among the numbers', (f) => withField(f, 3, 1, (x) => ({ ...x, values: ['1'] }))],
      ['a sample more', (f) => withField(f, 3, 1, (x) => ({ ...x, values: [...Array.from(x.values), 1] }))],
      ['a refId', (f) => f.map((x, i) => (i === 2 ? { ...x, refId: 'Z' } : x))],
      ['the executed query', (f) => f.map((x, i) => (i === 2 ? { ...x, meta: { ...x.meta, executedQueryString: 'other' } } : x))],
      ['a field more', (f) => f.map((x, i) => (i === 2 ? { ...x, fields: [...x.fields, { name: 'n', values: [1] }] } : x))],
      ['a field without values', (f) => withField(f, 3, 1, (x) => ({ ...x, values: undefined as never }))],
    ];
    it.each(CHANGES)('%s', (_, change) => {
      const changed = change(base());
      expect(runToEnd(refillSteps(shape, changed))).toBeUndefined();
      // Unchanged frames do refill (the case is not failing for another reason).
      expect(runToEnd(refillSteps(shape, base()))).toBeInstanceOf(Float64Array);
    });

    it('table frames: a changed label cell', () => {
      const table = () => decode(prometheusResponse(demoTopology(), { table: true }));
      const tableShape = shapeOfFrames(table());
      const frames = table();
      const column = frames[0]!.fields.findIndex((f) => typeof f.values[0] === 'string');
      expect(column).toBeGreaterThanOrEqual(0);
      const changed = withField(frames, 0, column, (x) => ({ ...x, values: ['renamed', ...Array.from(x.values).slice(1)] }));
      expect(runToEnd(refillSteps(tableShape, changed))).toBeUndefined();
      expect(runToEnd(refillSteps(tableShape, table()))).toBeInstanceOf(Float64Array);
    });
  });
});

describe('the map worker keeps the frames structure it was asked to keep', () => {
  const t = generateTopology(120, 7);
  const frames1 = framesFromResponse(prometheusResponse(t));
  const frames2 = framesFromResponse(prometheusResponse(newNumbers(t, 5)));
  const ask = (req: Omit<ModelRequest, 'type' | 'options'>, memory: FramesMemory): ModelReply => {
    const replies: ModelReply[] = [];
    answerModelRequest(clone({ type: 'model', options: {}, ...req }), (r) => replies.push(clone(r)), memory);
    expect(replies).toHaveLength(1);
    return replies[0]!;
  };
  const mapOf = (reply: ModelReply): ServerMap => {
    if (reply.type !== 'model-done' || !reply.result.ok) {
      throw new Error(`no map: ${JSON.stringify(reply)}`);
    }
    return plainMap(unpackMap(reply.result.map));
  };

  it('builds from the kept structure and the new numbers the same model as from the new frames', () => {
    const memory: FramesMemory = {};
    const shape = shapeOfFrames(frames1);
    const first = ask({ id: 1, frames: packFrames(frames1), keepShape: shape.id }, memory);
    expect(mapOf(first)).toEqual(ok(buildServerMap(frames1)));
    const numbers = runToEnd(refillSteps(shape, frames2))!;
    const second = ask({ id: 2, frames: { shape: shape.id, numbers } }, memory);
    const direct = ok(buildServerMap(frames2));
    expect(mapOf(second)).toEqual(direct);
    expect(mapOf(second)).not.toEqual(mapOf(first));
  });

  it('answers numbers for a structure it does not hold, or that do not fit it, with an error', () => {
    const memory: FramesMemory = {};
    const shape = shapeOfFrames(frames1);
    const numbers = runToEnd(refillSteps(shape, frames2))!;
    expect(ask({ id: 3, frames: { shape: shape.id, numbers } }, memory)).toEqual({
      type: 'error',
      id: 3,
      message: `map worker: frames ${shape.id} are not kept here`,
    });
    ask({ id: 4, frames: packFrames(frames1), keepShape: shape.id }, memory);
    expect(ask({ id: 5, frames: { shape: shape.id, numbers: numbers.subarray(1) } }, memory)).toMatchObject({
      type: 'error',
      message: 'map worker: the numbers do not fit the kept frames',
    });
    // A full pack without keepShape leaves the kept structure as it was.
    ask({ id: 6, frames: packFrames(framesFromResponse(prometheusResponse(demoTopology()))) }, memory);
    expect(mapOf(ask({ id: 7, frames: { shape: shape.id, numbers } }, memory))).toEqual(ok(buildServerMap(frames2)));
  });
});

/** The frames with a null frame, one without fields and one whose fields are not an array among them. */
function withUnusable(frames: FrameLike[]): FrameLike[] {
  const odd = [null, { refId: 'x' }, { fields: 'x' }] as unknown as FrameLike[];
  return [odd[0]!, ...frames.slice(0, 5), odd[1]!, ...frames.slice(5, 9), odd[2]!, ...frames.slice(9), odd[0]!];
}

function withField(frames: FrameLike[], frame: number, field: number, change: (f: FrameLike['fields'][0]) => FrameLike['fields'][0]): FrameLike[] {
  return frames.map((x, i) => (i === frame ? { ...x, fields: x.fields.map((f, j) => (j === field ? change(f) : f)) } : x));
}

function renameKey(labels: Record<string, string>, from: string, to: string): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [k === from ? to : k, v]));
}

function reversed(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).reverse());
}

function withoutKey(labels: Record<string, string>, key: string): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([k]) => k !== key));
}

import { createTheme } from '@grafana/data';
import { buildServerMap, type ServerMap } from '../../src/servermap/model';
import { drawScene } from '../../src/servermap/render/draw';
import { paletteFromTheme } from '../../src/servermap/render/palette';
import { regroup, regroupInPieces } from '../../src/servermap/render/regroup';
import { buildScene, refreshSceneInPlace, type Scene, type Viewport } from '../../src/servermap/render/scene';
import { type GraphLayout } from '../../src/servermap/layout/types';
import { generateTopology, prometheusResponse, withScaledNumbers, type Topology } from '../fixtures/serviceGraph';
import { framesFromResponse } from '../fixtures/load';

const modelOf = (t: Topology): ServerMap => {
  const r = buildServerMap(framesFromResponse(prometheusResponse(t)), { rangeSeconds: 3600 });
  if (!r.ok) {
    throw new Error(r.error);
  }
  return r.map;
};

const topology = generateTopology(60, 3);
const map = modelOf(topology);

/** Nodes on a grid, links straight from box to box (with a bend, so polylines have inner points). */
function gridLayout(m: ServerMap): GraphLayout {
  const nodes = new Map(m.nodes.map((n, i) => [n.id, { x: (i % 8) * 300, y: Math.floor(i / 8) * 100, w: 200, h: 50 }]));
  const edges = new Map(
    m.edges.map((e) => {
      const a = nodes.get(e.source)!;
      const b = nodes.get(e.target)!;
      return [e.id, [{ x: a.x + a.w, y: a.y + 25 }, { x: (a.x + b.x) / 2 + 100, y: (a.y + b.y) / 2 }, { x: b.x, y: b.y + 25 }]];
    }),
  );
  return { nodes, edges, width: 2400, height: 800, ms: 0, mode: 'quality' };
}

/** A Path2D stand-in that records its shapes and counts how many were made (jsdom has none). */
class RecordingPath {
  static made = 0;
  ops: string[] = [];
  constructor() {
    RecordingPath.made++;
  }

  addPath(other: RecordingPath) {
    this.ops.push(...other.ops);
  }
}
for (const op of ['moveTo', 'lineTo', 'arcTo', 'rect', 'closePath', 'arc', 'ellipse']) {
  (RecordingPath.prototype as unknown as Record<string, unknown>)[op] = function (this: RecordingPath, ...args: number[]) {
    this.ops.push(`${op}(${args.map((x) => x.toFixed(3)).join(',')})`);
  };
}

/** A 2D context that logs what each stroke and fill drew, with the style it drew it in. */
function recordingContext(): { ctx: CanvasRenderingContext2D; log: string[] } {
  const log: string[] = [];
  const state: Record<string | symbol, unknown> = { globalAlpha: 1, lineWidth: 1 };
  let current: string[] = [];
  const draw = (kind: string, path?: RecordingPath) => {
    const style = kind === 'stroke' ? state.strokeStyle : state.fillStyle;
    log.push(`${kind} ${String(style)} w${String(state.lineWidth)} a${String(state.globalAlpha)} ${(path ? path.ops : current).join(' ')}`);
  };
  const methods: Record<string, (...args: unknown[]) => unknown> = {
    beginPath: () => {
      current = [];
    },
    stroke: (p?: unknown) => draw('stroke', p as RecordingPath | undefined),
    fill: (p?: unknown) => draw('fill', p as RecordingPath | undefined),
    measureText: (text: unknown) => ({ width: String(text).length * 6 }),
    fillText: (...args: unknown[]) => log.push(`text ${args.join(',')}`),
  };
  const ctx = new Proxy(state, {
    get: (target, prop) => {
      if (typeof prop === 'string' && methods[prop]) {
        return methods[prop];
      }
      if (prop in target) {
        return target[prop];
      }
      // Path building on the context itself, and every other call (transforms, dashes): recorded or ignored.
      return (...args: number[]) => {
        if (typeof prop === 'string' && ['moveTo', 'lineTo', 'arcTo', 'rect', 'arc', 'ellipse', 'closePath'].includes(prop)) {
          current.push(`${prop}(${args.map((x) => Number(x).toFixed(3)).join(',')})`);
        }
      };
    },
    set: (target, prop, value) => {
      target[prop] = value;
      return true;
    },
  }) as unknown as CanvasRenderingContext2D;
  return { ctx, log };
}

const palette = paletteFromTheme(createTheme());
const size = { width: 1200, height: 700, dpr: 1 };
/** Zoomed out to the overview (no text), and to cards. */
const overview: Viewport = { scale: 0.05, tx: 10, ty: 10 };
const cards: Viewport = { scale: 1, tx: 0, ty: 0 };

function frame(scene: Scene, v: Viewport): { log: string[]; made: number } {
  const { ctx, log } = recordingContext();
  const before = RecordingPath.made;
  drawScene(ctx, scene, v, size, palette, {});
  return { log, made: RecordingPath.made - before };
}

describe('drawing a same-topology refresh', () => {
  const saved = (globalThis as { Path2D?: unknown }).Path2D;
  beforeAll(() => {
    (globalThis as { Path2D?: unknown }).Path2D = RecordingPath;
  });
  afterAll(() => {
    (globalThis as { Path2D?: unknown }).Path2D = saved;
  });

  it.each([
    ['overview', overview],
    ['cards', cards],
  ] as const)('%s: draws what a rebuilt scene draws, keeping the paths of the groups whose links did not change', (_, v) => {
    const layout = gridLayout(map);
    const scene = buildScene(map.nodes, map.edges, layout, 'calls');
    const first = frame(scene, v);
    expect(first.made).toBeGreaterThan(0);
    // The same scene again (pan, zoom at the same level): nothing is rebuilt.
    expect(frame(scene, v).made).toBe(0);

    // New numbers for every link, the quietest link much busier (its width class changes).
    const scaled = withScaledNumbers(topology, 1.02);
    const quietest = scaled.edges.reduce((q, e, i) => (e.calls < scaled.edges[q]!.calls ? i : q), 0);
    const next = modelOf({ ...scaled, edges: scaled.edges.map((e, i) => (i === quietest ? { ...e, calls: e.calls * 40 } : e)) });
    const widths = (s: Scene) => s.edges.map((e) => Math.round(e.width));
    const widthsBefore = widths(scene);
    const refreshed = refreshSceneInPlace(scene, next.nodes, next.edges, 'calls')!;
    expect(refreshed).toBeDefined();
    expect(widths(refreshed)).not.toEqual(widthsBefore);
    const drawn = frame(refreshed, v);
    const rebuilt = frame(buildScene(next.nodes, next.edges, gridLayout(next), 'calls'), v);
    // Exactly the frame a scene built from scratch gives.
    expect(drawn.log).toEqual(rebuilt.log);
    expect(drawn.log).not.toEqual(first.log);
    // Some groups kept their paths, the ones the busier link left and joined did not.
    expect(drawn.made).toBeGreaterThan(0);
    expect(drawn.made).toBeLessThan(rebuilt.made);
  });
});

describe('regroup', () => {
  it('groups in order and keeps what was built for a group with exactly the same members', () => {
    const built: string[] = [];
    const build = (members: number[], key: string) => {
      built.push(key);
      return `${key}:${members.join(',')}`;
    };
    const parity = (n: number) => (n % 2 === 0 ? 'even' : 'odd');
    const first = regroup([1, 2, 3, 4], parity, build);
    expect([...first]).toEqual([
      ['odd', { members: [1, 3], built: 'odd:1,3' }],
      ['even', { members: [2, 4], built: 'even:2,4' }],
    ]);
    built.length = 0;
    const same = regroup([1, 2, 3, 4], parity, build, first);
    expect(built).toEqual([]);
    expect(same.get('odd')).toBe(first.get('odd'));
    // 4 moves to another group: "even" lost a member and "big" is new; "odd" is kept.
    const moved = regroup([1, 2, 3, 4], (n) => (n === 4 ? 'big' : parity(n)), build, first);
    expect(built).toEqual(['even', 'big']);
    expect(moved.get('odd')).toBe(first.get('odd'));
    expect(moved.get('even')!.built).toBe('even:2');
    // Same members in another order: rebuilt (a path's order is its drawing order).
    built.length = 0;
    regroup([3, 1, 2, 4], parity, build, first);
    expect(built).toEqual(['odd']);
  });

  it('in pieces: a group whose members changed rebuilds only the pieces that changed, joined in order', () => {
    const builtPieces: string[] = [];
    const buildPiece = (members: number[], key: string) => {
      builtPieces.push(`${key}:${members.join(',')}`);
      return members.join(',');
    };
    const join = (pieces: string[], key: string) => `${key}[${pieces.join('|')}]`;
    const parity = (n: number) => (n % 2 === 0 ? 'even' : 'odd');
    const items = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    // Pieces of 4 items: blocks [0..3], [4..7], [8..11].
    const first = regroupInPieces(items, parity, 4, buildPiece, join);
    expect([...first].map(([k, g]) => [k, g.built, g.members])).toEqual([
      ['even', 'even[0,2|4,6|8,10]', [0, 2, 4, 6, 8, 10]],
      ['odd', 'odd[1,3|5,7|9,11]', [1, 3, 5, 7, 9, 11]],
    ]);
    // Nothing changed: every group kept as it was.
    builtPieces.length = 0;
    const same = regroupInPieces(items, parity, 4, buildPiece, join, first);
    expect(builtPieces).toEqual([]);
    expect(same.get('even')).toBe(first.get('even'));
    // 5 joins the even group: only block 1's pieces of both groups are rebuilt; the joins keep the members' order.
    const moved = regroupInPieces(items, (n) => (n === 5 ? 'even' : parity(n)), 4, buildPiece, join, first);
    expect(builtPieces).toEqual(['even:4,5,6', 'odd:7']);
    expect(moved.get('even')!.built).toBe('even[0,2|4,5,6|8,10]');
    expect(moved.get('odd')!.built).toBe('odd[1,3|7|9,11]');
    expect(moved.get('even')!.pieces.get(0)).toBe(first.get('even')!.pieces.get(0));
    expect(moved.get('odd')!.pieces.get(2)).toBe(first.get('odd')!.pieces.get(2));
    // A block a group no longer has is gone from it (7 and 5 both even: odd has nothing in block 1).
    builtPieces.length = 0;
    const emptied = regroupInPieces(items, (n) => (n === 5 || n === 7 ? 'even' : parity(n)), 4, buildPiece, join, moved);
    expect(emptied.get('odd')!.built).toBe('odd[1,3|9,11]');
    expect(builtPieces).toEqual(['even:4,5,6,7']);
  });
});

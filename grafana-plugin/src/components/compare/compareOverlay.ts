/**
 * Joins compare/ (the diff) and servermap/ (the map): the baseline's server map, diffed against the map the panel
 * built, becomes a `MapOverlay` — the union topology with every node and link marked. Lives in components/
 * because it is where features meet (DESIGN.md); no React here, so it is unit-tested.
 */
import {
  buildServerMap,
  type ExtraTopology,
  type QueryLike,
  type ServerMap,
  type TrafficStats,
} from '../../servermap/model';
import { type MapOverlayResult } from '../../servermap/ServerMapView';
import { type SceneMark } from '../../servermap/render/scene';
import {
  changeLines,
  changeMark,
  diffMaps,
  unionMap,
  type CompareThresholds,
  type LinkDiff,
  type MapDiff,
  type TrafficDiff,
} from '../../compare';
import { type ApmPanelOptions } from '../../types';
import { buildOptionsOf } from '../../servermap/buildOptions';

export type BaselineMapResult = { ok: true; map: ServerMap } | { ok: false; error: string };

/**
 * Baseline maps by the answer they were built from. The answer is kept page-wide (useCachedQuery), so a remount
 * of the panel, or a second panel on the same baseline, finds its map built too; the build options are part of
 * the key, since two panels may read the same frames with other roles.
 */
const builtBaselines = new WeakMap<unknown[], { key: string; result: BaselineMapResult }>();

/** The baseline's map from its frames; an empty range says so in words. */
export function baselineMapOf(
  frames: unknown[],
  options: ApmPanelOptions,
  queries: readonly QueryLike[] | undefined,
  rangeSeconds: number
): BaselineMapResult {
  const buildOptions = buildOptionsOf(options, queries, rangeSeconds);
  const key = JSON.stringify(buildOptions);
  const kept = builtBaselines.get(frames);
  if (kept?.key === key) {
    return kept.result;
  }
  const built = buildServerMap(frames as Parameters<typeof buildServerMap>[0], buildOptions);
  const result: BaselineMapResult = built.ok
    ? { ok: true, map: built.map }
    : { ok: false, error: `The baseline range has no server map: ${built.error}` };
  builtBaselines.set(frames, { key, result });
  return result;
}

/** What the side list needs besides the union map. */
export interface CompareOverlayData {
  diff: MapDiff;
  /** The diff's links by id. */
  linksById: ReadonlyMap<string, LinkDiff>;
  /** Link id → "source → target" with node names. */
  linkNames: Map<string, string>;
}

/**
 * The change lines (`changeLines`) of every node and link, formatted when first asked for: the map asks for one
 * item's (tooltip, details, a side-list row), never for all of them.
 */
class ChangeLinesById implements ReadonlyMap<string, string[]> {
  private readonly formatted = new Map<string, string[]>();
  constructor(private readonly diffs: ReadonlyMap<string, TrafficDiff>) {}
  get size(): number {
    return this.diffs.size;
  }
  has(id: string): boolean {
    return this.diffs.has(id);
  }
  get(id: string): string[] | undefined {
    let lines = this.formatted.get(id);
    if (!lines) {
      const d = this.diffs.get(id);
      if (!d) {
        return undefined;
      }
      lines = changeLines(d);
      this.formatted.set(id, lines);
    }
    return lines;
  }
  *entries(): MapIterator<[string, string[]]> {
    for (const id of this.diffs.keys()) {
      yield [id, this.get(id)!];
    }
  }
  keys(): MapIterator<string> {
    return this.diffs.keys();
  }
  *values(): MapIterator<string[]> {
    for (const [, lines] of this.entries()) {
      yield lines;
    }
  }
  forEach(fn: (lines: string[], id: string, map: ReadonlyMap<string, string[]>) => void): void {
    for (const [id, lines] of this.entries()) {
      fn(lines, id, this);
    }
  }
  [Symbol.iterator](): MapIterator<[string, string[]]> {
    return this.entries();
  }
}

export type CompareApplyResult =
  { ok: true; result: MapOverlayResult & { data: CompareOverlayData } } | { ok: false; error: string };

/**
 * The map drawn while comparing: the union of both topologies, with what is gone drawn at zero calls (it had no
 * traffic in the current range; the baseline's numbers are beside it in the details and in its mark, not shown
 * as if they were current). Needs no diff — gone is "only in the baseline" — so the map can start laying it out
 * while the diff is computed.
 */
export function unionOf(current: ServerMap, baseline: ServerMap): ServerMap {
  const merged = unionMap(current, baseline);
  const currentNodes = current.nodes.length;
  const currentEdges = current.edges.length;
  // unionMap lists the current map's nodes and links first, then those only the baseline has.
  return {
    ...current,
    nodes: merged.nodes.map((n, i) =>
      i < currentNodes ? n : { ...n, instances: undefined, inbound: { calls: 0 }, outbound: { calls: 0 } }
    ),
    edges: merged.edges.map((e, i) => (i < currentEdges ? e : { ...e, stats: { calls: 0 } })),
  };
}

/**
 * What `unionOf(any map, baseline)` adds to that map, as the map worker takes it (`withExtraTopology`): the
 * baseline's nodes and links in the baseline's order, so the worker's union has the same ids in the same order.
 */
export function extraTopologyOf(baseline: ServerMap): ExtraTopology {
  return {
    nodes: baseline.nodes.map((n) => ({ id: n.id, kind: n.kind })),
    edges: baseline.edges.map((e) => ({ id: e.id, source: e.source, target: e.target })),
  };
}

/**
 * The overlay for one baseline: diff, a mark for every node and link of the union (`unionOf`, passed in when
 * already built), the baseline's numbers by id and the change lines for tooltips and details.
 */
export function applyCompare(
  current: ServerMap,
  currentRangeSeconds: number,
  baseline: ServerMap,
  baselineRangeSeconds: number,
  thresholds: Partial<CompareThresholds>,
  union: ServerMap = unionOf(current, baseline)
): CompareApplyResult {
  const result = diffMaps(
    { map: current, rangeSeconds: currentRangeSeconds },
    { map: baseline, rangeSeconds: baselineRangeSeconds },
    thresholds
  );
  if (!result.ok) {
    return { ok: false, error: result.error };
  }
  const diff = result.diff;
  const nodeMarks = new Map<string, SceneMark>();
  const edgeMarks = new Map<string, SceneMark>();
  const diffsById = new Map<string, TrafficDiff>();
  const linksById = new Map<string, LinkDiff>();
  for (const n of diff.nodes) {
    nodeMarks.set(n.id, changeMark(n, diff.thresholds));
    diffsById.set(n.id, n);
  }
  for (const l of diff.links) {
    edgeMarks.set(l.id, changeMark(l, diff.thresholds));
    diffsById.set(l.id, l);
    linksById.set(l.id, l);
  }
  const baselineStats = new Map<string, TrafficStats>();
  for (const n of baseline.nodes) {
    baselineStats.set(n.id, n.inbound);
  }
  for (const e of baseline.edges) {
    baselineStats.set(e.id, e.stats);
  }
  const names = new Map(union.nodes.map((n) => [n.id, n.name]));
  const linkNames = new Map(
    union.edges.map((e) => [e.id, `${names.get(e.source) ?? e.source} → ${names.get(e.target) ?? e.target}`])
  );
  return {
    ok: true,
    result: {
      map: union,
      warnings: diff.warnings,
      marks: { nodes: nodeMarks, edges: edgeMarks },
      baseline: baselineStats,
      changes: new ChangeLinesById(diffsById),
      data: { diff, linksById, linkNames },
    },
  };
}

/**
 * Joins compare/ (the diff) and servermap/ (the map): the baseline's server map, diffed against the map the panel
 * built, becomes a `MapOverlay` — the union topology with every node and link marked. Lives in components/
 * because it is where features meet (DESIGN.md); no React here, so it is unit-tested.
 */
import { buildServerMap, type QueryLike, type ServerMap, type TrafficStats } from '../../servermap/model';
import { type MapOverlayResult } from '../../servermap/ServerMapView';
import { type SceneMark } from '../../servermap/render/scene';
import { changeMark, diffMaps, unionMap, type CompareThresholds, type MapDiff } from '../../compare';
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
  /** Link id → "source → target" with node names. */
  linkNames: Map<string, string>;
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
  const changes = new Map<string, string[]>();
  for (const n of diff.nodes) {
    const mark = changeMark(n, diff.thresholds);
    nodeMarks.set(n.id, mark);
    changes.set(n.id, mark.lines);
  }
  for (const l of diff.links) {
    const mark = changeMark(l, diff.thresholds);
    edgeMarks.set(l.id, mark);
    changes.set(l.id, mark.lines);
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
      changes,
      data: { diff, linkNames },
    },
  };
}

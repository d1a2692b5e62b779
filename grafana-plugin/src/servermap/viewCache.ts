/**
 * The map's derived views (filtered map, its topology key, its scene), kept per map object. Compare switches the
 * view between two maps that are drawn with one layout (the union's): with these kept, turning Compare off and on
 * again finds both scenes built and only draws; the scene not on screen can also be built ahead
 * (`prepareScene`) while the browser is idle. Keys are the objects themselves (WeakMaps), so nothing outlives
 * the maps it was built from.
 */
import { filterMap, type FilteredMap, type MapFilter, type ServerMap } from './model';
import { topologyKey } from './layout/layout';
import { type GraphLayout } from './layout/types';
import { buildScene, buildSceneSteps, type EdgeLabelMode, type Scene, type SceneMarks } from './render/scene';
import { runInSlices, type SlicedJob } from '../shared/slices';

interface FilteredEntry {
  filterKey: string;
  filtered: FilteredMap;
  topology: string;
}

interface SceneEntry {
  layout: GraphLayout;
  mode: EdgeLabelMode;
  marks?: SceneMarks;
  scene: Scene;
}

const filteredByMap = new WeakMap<ServerMap, FilteredEntry>();
const sceneByFiltered = new WeakMap<FilteredMap, SceneEntry>();

function filterKeyOf(f: MapFilter): string {
  return JSON.stringify([f.focus ?? null, f.inboundDepth, f.outboundDepth, f.hideTerminal, f.maxNodes]);
}

/** `filterMap(map, filter)` and the result's topology key, the same objects for the same map and filter. */
export function filteredView(map: ServerMap, filter: MapFilter): { filtered: FilteredMap; topology: string } {
  const filterKey = filterKeyOf(filter);
  const kept = filteredByMap.get(map);
  if (kept && kept.filterKey === filterKey) {
    return kept;
  }
  const filtered = filterMap(map, filter);
  const entry = { filterKey, filtered, topology: topologyKey(filtered.nodes, filtered.edges) };
  filteredByMap.set(map, entry);
  return entry;
}

/** The scene sceneView would return, when it is already built (else undefined: nothing is built here). */
export function sceneIfKept(filtered: FilteredMap, layout: GraphLayout, mode: EdgeLabelMode, marks?: SceneMarks): Scene | undefined {
  const kept = sceneByFiltered.get(filtered);
  return kept && kept.layout === layout && kept.mode === mode && kept.marks === marks ? kept.scene : undefined;
}

/** `buildScene` for a filtered map, the same scene object while the layout, label mode and marks are the same. */
export function sceneView(filtered: FilteredMap, layout: GraphLayout, mode: EdgeLabelMode, marks?: SceneMarks): Scene {
  const kept = sceneIfKept(filtered, layout, mode, marks);
  if (kept) {
    return kept;
  }
  const scene = buildScene(filtered.nodes, filtered.edges, layout, mode, marks);
  sceneByFiltered.set(filtered, { layout, mode, marks, scene });
  return scene;
}

/**
 * sceneView's scene built in slices between the page's tasks (a 1,000-node scene is tens of ms on a busy
 * machine, too much for the task that also draws it), then kept as sceneView keeps it, so the render that follows
 * finds it with sceneIfKept. Callers ask sceneIfKept first.
 */
export function sceneViewInSlices(filtered: FilteredMap, layout: GraphLayout, mode: EdgeLabelMode, marks?: SceneMarks): SlicedJob<Scene> {
  const job = runInSlices(buildSceneSteps(filtered.nodes, filtered.edges, layout, mode, marks));
  const promise = job.promise.then((scene) => {
    sceneByFiltered.set(filtered, { layout, mode, marks, scene });
    return scene;
  });
  return { ...job, promise };
}

/**
 * Builds ahead the scene of `map` drawn with `layout`, if that layout places all of it (the plain map inside the
 * union's layout). Returns whether it did.
 */
export function prepareScene(
  map: ServerMap,
  filter: MapFilter,
  layout: GraphLayout,
  mode: EdgeLabelMode,
  marks?: SceneMarks
): boolean {
  const { filtered } = filteredView(map, filter);
  if (!filtered.nodes.every((n) => layout.nodes.has(n.id)) || !filtered.edges.every((e) => layout.edges.has(e.id))) {
    return false;
  }
  sceneView(filtered, layout, mode, marks);
  return true;
}

import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { cachedLayout, type LayoutResult, lookupLayout, rememberLayout, reusableLayout } from './layout/layout';
import { type LayoutJob, startLayout } from './layout/layoutClient';
import { laidOutInWorker, layoutInputOf, layoutKey } from './layout/layoutInput';
import { type LayoutProgress } from './layout/types';
import { type ServerMapEdge, type ServerMapNode } from './model';

export interface LayoutPending {
  key: string;
  nodes: number;
  startedAt: number;
  progress?: LayoutProgress;
  /** Laying out everything ("show all"): cancellable, and the budgeted map stays on screen meanwhile. */
  all: boolean;
}

export interface MapLayoutState {
  /** The layout of the current topology, once there is one. */
  laidOut?: LayoutResult;
  /** What to draw meanwhile: the current layout, or while "show all" runs the one before it. */
  shown?: LayoutResult;
  pending?: LayoutPending;
  cancel(): void;
}

/**
 * Main-thread maps from this size are laid out in a task of their own after the commit that built their model,
 * not during that render: at 200 nodes the model (~30 ms cold), the layout (~54 ms cold) and the scene and draw
 * were one task of 139 ms cold, 55 ms warm. Smaller maps lay out in a few ms, less than the extra commit.
 */
export const DEFERRED_LAYOUT_MIN_NODES = 100;

function computeSync(map: { nodes: ServerMapNode[]; edges: ServerMapEdge[] }, key: string): LayoutResult {
  try {
    const { layout, cached } = cachedLayout(map.nodes, map.edges, key);
    return { key, layout, cached, where: 'main', hiddenByBudget: 0 };
  } catch (err) {
    return { key, error: err instanceof Error ? err.message : String(err) };
  }
}

/** `previous` when it placed every node and link of `map` (a sub-map of what it laid out), under `key`. */
function positionsWithin(
  previous: LayoutResult | undefined,
  map: { nodes: ServerMapNode[]; edges: ServerMapEdge[] },
  key: string
): LayoutResult | undefined {
  const layout = previous?.layout;
  if (
    !layout ||
    !map.nodes.every((n) => layout.nodes.has(n.id)) ||
    !map.edges.every((e) => layout.edges.has(e.id))
  ) {
    return undefined;
  }
  return { ...previous, key, cached: true, hiddenByBudget: 0 };
}

/**
 * The layout of the filtered map: cached by topology, synchronous for small maps, in the layout worker for
 * large ones (the busiest part within FIRST_PAINT_LAYOUT_MS, or everything when `all`).
 */
export function useMapLayout(
  filtered: { nodes: ServerMapNode[]; edges: ServerMapEdge[] } | undefined,
  topology: string,
  opts: {
    all: boolean;
    pinned: string[];
    onCancel: () => void;
    /** A layout of a larger map (compare's union): used as it is when it placed every node and link of this one. */
    within?: LayoutResult;
  }
): MapLayoutState {
  const key = layoutKey(topology, opts.all);
  const small = filtered !== undefined && !laidOutInWorker(filtered);
  const deferred = small && filtered.nodes.length >= DEFERRED_LAYOUT_MIN_NODES;
  // Positions are kept in state while the key is unchanged, so a refresh with new numbers only rebuilds the
  // scene. Small maps are laid out during render, not in an effect: an effect would first commit and paint a
  // "Laying out…" frame (React's derived-state pattern: the state update re-renders before committing).
  const [kept, setKept] = useState<LayoutResult | undefined>();
  const [pending, setPending] = useState<LayoutPending | undefined>();
  let laidOut = filtered ? reusableLayout(kept, key) : undefined;
  if (filtered && !laidOut) {
    const hit = small ? undefined : lookupLayout(key);
    const sub = positionsWithin(opts.within, filtered, key);
    if (sub) {
      laidOut = sub;
      setKept(laidOut);
    } else if (hit) {
      laidOut = { key, layout: hit.layout, cached: true, hiddenByBudget: hit.hiddenByBudget, where: 'worker' };
      setKept(laidOut);
    } else if (small && !deferred) {
      laidOut = computeSync(filtered, key);
      setKept(laidOut);
    }
  }

  const job = useRef<LayoutJob | undefined>(undefined);
  const needsJob = filtered !== undefined && laidOut === undefined;
  // The job starts per key; it reads the map of the render that committed (declared first, so set first).
  const filteredRef = useRef(filtered);
  const pinnedRef = useRef(opts.pinned);
  useLayoutEffect(() => {
    filteredRef.current = filtered;
    pinnedRef.current = opts.pinned;
  });
  useEffect(() => {
    const map = filteredRef.current;
    if (!needsJob || !map) {
      return;
    }
    if (deferred) {
      // A task of its own, not this commit's; the map is drawn in the render its result asks for.
      const timer = setTimeout(() => setKept(computeSync(map, key)), 0);
      return () => clearTimeout(timer);
    }
    const startedAt = performance.now();
    setPending({ key, nodes: map.nodes.length, startedAt, all: opts.all });
    let lastProgressAt = 0;
    const j = startLayout(
      layoutInputOf(map, pinnedRef.current, opts.all),
      (progress) => {
        // A re-render per progress message would cost more than the bar is worth: at most ~8 per second.
        const now = performance.now();
        if (now - lastProgressAt > 120) {
          lastProgressAt = now;
          setPending((p) => (p && p.key === key ? { ...p, progress } : p));
        }
      }
    );
    job.current = j;
    j.promise.then(
      (r) => {
        rememberLayout(key, r.layout, r.hidden);
        setKept({ key, layout: r.layout, hiddenByBudget: r.hidden, where: r.where, fallbackNote: r.fallbackNote });
        setPending((p) => (p?.key === key ? undefined : p));
      },
      (err: unknown) => {
        setKept({ key, error: err instanceof Error ? err.message : String(err) });
        setPending((p) => (p?.key === key ? undefined : p));
      }
    );
    return () => {
      j.cancel();
      if (job.current === j) {
        job.current = undefined;
      }
    };
  }, [key, needsJob, deferred, opts.all]);

  const onCancel = opts.onCancel;
  const cancel = () => {
    job.current?.cancel();
    job.current = undefined;
    setPending(undefined);
    onCancel();
  };
  const livePending = pending && pending.key === key && !laidOut ? pending : undefined;
  // While everything is laid out, the budgeted map (the previous layout) stays on screen and usable.
  const shown = laidOut ?? (livePending?.all && kept?.layout ? kept : undefined);
  return { laidOut, shown, pending: livePending, cancel };
}

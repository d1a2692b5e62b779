import { useEffect, useMemo, useState } from 'react';
import { type FilteredMap } from './model';
import { laidOutInWorker } from './layout/layoutInput';
import { type GraphLayout } from './layout/types';
import { type EdgeLabelMode, type Scene, type SceneMarks } from './render/scene';
import { sceneIfKept, sceneView, sceneViewInSlices } from './viewCache';

/** A scene with what it was built from: the caller puts a refresh's numbers into it while the topology holds. */
export interface SceneGeometry {
  filtered: FilteredMap;
  /** Topology key of `filtered`. */
  topology: string;
  /** The canvas's fit key for this scene (a new one re-fits the view). */
  fitKey: string;
  scene: Scene;
}

/**
 * The scene of the drawn geometry (layout, topology, label mode, marks). Small maps build it during the render;
 * large ones (the sizes laid out in the worker) in slices between the page's tasks, so the task that draws the
 * map does not also build its scene. Meanwhile the scene on screen stays (or none on the first mount).
 * Not rebuilt for new numbers on the same topology: the caller puts them into this scene (refreshScene).
 */
export function useSceneGeometry(
  filtered: FilteredMap | undefined,
  layout: GraphLayout | undefined,
  topology: string,
  fitKey: string,
  mode: EdgeLabelMode,
  marks: SceneMarks | undefined
): SceneGeometry | undefined {
  const large = filtered !== undefined && laidOutInWorker(filtered);
  // Bumped when a sliced build finishes: the memo below then finds its scene kept.
  const [built, setBuilt] = useState(0);
  const current = useMemo(
    () => {
      if (!filtered || !layout) {
        return undefined;
      }
      const scene = large ? sceneIfKept(filtered, layout, mode, marks) : sceneView(filtered, layout, mode, marks);
      return scene && { filtered, topology, fitKey, scene };
    },
    // Not on `filtered`: new numbers for the same topology are put into this scene by the caller.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [layout, topology, mode, marks, large, built]
  );
  const needsSlices = large && layout !== undefined && current === undefined;
  useEffect(() => {
    if (!needsSlices || !filtered || !layout) {
      return;
    }
    // Started in a task of its own: the first slice (~8 ms) would otherwise add to the commit that asked for it,
    // which for a freshly arrived large map is already the longest task of the first paint.
    let job: ReturnType<typeof sceneViewInSlices> | undefined;
    const start = setTimeout(() => {
      job = sceneViewInSlices(filtered, layout, mode, marks);
      job.promise.then(() => setBuilt((n) => n + 1));
    }, 0);
    return () => {
      clearTimeout(start);
      job?.cancel();
    };
  }, [needsSlices, filtered, layout, mode, marks]);

  // The latest geometry with a scene: kept on screen while the next scene is built (React's derived-state
  // pattern: the update re-renders before committing).
  const [onScreen, setOnScreen] = useState<SceneGeometry | undefined>();
  if (current && current !== onScreen) {
    setOnScreen(current);
  }
  return current ?? onScreen;
}

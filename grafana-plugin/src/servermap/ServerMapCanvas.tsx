import React, { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2 } from '@grafana/data';
import { Button, useStyles2 } from '@grafana/ui';
import { type DrawState, drawScene } from './render/draw';
import { type Palette } from './render/palette';
import { fitViewport, type Hit, hitTest, type Scene, toGraph, type Viewport, zoomAt } from './render/scene';

interface Props {
  scene: Scene;
  /** Changes when the drawn topology changes; the view is re-fitted then (not on every data refresh). */
  fitKey: string;
  palette: Palette;
  width: number;
  height: number;
  selected?: Hit;
  highlight?: DrawState['highlight'];
  /** Model/layout timings shown to the bench and tests through the debug hook. */
  timings?: Record<string, number>;
  onSelect: (hit: Hit | undefined) => void;
  tooltip: (hit: Hit) => React.ReactNode;
}

/** Debug/test hook: the canvas element carries its scene and last frame, so tests assert on what was drawn. */
export interface CanvasDebug {
  scene: Scene;
  viewport: Viewport;
  palette: Palette;
  lastFrameMs: number;
  /** performance.now() of the first frame drawn for this component. */
  firstFrameAt: number;
  /** performance.now() at the end of the latest frame (the bench's refresh measurement). */
  lastFrameAt: number;
  timings?: Record<string, number>;
  frames: number;
  drawnNodes: number;
  drawnEdges: number;
  toScreen: (x: number, y: number) => { x: number; y: number };
}

export function ServerMapCanvas({ scene, fitKey, palette, width, height, selected, highlight, onSelect, tooltip, timings }: Props) {
  const styles = useStyles2(getStyles);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const viewport = useRef<Viewport>(fitViewport(scene.bounds, width, height));
  const frame = useRef(0);
  const stats = useRef({ frames: 0, firstFrameAt: 0 });
  const drag = useRef<{ x: number; y: number; moved: boolean } | undefined>(undefined);
  const [hover, setHover] = useState<{ hit: Hit; x: number; y: number } | undefined>();
  const [dragging, setDragging] = useState(false);
  const stateRef = useRef<DrawState>({});
  // Declared first so the drawing effects below see the current selection/hover.
  useLayoutEffect(() => {
    stateRef.current = { selected, hovered: hover?.hit, highlight };
  }, [selected, hover, highlight]);
  // The selection/hover state the canvas last drew: a state change that a synchronous draw already showed (the
  // first draw on mount, a refresh) needs no second frame, which would make the browser commit the canvas again.
  const drawnState = useRef<DrawState | undefined>(undefined);

  const draw = useCallback(() => {
    if (frame.current) {
      cancelAnimationFrame(frame.current);
    }
    frame.current = 0;
    const canvas = canvasRef.current;
    // Opaque: the scene paints its own background, and an opaque canvas is cheaper for the compositor.
    const ctx = canvas?.getContext('2d', { alpha: false });
    if (!canvas || !ctx) {
      return;
    }
    const dpr = window.devicePixelRatio || 1;
    const t0 = performance.now();
    drawnState.current = stateRef.current;
    const drawn = drawScene(ctx, scene, viewport.current, { width, height, dpr }, palette, stateRef.current);
    const t1 = performance.now();
    stats.current.frames++;
    if (stats.current.frames === 1) {
      stats.current.firstFrameAt = t1;
    }
    const v = viewport.current;
    const debug: CanvasDebug = {
      scene,
      viewport: v,
      palette,
      lastFrameMs: t1 - t0,
      firstFrameAt: stats.current.firstFrameAt,
      lastFrameAt: t1,
      timings,
      frames: stats.current.frames,
      ...drawn,
      toScreen: (x, y) => ({ x: x * v.scale + v.tx, y: y * v.scale + v.ty }),
    };
    (canvas as HTMLCanvasElement & { __lgtmapm?: CanvasDebug }).__lgtmapm = debug;
    canvas.dataset.frames = String(stats.current.frames);
  }, [scene, palette, width, height, timings]);

  const requestDraw = useCallback(() => {
    if (!frame.current) {
      frame.current = requestAnimationFrame(draw);
    }
  }, [draw]);

  // A new scene (new topology or filter) or size is shown whole; new numbers on the same scene keep the view.
  const sceneRef = useRef(scene);
  useLayoutEffect(() => {
    sceneRef.current = scene;
  }, [scene]);
  useLayoutEffect(() => {
    viewport.current = fitViewport(sceneRef.current.bounds, width, height);
  }, [fitKey, width, height]);

  useLayoutEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) {
      return;
    }
    const dpr = window.devicePixelRatio || 1;
    // Assigning the size, even an unchanged one, reallocates and clears the bitmap: only on a real change (a
    // refresh brings a new scene and so a new `draw`, not a new size).
    const w = Math.round(width * dpr);
    const h = Math.round(height * dpr);
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    draw();
  }, [draw, width, height]);

  useEffect(() => {
    if (stateRef.current !== drawnState.current) {
      requestDraw();
    }
  }, [selected, highlight, hover, requestDraw]);
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  // Wheel zoom needs a non-passive listener to stop the dashboard from scrolling.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) {
      return;
    }
    const onWheel = (ev: WheelEvent) => {
      ev.preventDefault();
      const rect = canvas.getBoundingClientRect();
      viewport.current = zoomAt(viewport.current, Math.exp(-ev.deltaY * 0.0015), ev.clientX - rect.left, ev.clientY - rect.top);
      requestDraw();
    };
    canvas.addEventListener('wheel', onWheel, { passive: false });
    return () => canvas.removeEventListener('wheel', onWheel);
  }, [requestDraw]);

  const local = (ev: React.PointerEvent) => {
    const rect = canvasRef.current!.getBoundingClientRect();
    return { x: ev.clientX - rect.left, y: ev.clientY - rect.top };
  };

  const onPointerDown = (ev: React.PointerEvent) => {
    const p = local(ev);
    drag.current = { x: p.x, y: p.y, moved: false };
    canvasRef.current?.setPointerCapture?.(ev.pointerId);
  };
  const onPointerMove = (ev: React.PointerEvent) => {
    const p = local(ev);
    const d = drag.current;
    if (d) {
      const dx = p.x - d.x;
      const dy = p.y - d.y;
      if (d.moved || Math.abs(dx) + Math.abs(dy) > 3) {
        if (!d.moved) {
          setDragging(true);
        }
        d.moved = true;
        viewport.current = { ...viewport.current, tx: viewport.current.tx + dx, ty: viewport.current.ty + dy };
        d.x = p.x;
        d.y = p.y;
        setHover(undefined);
        requestDraw();
      }
      return;
    }
    const hit = hitTest(scene, toGraph(viewport.current, p.x, p.y), 6 / viewport.current.scale);
    setHover((prev) => (hit ? { hit, x: p.x, y: p.y } : prev ? undefined : prev));
  };
  const onPointerUp = (ev: React.PointerEvent) => {
    const d = drag.current;
    drag.current = undefined;
    setDragging(false);
    if (d && !d.moved) {
      const p = local(ev);
      onSelect(hitTest(scene, toGraph(viewport.current, p.x, p.y), 6 / viewport.current.scale));
    }
  };

  const zoom = (factor: number) => {
    viewport.current = zoomAt(viewport.current, factor, width / 2, height / 2);
    requestDraw();
  };
  const fit = () => {
    viewport.current = fitViewport(scene.bounds, width, height);
    requestDraw();
  };

  return (
    <div className={styles.wrap} style={{ width, height }}>
      <canvas
        ref={canvasRef}
        data-testid="lgtmapm-servermap-canvas"
        className={styles.canvas}
        style={{ width, height, cursor: hover ? 'pointer' : dragging ? 'grabbing' : 'grab' }}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerLeave={() => setHover(undefined)}
      />
      <div className={styles.zoom}>
        {/* Text buttons: they render the same in Grafana and in the harness (icons are fetched from Grafana's server). */}
        <Button size="sm" variant="secondary" fill="text" aria-label="Zoom in" onClick={() => zoom(1.25)}>
          +
        </Button>
        <Button size="sm" variant="secondary" fill="text" aria-label="Zoom out" onClick={() => zoom(0.8)}>
          −
        </Button>
        <Button size="sm" variant="secondary" fill="text" aria-label="Fit to view" onClick={fit} data-testid="lgtmapm-fit">
          Fit
        </Button>
      </div>
      {hover && (
        <div className={styles.tooltip} style={{ left: Math.min(hover.x + 14, width - 240), top: Math.min(hover.y + 14, height - 90) }} data-testid="lgtmapm-tooltip">
          {tooltip(hover.hit)}
        </div>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrap: css({ position: 'relative', overflow: 'hidden' }),
  canvas: css({ display: 'block', touchAction: 'none' }),
  zoom: css({
    position: 'absolute',
    left: theme.spacing(1),
    bottom: theme.spacing(1),
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.25),
    background: theme.colors.background.secondary,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(0.5),
  }),
  tooltip: css({
    position: 'absolute',
    pointerEvents: 'none',
    maxWidth: 240,
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.medium}`,
    borderRadius: theme.shape.radius.default,
    boxShadow: theme.shadows.z3,
    padding: theme.spacing(0.75, 1),
    fontSize: theme.typography.bodySmall.fontSize,
  }),
});

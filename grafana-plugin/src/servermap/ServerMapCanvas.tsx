import React, { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2 } from '@grafana/data';
import { Button, useStyles2 } from '@grafana/ui';
import { type DetailLevel, type DrawState, drawScene } from './render/draw';
import { type PlacedText } from './render/labels';
import { type Palette } from './render/palette';
import { fitViewport, type Hit, hitTest, type Scene, toGraph, type Viewport, zoomAt } from './render/scene';
import { useLatest } from '../shared/useLatest';

interface Props {
  scene: Scene;
  /** Changes when the drawn topology changes; the view is re-fitted then (not on every data refresh). */
  fitKey: string;
  palette: Palette;
  width: number;
  height: number;
  selected?: Hit;
  /** Width (px) at the right covered by the details panel on narrow panels: the selected node is kept out of it. */
  obscuredRight?: number;
  highlight?: DrawState['highlight'];
  /** Model/layout timings shown to the bench and tests through the debug hook. */
  timings?: Record<string, number>;
  /** Bring this node or link to the middle of the view (zooming in to readable cards if needed); a new `seq` repeats it. */
  focus?: { hit: Hit; seq: number };
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
  /** Level of detail of the last frame, and whether glyph labels were drawn. */
  level: DetailLevel;
  labels: boolean;
  /** The text the frame drew, with the box each covers (CSS px of the canvas). */
  texts: PlacedText[];
  toScreen: (x: number, y: number) => { x: number; y: number };
}

/** Zoom a focused item is shown at, at least (cards with readable text). */
const FOCUS_MIN_SCALE = 0.9;

export function ServerMapCanvas({ scene, fitKey, palette, width, height, selected, obscuredRight = 0, highlight, onSelect, tooltip, timings, focus }: Props) {
  const styles = useStyles2(getStyles);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const viewport = useRef<Viewport>(fitViewport(scene.bounds, width, height));
  const frame = useRef(0);
  const stats = useRef({ frames: 0, firstFrameAt: 0 });
  const drag = useRef<{ x: number; y: number; moved: boolean } | undefined>(undefined);
  const [hover, setHover] = useState<{ hit: Hit; x: number; y: number } | undefined>();
  const [dragging, setDragging] = useState(false);
  const stateRef = useRef<DrawState>({});
  const selectedRef = useRef(selected);
  // Declared first so the drawing effects below see the current selection/hover.
  useLayoutEffect(() => {
    stateRef.current = { selected, hovered: hover?.hit, highlight };
    selectedRef.current = selected;
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

  // A new topology (or filter) is shown whole; new numbers on the same topology keep the view. A size change
  // (the details panel opening beside the map after a click, a resized panel) keeps the user's pan and zoom: the
  // map is re-fitted only while the user has not moved it since the last fit.
  const sceneRef = useRef(scene);
  useLayoutEffect(() => {
    sceneRef.current = scene;
  }, [scene]);
  const userMoved = useRef(false);
  useLayoutEffect(() => {
    viewport.current = fitViewport(sceneRef.current.bounds, width, height);
    userMoved.current = false;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fitKey]);
  const sizeRef = useRef({ width, height, selected: selected !== undefined });
  useLayoutEffect(() => {
    const before = sizeRef.current;
    const selectedNow = selectedRef.current !== undefined;
    sizeRef.current = { width, height, selected: selectedNow };
    if (before.width === width && before.height === height) {
      return;
    }
    // The details panel opening or closing (a click) is not a new panel size: the view stays.
    if (!userMoved.current && before.selected === selectedNow) {
      viewport.current = fitViewport(sceneRef.current.bounds, width, height);
      return;
    }
    // Keep scale and position; only bring the selected node back into view if the new size hid it.
    const box = selectedRef.current?.type === 'node' ? sceneRef.current.nodes.find((n) => n.id === selectedRef.current!.id)?.box : undefined;
    if (box) {
      const v = viewport.current;
      const cx = (box.x + box.w / 2) * v.scale + v.tx;
      const cy = (box.y + box.h / 2) * v.scale + v.ty;
      const dx = cx < 24 ? 24 - cx : cx > width - 24 ? width - 24 - cx : 0;
      const dy = cy < 24 ? 24 - cy : cy > height - 24 ? height - 24 - cy : 0;
      viewport.current = { ...v, tx: v.tx + dx, ty: v.ty + dy };
    }
  }, [width, height]);

  // On a narrow panel the details panel lies over the map's right part: a selected node under it is panned
  // into the part still visible (the zoom stays).
  const selectedNodeId = selected?.type === 'node' ? selected.id : undefined;
  useLayoutEffect(() => {
    if (!selectedNodeId || obscuredRight <= 0) {
      return;
    }
    const box = sceneRef.current.nodes.find((n) => n.id === selectedNodeId)?.box;
    if (!box) {
      return;
    }
    const v = viewport.current;
    const cx = (box.x + box.w / 2) * v.scale + v.tx;
    const limit = width - obscuredRight - 40;
    if (cx > limit && limit > 40) {
      viewport.current = { ...v, tx: v.tx + (Math.max(40, limit - 40) - cx) };
    }
  }, [selectedNodeId, obscuredRight, width, fitKey]);

  // Declared before the drawing effect so the frame it draws already shows the focused item.
  const focusSeq = focus?.seq;
  useLayoutEffect(() => {
    if (!focus) {
      return;
    }
    const s = sceneRef.current;
    const hit = focus.hit;
    const box = hit.type === 'node' ? s.nodes.find((n) => n.id === hit.id)?.box : undefined;
    const at = box ? { x: box.x + box.w / 2, y: box.y + box.h / 2 } : s.edges.find((e) => e.id === hit.id)?.labelAt;
    if (!at) {
      return;
    }
    const scale = Math.max(viewport.current.scale, FOCUS_MIN_SCALE);
    const visibleW = Math.max(80, width - obscuredRight);
    viewport.current = { scale, tx: visibleW / 2 - at.x * scale, ty: height / 2 - at.y * scale };
    userMoved.current = true;
    requestDraw();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [focusSeq]);

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
      userMoved.current = true;
      setHover(undefined);
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
        userMoved.current = true;
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
    userMoved.current = true;
    requestDraw();
  };
  const fit = () => {
    viewport.current = fitViewport(scene.bounds, width, height);
    userMoved.current = false;
    requestDraw();
  };
  // The buttons get callbacks that never change (calling the latest zoom and fit), so a refresh, which brings a
  // new scene, does not render them again.
  const latestRef = useLatest({ zoom, fit });
  const onZoom = useCallback((factor: number) => latestRef.current.zoom(factor), [latestRef]);
  const onFit = useCallback(() => latestRef.current.fit(), [latestRef]);

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
      <ZoomButtons onZoom={onZoom} onFit={onFit} />
      {hover && (
        <div
          className={styles.tooltip}
          // Beside the pointer, flipped to its other side near the right or bottom edge (never under it).
          style={{
            left: hover.x + 14 + TOOLTIP_W <= width ? hover.x + 14 : Math.max(0, hover.x - 14 - TOOLTIP_W),
            top: hover.y + 14 + TOOLTIP_H <= height ? hover.y + 14 : Math.max(0, hover.y - 14 - TOOLTIP_H),
          }}
          data-testid="lgtmapm-tooltip"
        >
          {tooltip(hover.hit)}
        </div>
      )}
    </div>
  );
}

/** Zoom and fit: the same for every scene (memoised, see onZoom). */
const ZoomButtons = React.memo(function ZoomButtons({ onZoom, onFit }: { onZoom: (factor: number) => void; onFit: () => void }) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.zoom}>
      {/* Text buttons: they render the same in Grafana and in the harness (icons are fetched from Grafana's server). */}
      <Button size="sm" variant="secondary" fill="text" aria-label="Zoom in" onClick={() => onZoom(1.25)}>
        +
      </Button>
      <Button size="sm" variant="secondary" fill="text" aria-label="Zoom out" onClick={() => onZoom(0.8)}>
        −
      </Button>
      <Button size="sm" variant="secondary" fill="text" aria-label="Fit to view" onClick={onFit} data-testid="lgtmapm-fit">
        Fit
      </Button>
    </div>
  );
});

/** The tooltip's box (its CSS width, and a height that fits its three lines). */
const TOOLTIP_W = 240;
const TOOLTIP_H = 72;

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
    width: TOOLTIP_W,
    boxSizing: 'border-box',
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.medium}`,
    borderRadius: theme.shape.radius.default,
    boxShadow: theme.shadows.z3,
    padding: theme.spacing(0.75, 1),
    fontSize: theme.typography.bodySmall.fontSize,
  }),
});

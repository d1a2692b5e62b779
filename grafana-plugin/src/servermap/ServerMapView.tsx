import React, { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2, LoadingState, type PanelData, type TimeRange } from '@grafana/data';
import { Alert, Icon, useStyles2, useTheme2 } from '@grafana/ui';
import { type ApmPanelOptions } from '../types';
import { getSelection, selectLink, selectService, subscribe } from '../shared/selectionStore';
import { type ExtraTopology, type MapFilter, type QueryLike, type ServerMap, type ServerMapEdge, type ServerMapNode, type TrafficStats } from './model';
import { type LayoutResult } from './layout/layout';
import { filteredView, prepareScene } from './viewCache';
import { useSceneGeometry } from './useSceneGeometry';
import { mapIndex } from './model/mapIndex';
import { whenIdle } from '../shared/whenIdle';
import { useMapLayout } from './useMapLayout';
import { useServerMapModel } from './useServerMapModel';
import { buildOptionsOf } from './buildOptions';
import { pinnedNodeIds } from './layout/layoutInput';
import { LayoutProgressBar } from './LayoutProgressBar';
import { MapToolbar } from './MapToolbar';
import { type Hit, refreshScene, refreshSceneInPlace, type SceneMarks } from './render/scene';
import { paletteFromTheme } from './render/palette';
import { approx, formatExactCount, formatMs, formatPercent } from './render/format';
import { ServerMapCanvas } from './ServerMapCanvas';
import { DetailsPanel, type FocusState } from './DetailsPanel';
import { grafanaBase } from '../shared/grafanaLinks';
import { metricsDatasourceUid } from './details/datasource';
import { traceLinkOf } from './details/selectors';
import { detailsSheet } from './details/sheet';

/**
 * Something laid over the map by the panel shell (compare): it replaces the map drawn (e.g. with the union of two
 * ranges' topologies) and marks its nodes and links. Declared here so servermap/ needs nothing from the feature
 * that provides it.
 */
export interface MapOverlay {
  /**
   * The map to lay out and draw instead of the one built from the panel's data (e.g. the union of two ranges'
   * topologies). Called during render: keep it cheap and memoised (the same map object for the same input).
   */
  topology: (map: ServerMap) => ServerMap;
  /**
   * What `topology` adds to any map, as data (matched by id, at zero traffic, in this order): the map worker then
   * lays out the overlay's map in the round trip that builds the model, instead of a second trip after it.
   */
  extraTopology?: ExtraTopology;
  /**
   * Its marks and the rest (e.g. a diff): may take a while, so a map laid out in the worker asks for it only after
   * the layout has started, and the two run side by side. Memoise it; its `map` is `topology(map)`.
   */
  apply: (map: ServerMap) => MapOverlayResult;
  /** Rendered at the map's left, `sideWidth` px wide; `focusEdge` selects a link and brings it into view. */
  renderSide?: (result: MapOverlayResult, focusEdge: (id: string) => void) => React.ReactNode;
  sideWidth?: number;
}

export interface MapOverlayResult {
  map: ServerMap;
  marks: SceneMarks;
  /** Notes about the overlay, listed with the map's own. */
  warnings?: string[];
  /** Numbers of a node or link (by id) over the baseline: the details panel shows them beside the current ones. */
  baseline?: ReadonlyMap<string, TrafficStats>;
  /** Lines describing a node's or link's change (by id), for the tooltip and the details panel. */
  changes?: ReadonlyMap<string, string[]>;
  /** Whatever the side panel needs. */
  data?: unknown;
}

export interface ServerMapViewProps {
  data: PanelData;
  width: number;
  height: number;
  options: ApmPanelOptions;
  timeRange: TimeRange;
  overlay?: MapOverlay;
}

function rangeSeconds(t: TimeRange): number | undefined {
  const s = (t.to.valueOf() - t.from.valueOf()) / 1000;
  return Number.isFinite(s) && s > 0 ? s : undefined;
}

/**
 * The tooltip's numbers: exact counts, "≈" on what buckets only estimate (percentiles always are). Each figure
 * with its name stays on one line: the narrow tooltip wrapped "avg ≈" away from "506 ms".
 */
function TrafficLine({ stats: s }: { stats: TrafficStats }) {
  const parts = [
    `${formatExactCount(s.calls)} calls`,
    `${formatPercent(s.errorRate)} errors`,
    `avg ${approx(formatMs(s.avgMs), s.avgApproximate)}`,
    `p95 ${approx(formatMs(s.p95Ms), true)}`,
  ];
  return (
    <div>
      {parts.map((part, i) => (
        <React.Fragment key={i}>
          {i > 0 && ' · '}
          <span style={{ whiteSpace: 'nowrap' }}>{part}</span>
        </React.Fragment>
      ))}
    </div>
  );
}

const TOOLBAR_H = 32;
const NO_NODES = new Map<string, ServerMapNode>();
const NO_EDGES = new Map<string, ServerMapEdge>();

/** The server map: model from the panel's frames, layered layout, canvas drawing, details panel. */
export function ServerMapView({ data, width, height, options, timeRange, overlay }: ServerMapViewProps) {
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const palette = useMemo(() => paletteFromTheme(theme), [theme]);
  const selection = useSyncExternalStore(subscribe, getSelection);
  const [picked, setPicked] = useState<Hit | undefined>();
  const [focus, setFocus] = useState<FocusState>({ inbound: 1, outbound: 1 });
  // The toolbar toggle overrides the panel option until the panel is reloaded.
  const [hideOverride, setHideTerminal] = useState<boolean | undefined>();
  const hideTerminal = hideOverride ?? options.hideTerminal;
  const [showAll, setShowAll] = useState(false);

  const queries = data.request?.targets as QueryLike[] | undefined;
  const buildOptions = useMemo(
    () => buildOptionsOf(options, queries, rangeSeconds(timeRange)),
    // Only the options the build reads: a change of any other option must not rebuild the map.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [
      queries,
      options.callsRefId,
      options.errorsRefId,
      options.latencyRefId,
      options.clientLatencyRefId,
      options.instancesRefId,
      options.latencySumRefId,
      options.latencyCountRefId,
      options.apdexThresholdSeconds,
      timeRange,
    ],
  );
  const mapFilter: MapFilter = useMemo(
    () => ({
      focus: focus.node,
      inboundDepth: focus.inbound,
      outboundDepth: focus.outbound,
      hideTerminal,
      maxNodes: showAll ? Infinity : options.maxNodes,
    }),
    [focus, hideTerminal, showAll, options.maxNodes],
  );
  // Large inputs are built in the map worker, which also lays out the filtered map (under an overlay, the map with
  // what the overlay adds, when it says what that is).
  const model = useServerMapModel(
    data.series,
    buildOptions,
    !overlay ? { filter: mapFilter, all: showAll } : overlay.extraTopology ? { filter: mapFilter, all: showAll, extra: overlay.extraTopology } : undefined,
  );
  const built = model.result;
  const builtMap: ServerMap | undefined = built.ok ? built.map : undefined;
  const overlayMap = useMemo(() => (builtMap && overlay ? overlay.topology(builtMap) : undefined), [builtMap, overlay]);
  const map: ServerMap | undefined = overlayMap ?? builtMap;
  const [focusRequest, setFocusRequest] = useState<{ hit: Hit; seq: number } | undefined>();

  // A worker-built map comes filtered (for the filter it was asked with) and keyed: not done again here. Other
  // views are kept per map (viewCache): a Compare toggle switches between two maps and finds both built.
  const prefiltered = !overlayMap && model.prefiltered?.filter === mapFilter ? model.prefiltered : undefined;
  const view = useMemo(
    () => (prefiltered ? prefiltered : map ? filteredView(map, mapFilter) : undefined),
    [prefiltered, map, mapFilter],
  );
  const filtered = view?.filtered;
  const key = view?.topology ?? '';
  // Small maps are laid out during render, large ones in the layout worker within the first-paint budget
  // (useMapLayout); "show all" lays out everything there, with progress and Cancel.
  const pinned = useMemo(() => pinnedNodeIds(filtered?.nodes ?? [], focus.node), [filtered, focus.node]);
  // The overlay's map (e.g. the union of two ranges) holds every node and link of the map without it: turning the
  // overlay off keeps those positions instead of laying the map out again (no jump, no layout cost).
  const [keptOverlay, setKeptOverlay] = useState<LayoutResult | undefined>();
  const { laidOut, shown, pending, cancel: cancelLayout } = useMapLayout(filtered, key, {
    all: showAll,
    pinned,
    onCancel: () => setShowAll(false),
    within: overlayMap ? undefined : keptOverlay,
  });
  if (overlayMap && laidOut?.layout && laidOut !== keptOverlay) {
    setKeptOverlay(laidOut);
  }
  // The overlay's marks are needed for the scene, i.e. once there is a layout. When the layout worker has the map,
  // they are computed in the task after the job was posted (this effect runs after useMapLayout's), beside it.
  const [overlayAsked, setOverlayAsked] = useState<MapOverlay | undefined>();
  const overlaid = useMemo(
    () => (builtMap && overlay && (shown?.layout || overlayAsked === overlay) ? overlay.apply(builtMap) : undefined),
    [builtMap, overlay, shown?.layout, overlayAsked],
  );
  useEffect(() => {
    if (!builtMap || !overlay || overlaid) {
      return;
    }
    const task = setTimeout(() => {
      overlay.apply(builtMap);
      setOverlayAsked(overlay);
    }, 0);
    return () => clearTimeout(task);
  }, [builtMap, overlay, overlaid]);
  const layoutError = laidOut?.error;

  // Built ahead, in slices, for a map from the worker (mapIndex).
  const index = useMemo(() => (map ? mapIndex(map) : undefined), [map]);
  const nodesById = index?.nodes ?? NO_NODES;
  const edgesById = index?.edges ?? NO_EDGES;
  const timings = useMemo(
    () =>
      laidOut?.layout
        ? {
            modelMs: model.ms,
            modelInWorker: model.where === 'worker' ? 1 : 0,
            packMs: model.packMs ?? 0,
            unpackMs: model.unpackMs ?? 0,
            // A layout the worker ran with the model reaches the panel through the cache, but it did run.
            layoutMs: laidOut.cached && laidOut.key !== model.layoutKey ? 0 : laidOut.layout.ms,
            layoutCached: laidOut.cached ? 1 : 0,
            layoutInWorker: laidOut.where === 'worker' ? 1 : 0,
            hiddenByBudget: laidOut.hiddenByBudget ?? 0,
            nodes: filtered?.nodes.length ?? 0,
          }
        : undefined,
    [model, laidOut, filtered],
  );
  // The scene is built when the drawn geometry changes (layout, topology, label mode, marks); a refresh with
  // the same topology only puts the new numbers into its items (refreshSceneInPlace: positions, polylines and
  // items kept; refreshScene when the items are not in the map's order).
  const layoutShown = shown?.layout;
  const marks = overlaid?.marks;
  const edgeLabelMode = options.edgeLabel;
  // Large maps build it in slices before the task that draws them (useSceneGeometry).
  const geometry = useSceneGeometry(filtered, layoutShown, key, shown?.key ?? key, edgeLabelMode, marks);
  const scene = useMemo(
    () =>
      !geometry || !filtered || geometry.filtered === filtered || geometry.topology !== key
        ? geometry?.scene
        : (refreshSceneInPlace(geometry.scene, filtered.nodes, filtered.edges, edgeLabelMode, marks) ??
          refreshScene(geometry.scene, filtered.nodes, filtered.edges, edgeLabelMode, marks)),
    [geometry, filtered, key, edgeLabelMode, marks],
  );
  // While the overlay is on, build the plain map's scene in the union's layout when the browser is idle, so
  // turning the overlay off only draws (the overlay's own scene stays kept for turning it on again).
  const unionLayout = overlaid ? laidOut?.layout : undefined;
  useEffect(() => {
    if (!builtMap || !unionLayout) {
      return;
    }
    return whenIdle(() => prepareScene(builtMap, mapFilter, unionLayout, options.edgeLabel));
  }, [builtMap, unionLayout, mapFilter, options.edgeLabel]);

  // The store holds a service *name* (what the scatter filters TraceQL by); map it back to a node.
  const selectedNode: ServerMapNode | undefined = useMemo(() => {
    if (picked?.type === 'node') {
      const n = nodesById.get(picked.id);
      // A click is only kept while the shared selection still agrees with it (the scatter, the URL or the
      // dashboard variable may have moved on to another service since).
      if (n && (n.kind === 'user' ? selection.service === undefined : n.name === selection.service)) {
        return n;
      }
    }
    if (picked?.type !== 'edge' && selection.service) {
      return map?.nodes.find((n) => n.name === selection.service && n.kind === 'service') ?? map?.nodes.find((n) => n.name === selection.service);
    }
    return undefined;
  }, [picked, selection.service, nodesById, map]);
  const selectedEdge: ServerMapEdge | undefined = picked?.type === 'edge' ? edgesById.get(picked.id) : undefined;
  const selectedHit: Hit | undefined = selectedNode ? { type: 'node', id: selectedNode.id } : selectedEdge ? { type: 'edge', id: selectedEdge.id } : undefined;

  const highlight = useMemo(() => {
    const h = selection.highlight;
    if (!h || !map) {
      return undefined;
    }
    const names = new Set(h.services);
    const nodes = new Set(map.nodes.filter((n) => names.has(n.name)).map((n) => n.id));
    const pairs = new Set(h.edges.map(([a, b]) => `${a}\u0000${b}`));
    const edges = new Set(
      map.edges.filter((e) => pairs.has(`${nodesById.get(e.source)?.name}\u0000${nodesById.get(e.target)?.name}`)).map((e) => e.id),
    );
    return { nodes, edges };
  }, [selection.highlight, map, nodesById]);

  const onSelect = (hit: Hit | undefined) => {
    setPicked(hit);
    if (hit?.type === 'node') {
      const node = nodesById.get(hit.id);
      selectService(node && node.kind !== 'user' ? node.name : undefined);
      return;
    }
    const edge = hit ? edgesById.get(hit.id) : undefined;
    const source = edge && nodesById.get(edge.source);
    const target = edge && nodesById.get(edge.target);
    if (edge && source && target) {
      // The scatter follows: it shows the calls along this link.
      selectLink(traceLinkOf(edge, source, target));
    } else {
      selectService(undefined);
    }
  };

  const focusEdge = (id: string) => {
    onSelect({ type: 'edge', id });
    setFocusRequest((prev) => ({ hit: { type: 'edge', id }, seq: (prev?.seq ?? 0) + 1 }));
  };
  const clearFocus = useCallback(() => setFocus((f) => ({ ...f, node: undefined })), []);
  const changeLines = (id: string) => overlaid?.changes?.get(id)?.map((line) => <div key={line}>{line}</div>);

  const tooltip = (hit: Hit) => {
    if (hit.type === 'node') {
      const n = nodesById.get(hit.id);
      if (!n) {
        return null;
      }
      return (
        <>
          <strong>{n.name}</strong> <span className={styles.weak}>{n.kind}</span>
          {n.kind === 'user' ? (
            <div>{formatExactCount(n.outbound.calls)} requests</div>
          ) : (
            <TrafficLine stats={n.inbound} />
          )}
          {n.instances !== undefined && <div>{n.instances} instance{n.instances === 1 ? '' : 's'}</div>}
          {changeLines(n.id)}
        </>
      );
    }
    const e = edgesById.get(hit.id);
    if (!e) {
      return null;
    }
    return (
      <>
        <strong>
          {nodesById.get(e.source)?.name} → {nodesById.get(e.target)?.name}
        </strong>
        <TrafficLine stats={e.stats} />
        {changeLines(e.id)}
      </>
    );
  };

  if (!built.ok && data.state === LoadingState.Loading && data.series.length === 0) {
    return (
      <div className={styles.message} style={{ width, height }} data-testid="lgtmapm-servermap-loading">
        Loading service graph…
      </div>
    );
  }
  if (!built.ok && model.pending) {
    return (
      <div className={styles.message} style={{ width, height }} data-testid="lgtmapm-servermap-loading">
        Building the map…
      </div>
    );
  }
  if (!built.ok) {
    return (
      <div className={styles.message} style={{ width, height }} data-testid="lgtmapm-servermap-error">
        <Icon name="exclamation-triangle" size="xl" />
        <div>{built.error}</div>
        {built.warnings.length > 0 && <div className={styles.weak}>{built.warnings.join(' · ')}</div>}
      </div>
    );
  }

  const mapH = Math.max(0, height - TOOLBAR_H);
  const side = overlaid && overlay?.renderSide ? overlay.renderSide(overlaid, focusEdge) : undefined;
  const sideW = side ? Math.min(overlay?.sideWidth ?? 240, Math.floor(width * 0.4)) : 0;
  const areaW = width - sideW;
  // Beside or below the map, which keeps most of its area (details/sheet.ts); over it only on tiny panels.
  const sheet = selectedNode !== undefined || selectedEdge !== undefined ? detailsSheet(areaW, mapH) : undefined;
  const mapW = sheet?.mapWidth ?? areaW;
  const hidden = (filtered?.hiddenByLimit ?? 0) + (laidOut?.hiddenByBudget ?? 0);
  const notes = [...(map?.warnings ?? []), ...(overlaid?.warnings ?? []), ...(laidOut?.fallbackNote ? [laidOut.fallbackNote] : [])];
  return (
    <div className={styles.root} style={{ width, height }} data-testid="lgtmapm-servermap">
      <MapToolbar
        height={TOOLBAR_H}
        nodes={scene ? scene.nodes.length : (filtered?.nodes.length ?? 0)}
        links={scene ? scene.edges.length : (filtered?.edges.length ?? 0)}
        hideTerminal={hideTerminal}
        onHideTerminal={setHideTerminal}
        focusName={focus.node ? (nodesById.get(focus.node)?.name ?? focus.node) : undefined}
        onClearFocus={clearFocus}
        hidden={hidden}
        showAll={showAll}
        onShowAll={setShowAll}
        showAllPending={!!pending?.all}
        notes={notes}
      />
      {layoutError && <Alert title="Layout failed" severity="error">{layoutError}</Alert>}
      {pending && scene && <LayoutProgressBar pending={pending} onCancel={cancelLayout} />}
      <div style={{ display: 'flex' }}>
      {side && (
        <div style={{ width: sideW, height: mapH, flex: 'none', overflow: 'hidden' }} data-testid="lgtmapm-servermap-side">
          {side}
        </div>
      )}
      {scene ? (
        <ServerMapCanvas
          scene={scene}
          fitKey={geometry?.fitKey ?? key}
          palette={palette}
          width={mapW}
          height={sheet?.mapHeight ?? mapH}
          selected={selectedHit}
          obscuredRight={sheet?.placement === 'overlay' ? sheet.width + 16 : 0}
          highlight={highlight}
          onSelect={onSelect}
          tooltip={tooltip}
          timings={timings}
          focus={focusRequest}
        />
      ) : (
        <div className={styles.message} style={{ width: areaW, height: mapH }} data-testid="lgtmapm-servermap-loading">
          Laying out {(filtered?.nodes.length ?? 0).toLocaleString('en-US')} nodes…
          {pending && <LayoutProgressBar pending={pending} onCancel={cancelLayout} inline />}
        </div>
      )}
      </div>
      {sheet && (
        <DetailsPanel
          sheet={sheet}
          top={TOOLBAR_H}
          node={selectedNode}
          edge={selectedEdge}
          nodesById={nodesById}
          palette={palette}
          focus={focus}
          onFocus={setFocus}
          onClose={() => onSelect(undefined)}
          metricsDatasource={metricsDatasourceUid(data.request?.targets, (options as { mimirDatasource?: string }).mimirDatasource || 'mimir')}
          timeRange={timeRange}
          refreshId={data.request?.requestId}
          scatterShown={options.layout === 'both'}
          baseline={overlaid?.baseline?.get((selectedNode ?? selectedEdge)!.id)}
          changes={overlaid?.changes?.get((selectedNode ?? selectedEdge)!.id)}
          links={{
            tempoDatasource: options.tempoDatasource,
            lokiDatasource: options.lokiDatasource,
            serviceDashboardUid: options.serviceDashboardUid,
            from: String(timeRange.from.valueOf()),
            to: String(timeRange.to.valueOf()),
            ...grafanaBase(),
          }}
        />
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  root: css({ position: 'relative', overflow: 'hidden' }),
  weak: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  message: css({
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    justifyContent: 'center',
    gap: theme.spacing(1),
    textAlign: 'center',
    padding: theme.spacing(2),
    color: theme.colors.text.secondary,
  }),
});

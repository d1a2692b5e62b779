// The ELK layered engine the panel used before d3-dag, kept for the bench's same-run comparison only (the
// panel does not bundle it). Settings as they were measured and tuned (README, "Layout engine").
import type ELKType from 'elkjs/lib/elk.bundled.js';
import { type ElkNode } from 'elkjs/lib/elk-api';
import { type ServerMapEdge, type ServerMapNode } from '../../src/servermap/model';
import { type GraphLayout, type LayoutMode, type NodeBox, NODE_H, NODE_W, type Point } from '../../src/servermap/layout/types';
import { selfLoop } from '../../src/servermap/layout/layout';


// Measured (README, bench/): ELK layered with longest-path layering, greedy switch off and a single sweep is
// several times faster than the defaults at 1,000 nodes with near-identical drawings for service graphs.
const LAYOUT_OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'POLYLINE',
  'elk.layered.layering.strategy': 'LONGEST_PATH',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.layered.thoroughness': '1',
  'elk.layered.crossingMinimization.greedySwitch.type': 'OFF',
  // Links into one node share its port, as in Pinpoint's map; also ~15 % faster at 1,000 nodes.
  'elk.layered.mergeEdges': 'true',
  'elk.layered.spacing.nodeNodeBetweenLayers': '64',
  'elk.spacing.nodeNode': '28',
  'elk.layered.spacing.edgeNodeBetweenLayers': '16',
  'elk.spacing.componentComponent': '60',
  'elk.separateConnectedComponents': 'true',
};

/**
 * ELK's cost is mostly crossing minimisation and Brandes-Köpf placement (measured, README). Small maps get the
 * best drawing; medium maps keep crossing minimisation with simple placement (~2× faster at 200 nodes); large
 * maps, which are read by zooming into parts anyway, skip crossing minimisation too (nodes keep the
 * breadth-first order from the user node, which keeps a caller's callees together).
 */
export const QUALITY_LAYOUT_MAX = 60;
export const FAST_LAYOUT_OVER = 300;
const MODE_OPTIONS: Record<LayoutMode, Record<string, string>> = {
  quality: {},
  balanced: { 'elk.layered.nodePlacement.strategy': 'SIMPLE' },
  fast: { 'elk.layered.crossingMinimization.strategy': 'NONE', 'elk.layered.nodePlacement.strategy': 'SIMPLE' },
};

export function layoutModeFor(nodeCount: number): LayoutMode {
  return nodeCount <= QUALITY_LAYOUT_MAX ? 'quality' : nodeCount <= FAST_LAYOUT_OVER ? 'balanced' : 'fast';
}

/** Breadth-first order from the entry nodes (users first, then nodes nobody calls), then the rest. */
export function breadthFirstOrder(nodes: ServerMapNode[], edges: ServerMapEdge[]): ServerMapNode[] {
  const out = new Map<string, string[]>();
  const hasCaller = new Set<string>();
  for (const e of edges) {
    const list = out.get(e.source);
    if (list) {
      list.push(e.target);
    } else {
      out.set(e.source, [e.target]);
    }
    if (e.source !== e.target) {
      hasCaller.add(e.target);
    }
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const roots = [...nodes.filter((n) => n.kind === 'user'), ...nodes.filter((n) => n.kind !== 'user' && !hasCaller.has(n.id))];
  const seen = new Set<string>();
  const order: ServerMapNode[] = [];
  const queue: string[] = [];
  const visit = (id: string) => {
    if (!seen.has(id) && byId.has(id)) {
      seen.add(id);
      order.push(byId.get(id)!);
      queue.push(id);
    }
  };
  for (const r of roots) {
    visit(r.id);
  }
  for (let i = 0; i < queue.length; i++) {
    for (const next of out.get(queue[i]!) ?? []) {
      visit(next);
    }
  }
  for (const n of nodes) {
    visit(n.id);
  }
  return order;
}

let elk: InstanceType<typeof ELKType> | undefined;

// Loaded on first use so the 1.5 MB layout engine is a separate chunk and the panel module stays small.
async function getElk(): Promise<InstanceType<typeof ELKType>> {
  if (!elk) {
    const mod = await import('elkjs/lib/elk.bundled.js');
    const Ctor = (mod as unknown as { default: typeof ELKType }).default ?? (mod as unknown as typeof ELKType);
    elk = new Ctor();
  }
  return elk;
}

let layoutsStarted = 0;

/**
 * Loads ELK and runs a small layout while the panel's queries are still in flight, so the first real layout
 * does not also pay for parsing and JIT-compiling the 1.5 MB engine (most of the "cold" cost in the bench).
 * Does nothing once a real layout has started.
 */
export function prewarmLayout(): void {
  if (layoutsStarted > 0) {
    return;
  }
  layoutsStarted++;
  const children = Array.from({ length: 24 }, (_, i) => ({ id: `w${i}`, width: NODE_W, height: NODE_H }));
  const warmEdges = children.slice(1).map((c, i) => ({ id: `we${i}`, sources: [`w${Math.floor(i / 3)}`], targets: [c.id] }));
  getElk()
    .then((e) => e.layout({ id: 'warm', layoutOptions: LAYOUT_OPTIONS, children, edges: warmEdges }))
    .catch(() => undefined);
}

/** Left-to-right layered layout (Pinpoint's reading direction: user on the left, databases on the right). */
export async function layoutGraph(nodes: ServerMapNode[], edges: ServerMapEdge[]): Promise<GraphLayout> {
  const started = performance.now();
  layoutsStarted++;
  const ids = new Set(nodes.map((n) => n.id));
  const mode = layoutModeFor(nodes.length);
  const graph: ElkNode = {
    id: 'root',
    layoutOptions: { ...LAYOUT_OPTIONS, ...MODE_OPTIONS[mode] },
    children: (mode === 'fast' ? breadthFirstOrder(nodes, edges) : nodes).map((n) => ({
      id: n.id,
      width: NODE_W,
      height: NODE_H,
      // The user node starts the first layer like Pinpoint's USER node.
      layoutOptions: n.kind === 'user' ? { 'elk.layered.layering.layerConstraint': 'FIRST' } : undefined,
    })),
    edges: edges
      .filter((e) => ids.has(e.source) && ids.has(e.target) && e.source !== e.target)
      .map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  };
  const result = await (await getElk()).layout(graph);
  const boxes = new Map<string, NodeBox>();
  for (const c of result.children ?? []) {
    boxes.set(c.id, { x: c.x ?? 0, y: c.y ?? 0, w: c.width ?? NODE_W, h: c.height ?? NODE_H });
  }
  const lines = new Map<string, Point[]>();
  for (const e of result.edges ?? []) {
    const section = e.sections?.[0];
    if (section) {
      lines.set(e.id, [section.startPoint, ...(section.bendPoints ?? []), section.endPoint].map((p) => ({ x: p.x, y: p.y })));
    }
  }
  for (const e of edges) {
    const b = boxes.get(e.source);
    if (e.source === e.target && b) {
      lines.set(e.id, selfLoop(b));
    }
  }
  return { nodes: boxes, edges: lines, width: result.width ?? 0, height: result.height ?? 0, ms: performance.now() - started, mode };
}

/** Key that changes only when the drawn topology changes, so refreshes with new numbers keep positions. */
export function topologyKey(nodes: ServerMapNode[], edges: ServerMapEdge[]): string {
  return `${nodes.map((n) => n.id).sort().join('\u0001')}\u0002${edges.map((e) => e.id).sort().join('\u0001')}`;
}

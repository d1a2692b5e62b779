// The d3-dag 1.2.2 Sugiyama pipeline the panel used before its own engine (src/servermap/layout/sugiyama.ts
// runs the same steps on index arrays), kept for the bench's same-run comparison and the layout quality test
// only; the panel does not bundle it.
import {
  aggMean,
  coordGreedy,
  type Decross,
  decrossDfs,
  graph,
  layeringLongestPath,
  type MutGraphNode,
  sugiyama,
  twolayerAgg,
} from 'd3-dag';
import { type ServerMapEdge, type ServerMapNode } from '../../src/servermap/model';
import { type GraphLayout, type NodeBox, NODE_H, NODE_W, type Point } from '../../src/servermap/layout/types';
import { LAYER_GAP, layoutModeFor, NODE_GAP, portOf, selfLoop, SWEEPS } from '../../src/servermap/layout/layout';

export function layoutGraphD3Dag(
  nodes: ServerMapNode[],
  edges: ServerMapEdge[],
  tuning: { sweeps?: number } = {}
): GraphLayout {
  const started = performance.now();
  const mode = layoutModeFor(nodes.length);
  const g = graph<ServerMapNode, ServerMapEdge>();
  const byId = new Map<string, MutGraphNode<ServerMapNode, ServerMapEdge>>();
  for (const n of nodes) {
    byId.set(n.id, g.node(n));
  }
  const links: Array<{ edge: ServerMapEdge; link: { points: Array<[number, number]> } }> = [];
  for (const e of edges) {
    const s = byId.get(e.source);
    const t = byId.get(e.target);
    if (s && t && s !== t) {
      links.push({ edge: e, link: g.link(s, t, e) });
    }
  }
  const passes = tuning.sweeps ?? SWEEPS[mode];
  const init = decrossDfs();
  const order = twolayerAgg().aggregator(aggMean);
  const sweeps: Decross<ServerMapNode, ServerMapEdge> = (layers) => {
    init(layers);
    for (let p = 0; p < passes; p++) {
      for (let i = 1; i < layers.length; i++) {
        order(layers[i - 1]!, layers[i]!, true);
      }
      for (let i = layers.length - 2; i >= 0; i--) {
        order(layers[i]!, layers[i + 1]!, false);
      }
    }
  };
  const size = sugiyama()
    .layering(layeringLongestPath())
    .decross(sweeps)
    .coord(coordGreedy())
    .nodeSize([NODE_H, NODE_W])
    .gap([NODE_GAP, LAYER_GAP])(g);
  const boxes = new Map<string, NodeBox>();
  for (const node of g.nodes()) {
    boxes.set(node.data.id, { x: node.y - NODE_W / 2, y: node.x - NODE_H / 2, w: NODE_W, h: NODE_H });
  }
  const lines = new Map<string, Point[]>();
  for (const { edge, link } of links) {
    const pts: Point[] = link.points.map(([x, y]) => ({ x: y, y: x }));
    if (pts.length >= 2) {
      pts[0] = portOf(boxes.get(edge.source)!, pts[1]!);
      pts[pts.length - 1] = portOf(boxes.get(edge.target)!, pts[pts.length - 2]!);
    }
    lines.set(edge.id, pts);
  }
  for (const e of edges) {
    const b = boxes.get(e.source);
    if (e.source === e.target && b) {
      lines.set(e.id, selfLoop(b));
    }
  }
  return { nodes: boxes, edges: lines, width: size.height, height: size.width, ms: performance.now() - started, mode };
}

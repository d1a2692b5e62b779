import { isPackedStrings, packStrings, packedStringAtRequired, packedStringCount, packedStringsTransferable, type PackedStrings } from '../model/packStrings';
import { type GraphLayout, type NodeBox, type Point } from './types';

/**
 * A GraphLayout in columns for the way back from the worker: boxes and polylines as Float64Arrays (a structured
 * clone of a Map of box objects and a Map of point arrays is thousands of small objects for the main thread to
 * rebuild). Everything else of the layout travels as it is.
 */
export interface PackedLayout extends Omit<GraphLayout, 'nodes' | 'edges'> {
  /** Node ids, as one string (packStrings.ts). */
  nodeIds: PackedStrings;
  /** x, y, w, h per node. */
  boxes: Float64Array;
  edgeIds: PackedStrings;
  /** Per link: first point and point count. */
  pointRefs: Int32Array;
  /** x, y per point. */
  points: Float64Array;
}

export function packLayout(layout: GraphLayout): PackedLayout {
  const { nodes, edges, ...rest } = layout;
  const nodeIds = [...nodes.keys()];
  const boxes = new Float64Array(nodeIds.length * 4);
  let i = 0;
  for (const b of nodes.values()) {
    boxes.set([b.x, b.y, b.w, b.h], i * 4);
    i++;
  }
  const edgeIds = [...edges.keys()];
  let total = 0;
  for (const pts of edges.values()) {
    total += pts.length;
  }
  const pointRefs = new Int32Array(edgeIds.length * 2);
  const points = new Float64Array(total * 2);
  let e = 0;
  let at = 0;
  for (const pts of edges.values()) {
    pointRefs[e * 2] = at;
    pointRefs[e * 2 + 1] = pts.length;
    for (const p of pts) {
      points[at * 2] = p.x;
      points[at * 2 + 1] = p.y;
      at++;
    }
    e++;
  }
  return { ...rest, nodeIds: packStrings(nodeIds), boxes, edgeIds: packStrings(edgeIds), pointRefs, points };
}

export function packedLayoutTransferables(p: PackedLayout): ArrayBuffer[] {
  return [
    ...[p.boxes, p.pointRefs, p.points].map((a) => a.buffer as ArrayBuffer),
    packedStringsTransferable(p.nodeIds),
    packedStringsTransferable(p.edgeIds),
  ];
}

export function unpackLayout(p: PackedLayout): GraphLayout {
  const { nodeIds, boxes, edgeIds, pointRefs, points, ...rest } = p;
  if (
    !isPackedStrings(nodeIds) ||
    !isPackedStrings(edgeIds) ||
    boxes.length !== packedStringCount(nodeIds) * 4 ||
    pointRefs.length !== packedStringCount(edgeIds) * 2
  ) {
    throw new Error('packed layout: malformed message');
  }
  const nodes = new Map<string, NodeBox>();
  for (let i = 0; i < packedStringCount(nodeIds); i++) {
    nodes.set(packedStringAtRequired(nodeIds, i), { x: boxes[i * 4]!, y: boxes[i * 4 + 1]!, w: boxes[i * 4 + 2]!, h: boxes[i * 4 + 3]! });
  }
  const edges = new Map<string, Point[]>();
  for (let i = 0; i < packedStringCount(edgeIds); i++) {
    const first = pointRefs[i * 2]!;
    const count = pointRefs[i * 2 + 1]!;
    if (first < 0 || (first + count) * 2 > points.length) {
      throw new Error('packed layout: malformed message');
    }
    const pts: Point[] = new Array(count);
    for (let k = 0; k < count; k++) {
      pts[k] = { x: points[(first + k) * 2]!, y: points[(first + k) * 2 + 1]! };
    }
    edges.set(packedStringAtRequired(edgeIds, i), pts);
  }
  return { ...rest, nodes, edges };
}

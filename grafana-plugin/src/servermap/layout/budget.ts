import { estimateLayoutMs, type Layered, layerGraph, layoutGraphSync } from './layout';
import { type GraphLayout, type LayoutEdge, type LayoutNode, type LayoutProgress } from './types';

/**
 * The first paint lays out at most what fits in about a second on these 2-core machines (issue 15); the rest is
 * behind "N nodes hidden · show all". Estimated, not timed: a layout cannot be stopped half way, so the size is
 * chosen before it starts (estimateLayoutMs).
 */
export const FIRST_PAINT_LAYOUT_MS = 700;

export interface BudgetInput<N extends LayoutNode, E extends LayoutEdge> {
  nodes: readonly N[];
  edges: readonly E[];
  /** Calls through each node (same order as `nodes`): the busiest part is kept. */
  weights: readonly number[];
  /**
   * Calls on each link (same order as `edges`). When given, the busiest part is grown from the busiest links
   * (their two ends), so it is a connected picture; busy nodes whose links all fall outside it would otherwise
   * be stacked, unconnected, in one tall column.
   */
  edgeWeights?: readonly number[];
  /** Node ids always kept (the user node, a focused node). */
  pinned?: readonly string[];
  /** Estimated ms allowed; undefined = lay out everything ("show all"). */
  budgetMs?: number;
}

export interface BudgetedLayout {
  layout: GraphLayout;
  /** Nodes left out to stay within the budget. */
  hidden: number;
  /** Estimated ms of the layout that ran, and of the whole map (bench, notes). */
  estimateMs: number;
  fullEstimateMs: number;
}

/**
 * Nodes in the order the budget keeps them: pinned first, then the ends of links from the busiest link down
 * (with edge weights), then the remaining nodes by their own calls.
 */
function rankNodes(
  nodes: readonly LayoutNode[],
  edges: readonly LayoutEdge[],
  weights: readonly number[],
  edgeWeights: readonly number[] | undefined,
  pinned: Set<string>
): number[] {
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const byWeight = (a: number, b: number) =>
    (weights[b] ?? 0) - (weights[a] ?? 0) || (nodes[a]!.id < nodes[b]!.id ? -1 : 1);
  const order: number[] = [];
  const taken = new Set<number>();
  const take = (i: number | undefined) => {
    if (i !== undefined && !taken.has(i)) {
      taken.add(i);
      order.push(i);
    }
  };
  nodes
    .map((_, i) => i)
    .filter((i) => pinned.has(nodes[i]!.id))
    .sort(byWeight)
    .forEach(take);
  if (edgeWeights) {
    const links = edges.map((_, i) => i).sort((a, b) => (edgeWeights[b] ?? 0) - (edgeWeights[a] ?? 0) || a - b);
    for (const l of links) {
      const e = edges[l]!;
      const [s, t] = [index.get(e.source), index.get(e.target)];
      // The busier end first, so a cut between the two keeps the one with more traffic.
      if (s !== undefined && t !== undefined && byWeight(s, t) > 0) {
        take(t);
        take(s);
      } else {
        take(s);
        take(t);
      }
    }
  }
  nodes
    .map((_, i) => i)
    .sort(byWeight)
    .forEach(take);
  return order;
}

/**
 * Lays out the busiest part of a map that fits the budget: nodes ranked by calls (pinned first), the top k kept
 * with the links between them, k shrunk until the estimate fits. Each probe only layers the graph (linear), so
 * the probes cost little next to the layout they avoid.
 */
export function budgetedLayout<N extends LayoutNode, E extends LayoutEdge>(
  input: BudgetInput<N, E>,
  onProgress?: (p: LayoutProgress) => void
): BudgetedLayout {
  const { nodes, edges, weights, budgetMs } = input;
  onProgress?.({ phase: 'budget', fraction: 0 });
  let layered: Layered<N, E> = layerGraph(nodes, edges);
  const fullEstimateMs = estimateLayoutMs(layered);
  let estimateMs = fullEstimateMs;
  let kept = nodes.length;
  if (budgetMs !== undefined && estimateMs > budgetMs && nodes.length > 1) {
    const pinned = new Set(input.pinned ?? []);
    const order = rankNodes(nodes, edges, weights, input.edgeWeights, pinned);
    const floor = Math.min(nodes.length, Math.max(1, pinned.size));
    for (let probe = 0; probe < 12 && estimateMs > budgetMs && kept > floor; probe++) {
      // The estimate grows faster than linearly with the node count (layers × layered nodes): shrink a bit more
      // than the ratio says, and at least by 10 % per probe so it ends.
      const ratio = Math.pow(budgetMs / estimateMs, 0.75);
      kept = Math.max(floor, Math.floor(kept * Math.min(0.9, Math.max(0.2, ratio))));
      const keep = new Set(order.slice(0, kept).map((i) => nodes[i]!.id));
      const subNodes = nodes.filter((n) => keep.has(n.id));
      const subEdges = edges.filter((e) => keep.has(e.source) && keep.has(e.target));
      layered = layerGraph(subNodes, subEdges);
      estimateMs = estimateLayoutMs(layered);
      onProgress?.({ phase: 'budget', fraction: probe / 12 });
    }
    kept = layered.g.nnodes();
  }
  const keptNodes = [...layered.g.nodes()].map((n) => n.data);
  const keptIds = new Set(keptNodes.map((n) => n.id));
  const keptEdges = kept === nodes.length ? edges : edges.filter((e) => keptIds.has(e.source) && keptIds.has(e.target));
  const layout = layoutGraphSync(keptNodes, keptEdges, { layered, onProgress });
  return { layout, hidden: nodes.length - kept, estimateMs, fullEstimateMs };
}

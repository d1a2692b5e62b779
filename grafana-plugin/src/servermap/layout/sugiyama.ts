/**
 * Layered (Sugiyama) layout on plain index arrays. Same steps as the d3-dag 1.2.2 pipeline the panel used
 * before (`sugiyama()` with longest-path layering, depth-first initial order, mean-barycenter sweeps, greedy
 * coordinates; kept in harness/engines/d3dagLayout.ts for the bench and the quality test), without d3-dag's
 * graph objects, generators and per-step Maps, which cost most of its time at the sizes the panel draws
 * (README, "Layout engine"). Coordinates are d3-dag's: `x` runs along a layer, `y` across layers (top to
 * bottom); the caller swaps the axes for a left-to-right map.
 */

export interface LayeredInput {
  /** Number of nodes; nodes are 0 … n-1. */
  n: number;
  /** Links as parallel arrays of node indices (no self-links). */
  sources: ArrayLike<number>;
  targets: ArrayLike<number>;
  /** Size of a node along its layer and across layers, gaps between nodes of a layer and between layers. */
  nodeLength: number;
  layerThickness: number;
  nodeGap: number;
  layerGap: number;
  /** Down-and-up barycenter sweeps after the depth-first order. */
  sweeps: number;
}

export interface LayeredResult {
  /** Node centres. */
  x: Float64Array;
  y: Float64Array;
  /** Per link, its polyline from source to target (centres of the end nodes, dummy positions between). */
  points: Array<Array<[number, number]>>;
  width: number;
  height: number;
}

/**
 * Node order with few links pointing backwards (Eades, Lin & Smyth's greedy heuristic, as d3-dag's
 * `topological()`): sinks go to the back, sources to the front, otherwise the node with the most outgoing
 * minus incoming links goes to the front. Links then point forward except the ones that close a cycle.
 */
function cycleBreakingOrder(n: number, outs: number[][], ins: number[][]): Int32Array {
  const indeg = new Int32Array(n);
  const outdeg = new Int32Array(n);
  for (let v = 0; v < n; v++) {
    indeg[v] = ins[v]!.length;
    outdeg[v] = outs[v]!.length;
  }
  const done = new Uint8Array(n);
  const rank = new Int32Array(n);
  let front = 0;
  let back = n;
  const sources: number[] = [];
  const sinks: number[] = [];
  for (let v = 0; v < n; v++) {
    if (indeg[v] === 0) {
      sources.push(v);
    } else if (outdeg[v] === 0) {
      sinks.push(v);
    }
  }
  const remove = (v: number) => {
    done[v] = 1;
    for (const w of outs[v]!) {
      if (!done[w] && --indeg[w]! === 0) {
        sources.push(w);
      }
    }
    for (const w of ins[v]!) {
      if (!done[w] && --outdeg[w]! === 0 && indeg[w]! > 0) {
        sinks.push(w);
      }
    }
  };
  // Scans only run when no source or sink is left (a cycle); the scan start moves past placed nodes.
  let scan = 0;
  while (front < back) {
    let v = -1;
    while (sources.length && v < 0) {
      const s = sources.pop()!;
      if (!done[s]) {
        v = s;
        rank[v] = front++;
      }
    }
    while (v < 0 && sinks.length) {
      const s = sinks.pop()!;
      if (!done[s]) {
        v = s;
        rank[v] = --back;
      }
    }
    if (v < 0) {
      let best = -Infinity;
      while (done[scan]) {
        scan++;
      }
      for (let w = scan; w < n; w++) {
        if (!done[w] && outdeg[w]! - indeg[w]! > best) {
          best = outdeg[w]! - indeg[w]!;
          v = w;
        }
      }
      rank[v] = front++;
    }
    remove(v);
  }
  return rank;
}

/**
 * Longest-path layering as d3-dag's `layeringLongestPath()` (top-down): each node one layer below all its
 * predecessors in the cycle-breaking order, nodes without predecessors as low as their longest path down allows.
 */
function longestPathLayers(n: number, rank: Int32Array, adj: number[][]): { layer: Int32Array; count: number } {
  const byRank = new Int32Array(n);
  for (let v = 0; v < n; v++) {
    byRank[rank[v]!] = v;
  }
  // Height above the bottom: longest path down in the cycle-broken order.
  const h = new Int32Array(n);
  let top = 0;
  for (let i = n - 1; i >= 0; i--) {
    const v = byRank[i]!;
    let val = 0;
    for (const w of adj[v]!) {
      if (rank[w]! > i && h[w]! + 1 > val) {
        val = h[w]! + 1;
      }
    }
    h[v] = val;
    top = Math.max(top, val);
  }
  // Then every node moves up to just below its lowest predecessor, which shortens long links.
  for (let i = 0; i < n; i++) {
    const v = byRank[i]!;
    let val = Infinity;
    for (const w of adj[v]!) {
      if (h[w]! > h[v]! && h[w]! - 1 < val) {
        val = h[w]! - 1;
      }
    }
    if (val !== Infinity) {
      h[v] = val;
    }
  }
  const layer = new Int32Array(n);
  for (let v = 0; v < n; v++) {
    layer[v] = top - h[v]!;
  }
  return { layer, count: top + 1 };
}

/** Median, computed as d3-array's `median` does (so both engines agree to the last bit). */
function median(values: number[]): number {
  values.sort((a, b) => a - b);
  const m = values.length >> 1;
  if (values.length % 2) {
    return values[m]!;
  }
  const lo = values[m - 1]!;
  return lo + (values[m]! - lo) * 0.5;
}

export function layeredLayout(input: LayeredInput): LayeredResult {
  const { n, sources, targets } = input;
  const m = sources.length;
  if (n === 0) {
    return { x: new Float64Array(0), y: new Float64Array(0), points: [], width: 0, height: 0 };
  }
  const outs: number[][] = Array.from({ length: n }, () => []);
  const ins: number[][] = Array.from({ length: n }, () => []);
  const adj: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < m; i++) {
    const s = sources[i]!;
    const t = targets[i]!;
    outs[s]!.push(t);
    ins[t]!.push(s);
    adj[s]!.push(t);
    adj[t]!.push(s);
  }
  const rank = cycleBreakingOrder(n, outs, ins);
  const { layer: baseLayer, count: baseCount } = longestPathLayers(n, rank, adj);

  // A node with two links to the same node of the layer above (a 2-cycle or a repeated link) gets an extra
  // layer of dummies above it, so the links are drawn apart instead of on top of each other (as d3-dag does).
  const boost = new Uint8Array(baseCount);
  for (let v = 0; v < n; v++) {
    const l = baseLayer[v]!;
    if (boost[l]) {
      continue;
    }
    const nbs = adj[v]!;
    for (let i = 0; i < nbs.length && !boost[l]; i++) {
      const w = nbs[i]!;
      if (baseLayer[w] === l - 1) {
        for (let j = i + 1; j < nbs.length; j++) {
          if (nbs[j] === w) {
            boost[l] = 1;
            break;
          }
        }
      }
    }
  }
  const shift = new Int32Array(baseCount);
  let sum = 0;
  for (let l = 0; l < baseCount; l++) {
    sum += boost[l]!;
    shift[l] = sum;
  }
  const layerCount = baseCount + sum;

  // Layer graph: real nodes 0 … n-1, then one dummy per layer a link crosses. Links run from the upper end to
  // the lower one; `chains[i]` lists link i's nodes from top to bottom.
  const layerOf: number[] = [];
  for (let v = 0; v < n; v++) {
    layerOf.push(baseLayer[v]! + shift[baseLayer[v]!]!);
  }
  const down: number[][] = Array.from({ length: n }, () => []);
  const up: number[][] = Array.from({ length: n }, () => []);
  const chains: number[][] = [];
  const reversed = new Uint8Array(m);
  for (let i = 0; i < m; i++) {
    let a = sources[i]!;
    let b = targets[i]!;
    if (layerOf[a]! > layerOf[b]!) {
      reversed[i] = 1;
      [a, b] = [b, a];
    }
    const chain = [a];
    let last = a;
    for (let l = layerOf[a]! + 1; l < layerOf[b]!; l++) {
      const d = layerOf.length;
      layerOf.push(l);
      down.push([]);
      up.push([]);
      down[last]!.push(d);
      up[d]!.push(last);
      chain.push(d);
      last = d;
    }
    down[last]!.push(b);
    up[b]!.push(last);
    chain.push(b);
    chains.push(chain);
  }
  const total = layerOf.length;
  const layers: number[][] = Array.from({ length: layerCount }, () => []);
  for (let v = 0; v < total; v++) {
    layers[layerOf[v]!]!.push(v);
  }

  // Initial order: depth first from the nodes without parents (d3-dag's decrossDfs), children with more
  // children first, so a caller's callees stay together.
  const byChildren = (list: number[]) => list.sort((a, b) => down[b]!.length - down[a]!.length);
  const stack: number[] = [];
  for (const l of layers) {
    stack.push(...byChildren(l.filter((v) => up[v]!.length === 0)));
  }
  const seen = new Uint8Array(total);
  for (const l of layers) {
    l.length = 0;
  }
  while (stack.length) {
    const v = stack.pop()!;
    if (seen[v]) {
      continue;
    }
    seen[v] = 1;
    layers[layerOf[v]!]!.push(v);
    stack.push(...byChildren([...down[v]!]));
  }

  const pos = new Int32Array(total);
  for (const l of layers) {
    l.forEach((v, i) => (pos[v] = i));
  }
  const agg = new Float64Array(total);
  const has = new Uint8Array(total);
  // Reorders one layer by the mean position of its neighbours in the reference layer (d3-dag's twolayerAgg with
  // aggMean): ties keep the current order; nodes without neighbours there go where they cross the fewest of the
  // others' current positions.
  const reorder = (layer: number[], neighbours: number[][]) => {
    const assigned: number[] = [];
    const unassigned: number[] = [];
    for (const v of layer) {
      let mean = 0;
      let count = 0;
      for (const w of neighbours[v]!) {
        count++;
        mean += (pos[w]! - mean) / count;
      }
      if (count) {
        agg[v] = mean;
        has[v] = 1;
        assigned.push(v);
      } else {
        has[v] = 0;
        unassigned.push(v);
      }
    }
    // Array.prototype.sort is stable: equal means keep the layer's order.
    assigned.sort((a, b) => agg[a]! - agg[b]!);
    const placements = new Int32Array(unassigned.length + 1);
    const place = (us: number, ue: number, os: number, oe: number) => {
      if (ue <= us) {
        return;
      }
      const um = (us + ue) >> 1;
      const ind = pos[unassigned[um]!]!;
      let last = 0;
      let best = 0;
      let bestAt = os;
      for (let i = os; i < oe; i++) {
        last += pos[assigned[i]!]! < ind ? -1 : 1;
        if (last < best) {
          best = last;
          bestAt = i + 1;
        }
      }
      placements[um] = bestAt;
      place(us, um, os, bestAt);
      place(um + 1, ue, bestAt, oe);
    };
    place(0, unassigned.length, 0, assigned.length);
    placements[unassigned.length] = assigned.length + 1;
    let insert = 0;
    let u = 0;
    for (let i = 0; i < assigned.length; i++) {
      while (placements[u] === i) {
        layer[insert++] = unassigned[u++]!;
      }
      layer[insert++] = assigned[i]!;
    }
    while (placements[u] === assigned.length) {
      layer[insert++] = unassigned[u++]!;
    }
    layer.forEach((v, i) => (pos[v] = i));
  };
  for (let p = 0; p < input.sweeps; p++) {
    for (let i = 1; i < layers.length; i++) {
      reorder(layers[i]!, up);
    }
    for (let i = layers.length - 2; i >= 0; i--) {
      reorder(layers[i]!, down);
    }
  }

  // Greedy coordinates (d3-dag's coordGreedy): pack, place each node at the median of its parents (top-down)
  // then children (bottom-up), then straighten dummy chains until nothing moves; every step re-packs the layer.
  const len = (v: number) => (v < n ? input.nodeLength : 0);
  const sep = (a: number, b: number) => (len(a) + len(b)) / 2 + input.nodeGap;
  const x = new Float64Array(total);
  const after: number[] = [];
  const space = (layer: number[]) => {
    const k = layer.length;
    if (k === 0) {
      return;
    }
    after.length = k;
    let lastV = layer[k - 1]!;
    let lastX = x[lastV]!;
    after[k - 1] = lastX;
    for (let i = k - 2; i >= 0; i--) {
      const v = layer[i]!;
      const next = Math.min(x[v]!, lastX - sep(lastV, v));
      after[i] = next;
      lastV = v;
      lastX = next;
    }
    lastV = layer[0]!;
    lastX = x[lastV]!;
    x[lastV] = (lastX + after[0]!) / 2;
    for (let i = 1; i < k; i++) {
      const v = layer[i]!;
      const next = Math.max(x[v]!, lastX + sep(lastV, v));
      x[v] = (next + after[i]!) / 2;
      lastV = v;
      lastX = next;
    }
  };
  const vals: number[] = [];
  const assign = (layer: number[], neighbours: number[][]) => {
    for (const v of layer) {
      const nb = neighbours[v]!;
      if (nb.length) {
        vals.length = 0;
        for (const w of nb) {
          vals.push(x[w]!);
        }
        x[v] = median(vals);
      }
    }
  };
  const straighten = (layer: number[], neighbours: number[][]) => {
    for (const v of layer) {
      const w = neighbours[v]![0];
      if (v >= n && w !== undefined && w >= n) {
        x[v] = x[w]!;
      }
    }
  };
  for (const l of layers) {
    space(l);
  }
  for (let i = 1; i < layers.length; i++) {
    assign(layers[i]!, up);
    space(layers[i]!);
  }
  for (let i = layers.length - 2; i >= 0; i--) {
    assign(layers[i]!, down);
    space(layers[i]!);
  }
  const snapshot = new Float64Array(total);
  for (let round = 0; round < layers.length; round++) {
    snapshot.set(x);
    for (let i = 1; i < layers.length; i++) {
      straighten(layers[i]!, up);
      space(layers[i]!);
    }
    for (let i = layers.length - 2; i >= 0; i--) {
      straighten(layers[i]!, down);
      space(layers[i]!);
    }
    let same = true;
    for (let v = 0; v < total && same; v++) {
      same = snapshot[v] === x[v];
    }
    if (same) {
      break;
    }
  }
  let start = Infinity;
  let end = -Infinity;
  for (const l of layers) {
    if (l.length === 0) {
      continue;
    }
    start = Math.min(start, x[l[0]!]! - len(l[0]!) / 2);
    end = Math.max(end, x[l[l.length - 1]!]! + len(l[l.length - 1]!) / 2);
  }
  for (let v = 0; v < total; v++) {
    x[v] = x[v]! - start;
  }

  // Layer positions: a layer of dummies only (from the extra layers above) takes no room.
  const layerY = new Float64Array(layerCount);
  let height = -input.layerGap;
  for (let l = 0; l < layerCount; l++) {
    height += input.layerGap;
    const thickness = layers[l]!.some((v) => v < n) ? input.layerThickness : -input.layerGap;
    layerY[l] = height + thickness / 2;
    height += thickness;
  }
  const y = new Float64Array(total);
  for (let v = 0; v < total; v++) {
    y[v] = layerY[layerOf[v]!]!;
  }

  const points = chains.map((chain, i) => {
    const pts = chain.map((v): [number, number] => [x[v]!, y[v]!]);
    return reversed[i] ? pts.reverse() : pts;
  });
  return { x: x.subarray(0, n), y: y.subarray(0, n), points, width: end - start, height };
}

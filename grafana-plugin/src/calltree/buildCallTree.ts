/**
 * Spans → Pinpoint's call tree rows: depth-first order, children by start time, with
 * Gap (start minus the previous row's start), Exec (duration), Exec % (of the whole trace) and
 * Self (duration minus the time covered by children, with children clipped to the parent so an async
 * child that outlives its parent is not counted twice). Spans whose parent is missing are kept under
 * their own group instead of being dropped.
 */
import type { SpanRecord } from './parseTrace';

export interface CallTreeRow {
  /** 'span' rows carry a span; a 'group' row heads the spans whose parent is missing. */
  type: 'span' | 'group';
  span?: SpanRecord;
  label: string;
  depth: number;
  /** Index of the row after this row's subtree (for collapse without a rebuild). */
  subtreeEnd: number;
  childCount: number;
  gapMs: number;
  execMs: number;
  execPct: number;
  selfMs: number;
  /** Start relative to the trace start, as a fraction of the trace duration (the Exec % bar's offset). */
  offsetFrac: number;
  /** Child that ends after its parent ended (fire-and-forget or callback work). */
  outlivesParent: boolean;
  /** Part of the missing-parent group. */
  orphan: boolean;
  failed: boolean;
  exception?: { type: string; message: string };
}

export interface CallTree {
  rows: CallTreeRow[];
  traceId: string;
  startMs: number;
  endMs: number;
  totalMs: number;
  spanCount: number;
  orphanCount: number;
  services: string[];
}

const EPS = 1e-6;

/** Length of the union of intervals clipped to [lo, hi]. */
export function coveredLength(intervals: Array<[number, number]>, lo: number, hi: number): number {
  const clipped: Array<[number, number]> = [];
  for (const [a, b] of intervals) {
    const s = Math.max(a, lo);
    const e = Math.min(b, hi);
    if (e > s) {
      clipped.push([s, e]);
    }
  }
  clipped.sort((x, y) => x[0] - y[0]);
  let total = 0;
  let curS = Number.NEGATIVE_INFINITY;
  let curE = Number.NEGATIVE_INFINITY;
  for (const [s, e] of clipped) {
    if (s > curE) {
      if (curE > curS) {
        total += curE - curS;
      }
      curS = s;
      curE = e;
    } else if (e > curE) {
      curE = e;
    }
  }
  if (curE > curS) {
    total += curE - curS;
  }
  return total;
}

const NONE: SpanRecord[] = [];

/** coveredLength for children already sorted by start (the tree keeps them so): one pass, no allocation. */
function coveredBySortedChildren(kids: SpanRecord[], skip: ReadonlySet<string>, lo: number, hi: number): number {
  let total = 0;
  let curS = 0;
  let curE = Number.NEGATIVE_INFINITY;
  for (const k of kids) {
    if (skip.has(k.spanId)) {
      continue;
    }
    const s = k.startMs > lo ? k.startMs : lo;
    const e = k.startMs + k.durationMs < hi ? k.startMs + k.durationMs : hi;
    if (e <= s) {
      continue;
    }
    if (s > curE) {
      if (curE > curS) {
        total += curE - curS;
      }
      curS = s;
      curE = e;
    } else if (e > curE) {
      curE = e;
    }
  }
  if (curE > curS) {
    total += curE - curS;
  }
  return total;
}

function exceptionOf(span: SpanRecord): { type: string; message: string } | undefined {
  const ev = span.events.find((e) => e.name === 'exception' || e.attributes['exception.type'] !== undefined);
  if (!ev) {
    return undefined;
  }
  return {
    type: String(ev.attributes['exception.type'] ?? 'exception'),
    message: String(ev.attributes['exception.message'] ?? ''),
  };
}

export function buildCallTree(spans: SpanRecord[]): CallTree {
  const byId = new Map<string, SpanRecord>();
  for (const s of spans) {
    if (!byId.has(s.spanId)) {
      byId.set(s.spanId, s);
    }
  }
  const children = new Map<string, SpanRecord[]>();
  const roots: SpanRecord[] = [];
  const orphans: SpanRecord[] = [];
  for (const s of byId.values()) {
    if (!s.parentSpanId) {
      roots.push(s);
    } else if (!byId.has(s.parentSpanId) || s.parentSpanId === s.spanId) {
      orphans.push(s);
    } else {
      let list = children.get(s.parentSpanId);
      if (!list) {
        list = [];
        children.set(s.parentSpanId, list);
      }
      list.push(s);
    }
  }
  const byStart = (a: SpanRecord, b: SpanRecord) => a.startMs - b.startMs || a.name.localeCompare(b.name);
  roots.sort(byStart);
  orphans.sort(byStart);
  for (const list of children.values()) {
    list.sort(byStart);
  }

  let startMs = Number.POSITIVE_INFINITY;
  let endMs = Number.NEGATIVE_INFINITY;
  for (const s of byId.values()) {
    startMs = Math.min(startMs, s.startMs);
    endMs = Math.max(endMs, s.startMs + s.durationMs);
  }
  const totalMs = Math.max(endMs - startMs, EPS);

  const rows: CallTreeRow[] = [];
  const visited = new Set<string>();
  let prevStart: number | undefined;

  const pushSubtree = (top: SpanRecord, baseDepth: number, orphan: boolean) => {
    // Iterative DFS: 10 000-span traces can nest deeper than the JS call stack allows.
    const stack: Array<{ span: SpanRecord; depth: number; parentEnd?: number; enter: boolean; row?: number }> = [
      { span: top, depth: baseDepth, enter: true },
    ];
    while (stack.length) {
      const item = stack.pop()!;
      if (!item.enter) {
        rows[item.row!]!.subtreeEnd = rows.length;
        continue;
      }
      const s = item.span;
      if (visited.has(s.spanId)) {
        continue;
      }
      visited.add(s.spanId);
      const kids = children.get(s.spanId) ?? NONE;
      const end = s.startMs + s.durationMs;
      const covered = coveredBySortedChildren(kids, visited, s.startMs, end);
      const exception = exceptionOf(s);
      const row: CallTreeRow = {
        type: 'span',
        span: s,
        label: s.name,
        depth: item.depth,
        subtreeEnd: rows.length + 1,
        childCount: kids.length,
        gapMs: prevStart === undefined ? 0 : s.startMs - prevStart,
        execMs: s.durationMs,
        execPct: (s.durationMs / totalMs) * 100,
        selfMs: Math.max(0, s.durationMs - covered),
        offsetFrac: (s.startMs - startMs) / totalMs,
        outlivesParent: item.parentEnd !== undefined && end > item.parentEnd + EPS,
        orphan,
        failed: s.statusCode === 2,
      };
      if (exception) {
        row.exception = exception;
      }
      prevStart = s.startMs;
      const index = rows.length;
      rows.push(row);
      stack.push({ span: s, depth: item.depth, enter: false, row: index });
      for (let k = kids.length - 1; k >= 0; k--) {
        if (!visited.has(kids[k]!.spanId)) {
          stack.push({ span: kids[k]!, depth: item.depth + 1, parentEnd: end, enter: true });
        }
      }
    }
  };

  for (const r of roots) {
    pushSubtree(r, 0, false);
  }
  // Spans on a parent cycle are reachable from neither a root nor an orphan: show them with the orphans.
  const reachable = new Set<string>();
  const queue = [...roots, ...orphans].map((s) => s.spanId);
  while (queue.length) {
    const id = queue.pop()!;
    if (reachable.has(id)) {
      continue;
    }
    reachable.add(id);
    for (const k of children.get(id) ?? []) {
      queue.push(k.spanId);
    }
  }
  const onCycles = [...byId.values()].filter((s) => !reachable.has(s.spanId)).sort(byStart);
  const pendingOrphans = [...orphans, ...onCycles];
  let orphanCount = 0;
  if (pendingOrphans.length) {
    const groupIndex = rows.length;
    rows.push({
      type: 'group',
      label: `Spans whose parent is missing (${pendingOrphans.length})`,
      depth: 0,
      subtreeEnd: 0,
      childCount: pendingOrphans.length,
      gapMs: 0,
      execMs: 0,
      execPct: 0,
      selfMs: 0,
      offsetFrac: 0,
      outlivesParent: false,
      orphan: true,
      failed: false,
    });
    const before = rows.length;
    let groups = 0;
    for (const o of pendingOrphans) {
      if (!visited.has(o.spanId)) {
        groups++;
        pushSubtree(o, 1, true);
      }
    }
    rows[groupIndex]!.label = `Spans whose parent is missing (${groups})`;
    rows[groupIndex]!.childCount = groups;
    orphanCount = rows.length - before;
    rows[groupIndex]!.subtreeEnd = rows.length;
  }

  return {
    rows,
    traceId: spans[0]?.traceId ?? '',
    startMs,
    endMs,
    totalMs,
    spanCount: byId.size,
    orphanCount,
    services: [...new Set([...byId.values()].map((s) => s.service))].sort(),
  };
}

/** Rows to show given the collapsed rows (indices into `rows`); skips whole subtrees in O(1) each. */
export function visibleRowIndices(rows: CallTreeRow[], collapsed: ReadonlySet<number>): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < rows.length) {
    out.push(i);
    i = collapsed.has(i) ? Math.max(i + 1, rows[i]!.subtreeEnd) : i + 1;
  }
  return out;
}

/** Key attributes shown next to a span name (route, database, statement, status). */
export function keyAttributes(span: SpanRecord): Array<[string, string]> {
  const a = span.attributes;
  const out: Array<[string, string]> = [];
  const add = (label: string, v: unknown) => {
    if (v !== undefined && v !== null && v !== '') {
      out.push([label, String(v)]);
    }
  };
  add('route', a['http.route']);
  add('db', a['db.system.name'] ?? a['db.system']);
  add('statement', a['db.query.text'] ?? a['db.statement']);
  add('status', a['http.response.status_code'] ?? a['http.status_code']);
  add('peer', a['server.address'] ?? a['peer.service'] ?? a['net.peer.name']);
  return out;
}

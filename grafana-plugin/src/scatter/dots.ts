/**
 * Tempo search frames → transactions (one per matched span) and the typed arrays the chart draws.
 *
 * Accepts the two table shapes Grafana's Tempo data source returns for a TraceQL search:
 * - `tableType: 'spans'` → one frame "Spans" with one row per span: traceIdHidden, traceService, traceName,
 *   spanID, time, name, <selected attributes…>, duration (ns);
 * - `tableType: 'traces'` → frame "Traces" (traceID, startTime, traceService, traceName, traceDuration,
 *   nested) whose `nested` cells hold one "Spans" sub-frame per span set.
 * The "Streaming Progress" frame of streaming search is ignored.
 */
import {
  FrameFormatError,
  findField,
  fromDataFrameJSON,
  isDataFrameJSON,
  frameLength,
  isFrameLike,
  requireField,
  toEpochMs,
  toNumber,
  toStringOrUndefined,
  type FieldLike,
  type FrameLike,
} from './frameLike';

export interface Transaction {
  traceId: string;
  spanId: string;
  /** Span start, epoch ms. */
  startMs: number;
  durationMs: number;
  failed: boolean;
  /** Span name (for HTTP servers "GET /api/orders/:id"). */
  name: string;
  service: string;
  route?: string;
  method?: string;
  httpStatus?: number;
  rootService?: string;
  /** Name of the trace's root span (Pinpoint's "Transaction"). */
  rootName?: string;
  /** Error status message (what a thrown exception leaves on the span). */
  exception?: string;
  /** Address of the client that sent the request. */
  clientAddress?: string;
}

/** Columnar copy of the dots for drawing and hit-testing: index i is transactions[i]. */
export interface ScatterPoints {
  n: number;
  x: Float64Array;
  y: Float64Array;
  failed: Uint8Array;
}

export interface TransactionSet {
  transactions: Transaction[];
  points: ScatterPoints;
  /** Rows skipped because a required value was missing or not a number. */
  skipped: number;
}

const STATUS_NAMES = ['status', 'span:status'];
const ROUTE_NAMES = ['http.route', 'span.http.route'];
const METHOD_NAMES = ['http.request.method', 'span.http.request.method', 'http.method'];
const HTTP_STATUS_NAMES = ['http.response.status_code', 'span.http.response.status_code', 'http.status_code'];
const SERVICE_NAMES = ['service.name', 'resource.service.name'];
const EXCEPTION_NAMES = ['statusMessage', 'span:statusMessage', 'exception.message', 'exception.type'];
const CLIENT_NAMES = [
  'client.address',
  'span.client.address',
  'net.sock.peer.addr',
  'span.net.sock.peer.addr',
  'network.peer.address',
];

function cell(field: FieldLike | undefined, i: number): unknown {
  return field ? field.values[i] : undefined;
}

function isFailed(status: unknown, httpStatus: number | undefined): boolean {
  if (typeof status === 'string') {
    const s = status.toLowerCase();
    if (s === 'error' || s === 'status_code_error' || s === '2') {
      return true;
    }
    if (s === 'ok' || s === 'unset' || s === '0' || s === '1') {
      return false;
    }
  }
  if (typeof status === 'number') {
    return status === 2;
  }
  // No status selected: fall back to the HTTP semantic conventions (server 5xx is a failure).
  return httpStatus !== undefined && httpStatus >= 500;
}

/**
 * A `select()`ed attribute the span does not have comes back from Tempo v3.0.3 as the string "nil" (measured:
 * `span.http.route` on HTTP client spans), which would read as a route called "nil".
 */
function selectedAttribute(value: unknown): string | undefined {
  const s = toStringOrUndefined(value);
  return s === 'nil' ? undefined : s;
}

function spansFrameRows(
  frame: FrameLike,
  fallbackService: string,
  parent?: { rootService?: string; rootName?: string }
) {
  const rows: Transaction[] = [];
  let skipped = 0;
  const traceId = requireField(frame, 'Tempo span rows', 'traceIdHidden', 'traceID');
  const spanId = requireField(frame, 'Tempo span rows', 'spanID');
  const time = requireField(frame, 'Tempo span rows', 'time', 'startTime');
  const duration = requireField(frame, 'Tempo span rows', 'duration');
  const name = findField(frame, 'name');
  const traceService = findField(frame, 'traceService');
  const traceName = findField(frame, 'traceName');
  const status = findField(frame, ...STATUS_NAMES);
  const route = findField(frame, ...ROUTE_NAMES);
  const method = findField(frame, ...METHOD_NAMES);
  const httpStatus = findField(frame, ...HTTP_STATUS_NAMES);
  const service = findField(frame, ...SERVICE_NAMES);
  const exception = findField(frame, ...EXCEPTION_NAMES);
  const client = findField(frame, ...CLIENT_NAMES);
  // Duration of span rows is in nanoseconds (field unit "ns"); honour another unit if a future version sends one.
  const unit = duration.config?.unit;
  const toMs = unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'µs' || unit === 'us' ? 1e-3 : 1e-6;

  const n = frameLength(frame);
  for (let i = 0; i < n; i++) {
    const id = toStringOrUndefined(cell(traceId, i));
    const startMs = toEpochMs(cell(time, i));
    const durationMs = toNumber(cell(duration, i)) * toMs;
    if (!id || !Number.isFinite(startMs) || !Number.isFinite(durationMs) || durationMs < 0) {
      skipped++;
      continue;
    }
    const code = toNumber(cell(httpStatus, i));
    const httpCode = Number.isFinite(code) ? code : undefined;
    const tx: Transaction = {
      traceId: id,
      spanId: toStringOrUndefined(cell(spanId, i)) ?? '',
      startMs,
      durationMs,
      failed: isFailed(cell(status, i), httpCode),
      name: toStringOrUndefined(cell(name, i)) ?? '',
      service: toStringOrUndefined(cell(service, i)) ?? fallbackService,
    };
    const r = selectedAttribute(cell(route, i));
    if (r) {
      tx.route = r;
    }
    const m = selectedAttribute(cell(method, i));
    if (m) {
      tx.method = m;
    }
    if (httpCode !== undefined) {
      tx.httpStatus = httpCode;
    }
    const ex = selectedAttribute(cell(exception, i));
    if (ex) {
      tx.exception = ex;
    }
    const ca = selectedAttribute(cell(client, i));
    if (ca) {
      tx.clientAddress = ca;
    }
    const rs = toStringOrUndefined(cell(traceService, i)) ?? parent?.rootService;
    if (rs) {
      tx.rootService = rs;
    }
    const rn = toStringOrUndefined(cell(traceName, i)) ?? parent?.rootName;
    if (rn) {
      tx.rootName = rn;
    }
    rows.push(tx);
  }
  return { rows, skipped };
}

function nestedFrames(value: unknown): FrameLike[] {
  const list = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  if (!Array.isArray(list)) {
    return [];
  }
  const out: FrameLike[] = [];
  for (const item of list) {
    if (isFrameLike(item)) {
      out.push(item);
    } else if (isDataFrameJSON(item)) {
      // The backend encodes nested frames as DataFrameJSON (schema + columnar data).
      out.push(fromDataFrameJSON(item));
    }
  }
  return out;
}

/** Parse every search frame in a response. Throws FrameFormatError when no frame has the expected shape. */
export function transactionsFromFrames(frames: unknown[], service: string): TransactionSet {
  const transactions: Transaction[] = [];
  let skipped = 0;
  let recognised = false;
  for (const frame of frames) {
    if (!isFrameLike(frame)) {
      continue;
    }
    if (frame.name === 'Streaming Progress' || frame.refId === 'streaming-progress') {
      continue;
    }
    const nested = findField(frame, 'nested');
    if (nested && findField(frame, 'traceID')) {
      recognised = true;
      const traceService = findField(frame, 'traceService');
      const traceName = findField(frame, 'traceName');
      const n = frameLength(frame);
      for (let i = 0; i < n; i++) {
        const parent = {
          rootService: toStringOrUndefined(cell(traceService, i)),
          rootName: toStringOrUndefined(cell(traceName, i)),
        };
        for (const sub of nestedFrames(nested.values[i])) {
          const r = spansFrameRows(sub, service, parent);
          transactions.push(...r.rows);
          skipped += r.skipped;
        }
      }
      continue;
    }
    if (findField(frame, 'spanID') && findField(frame, 'duration')) {
      recognised = true;
      const r = spansFrameRows(frame, service);
      transactions.push(...r.rows);
      skipped += r.skipped;
    }
  }
  if (!recognised && frames.some((f) => isFrameLike(f) && frameLength(f) > 0)) {
    throw new FrameFormatError(
      'The Tempo response has no span rows (expected a "Spans" or "Traces" frame from a TraceQL search)'
    );
  }
  transactions.sort((a, b) => a.startMs - b.startMs);
  return { transactions, points: pointsOf(transactions), skipped };
}

export function pointsOf(transactions: Transaction[]): ScatterPoints {
  const n = transactions.length;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const failed = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const t = transactions[i]!;
    x[i] = t.startMs;
    y[i] = t.durationMs;
    failed[i] = t.failed ? 1 : 0;
  }
  return { n, x, y, failed };
}

/** Distinct traces: the unit Tempo's `limit` counts, so the truncation check compares against this. */
export function distinctTraceCount(transactions: Transaction[]): number {
  return new Set(transactions.map((t) => t.traceId)).size;
}

import { type NodeKind, type ServerMapEdge, type ServerMapNode, type TrafficStats } from './types';

/**
 * Nodes and links of a map rebuilt from the map worker's reply whose numbers stay in the reply's columns until
 * something reads them. Their ids, names and kinds are fields, as in any map; `inbound`, `outbound` and `stats`
 * are getters that read the record's numbers on first use and keep them. At 20,000 links the panel draws a few
 * thousand records: building every record's statistics up front (an object, a histogram, a buckets view and
 * ~13 boxed numbers each, ~450,000 objects) filled the young generation with survivors, and the scavenge that
 * copied them was a 60–120 ms task on the main thread.
 *
 * A getter is not an own property: `{ ...node }` and Jest's toEqual do not see `inbound`, `outbound` or `stats`
 * (tests compare `plainMap(map)`, test/fixtures/workerCrossing.ts).
 */

/** What a drawn node or link shows of its numbers (the scene's labels, widths and colours). */
export type ShownNumbers = Pick<TrafficStats, 'calls' | 'errorRate' | 'avgMs' | 'avgApproximate' | 'ratePerSecond'>;

/** Reads the numbers of record `at` (nodes first, then links, as in the reply's columns). */
export interface RecordNumbers {
  stats(at: number): TrafficStats;
  outbound(node: number): ServerMapNode['outbound'];
  /** Record `at`'s shown numbers written into `into` (nothing allocated), which is returned. */
  shown(at: number, into: ShownNumbers): ShownNumbers;
  /** A node's outbound calls (what a user node shows). */
  outboundCalls(node: number): number;
}

/** Read a record's shown numbers, its outbound calls, without building its statistics (see shownNumbers). */
const SHOWN = Symbol('shown numbers');
const OUTBOUND_CALLS = Symbol('outbound calls');
/** One object for every read: its numbers are valid until the next shownNumbers call. */
const shownScratch: ShownNumbers = { calls: 0, errorRate: undefined, avgMs: undefined, avgApproximate: undefined, ratePerSecond: undefined };

/**
 * The numbers a drawn link (or a node's inbound side) shows: for a record rebuilt from a reply, read straight from
 * the reply's columns into one shared object (valid until the next call: copy what you keep), so refreshing the
 * scene of a 1,000-node map does not build ~4,000 records' statistics (an object, a histogram and a buckets view
 * each) that only the tooltip and details ever read whole; for any other record, its statistics.
 */
export function shownNumbers(record: ServerMapEdge | ServerMapNode): ShownNumbers {
  const read = (record as { [SHOWN]?: (into: ShownNumbers) => ShownNumbers })[SHOWN];
  return read ? read.call(record, shownScratch) : 'stats' in record ? record.stats : record.inbound;
}

/** A node's outbound calls, read as shownNumbers reads (no statistics built for a record from a reply). */
export function outboundCalls(node: ServerMapNode): number {
  const read = (node as { [OUTBOUND_CALLS]?: () => number })[OUTBOUND_CALLS];
  return read ? read.call(node) : node.outbound.calls;
}

/** The record's place in the reply: not enumerable, so no reader (spread, toEqual, keys) sees it as a field. */
const AT = Symbol('record index in the reply');

function placeAt(record: object, at: number): void {
  Object.defineProperty(record, AT, { value: at });
}

export interface RecordFactories {
  node(
    at: number,
    id: string,
    name: string,
    namespace: string | undefined,
    kind: NodeKind,
    system: string | undefined,
    instances: number | undefined
  ): ServerMapNode;
  /** A link; `at` is its record index, after the nodes' (`nodeCount + i`). */
  edge(at: number, id: string, source: string, target: string, connectionType: string): ServerMapEdge;
  /** Reads record `at`'s numbers now (what its getters would read first), for a record about to be drawn. */
  readNumbers(at: number, isNode: boolean): void;
  /**
   * From now on every record reads its numbers from `numbers` (a later reply for the same nodes and links in
   * the same order: refillMap.ts); what was read from the previous reply is forgotten.
   */
  repoint(numbers: RecordNumbers): void;
}

/** The record constructors each map rebuilt from a reply was made with (for refillMap.ts). */
const factoriesOf = new WeakMap<object, RecordFactories>();

export function attachRecords(map: object, records: RecordFactories): void {
  factoriesOf.set(map, records);
}

export function recordsOf(map: object): RecordFactories | undefined {
  return factoriesOf.get(map);
}

/** Record constructors for one reply (their numbers and the ones already read are the reply's). */
export function recordsFromReply(first: RecordNumbers): RecordFactories {
  let numbers = first;
  let statsRead: Array<TrafficStats | undefined> = [];
  let outboundRead: Array<ServerMapNode['outbound'] | undefined> = [];
  const statsOf = (record: object): TrafficStats => {
    const at = (record as { [AT]: number })[AT];
    return (statsRead[at] ??= numbers.stats(at));
  };

  class NodeFromReply implements ServerMapNode {
    constructor(
      at: number,
      public id: string,
      public name: string,
      public namespace: string | undefined,
      public kind: NodeKind,
      public system: string | undefined,
      public instances: number | undefined
    ) {
      placeAt(this, at);
    }

    get inbound(): TrafficStats {
      return statsOf(this);
    }

    get outbound(): ServerMapNode['outbound'] {
      const at = (this as unknown as { [AT]: number })[AT];
      return (outboundRead[at] ??= numbers.outbound(at));
    }

    [SHOWN](into: ShownNumbers): ShownNumbers {
      return numbers.shown((this as unknown as { [AT]: number })[AT], into);
    }

    [OUTBOUND_CALLS](): number {
      return numbers.outboundCalls((this as unknown as { [AT]: number })[AT]);
    }
  }

  class EdgeFromReply implements ServerMapEdge {
    constructor(
      at: number,
      public id: string,
      public source: string,
      public target: string,
      public connectionType: string
    ) {
      placeAt(this, at);
    }

    get stats(): TrafficStats {
      return statsOf(this);
    }

    [SHOWN](into: ShownNumbers): ShownNumbers {
      return numbers.shown((this as unknown as { [AT]: number })[AT], into);
    }
  }

  return {
    node: (at, id, name, namespace, kind, system, instances) =>
      new NodeFromReply(at, id, name, namespace, kind, system, instances),
    edge: (at, id, source, target, connectionType) => new EdgeFromReply(at, id, source, target, connectionType),
    readNumbers: (at, isNode) => {
      statsRead[at] ??= numbers.stats(at);
      if (isNode) {
        outboundRead[at] ??= numbers.outbound(at);
      }
    },
    repoint: (next) => {
      numbers = next;
      statsRead = [];
      outboundRead = [];
    },
  };
}

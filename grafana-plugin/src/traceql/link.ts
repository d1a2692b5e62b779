/**
 * TraceQL for the spans behind a server-map node or link. One set of builders serves the "Traces" links to
 * Explore and the scatter filtered to a link, so both show the same calls.
 */
import { traceqlString } from './literals';

/** The server map's node kinds, as far as a query needs them. */
export type EndpointKind = 'user' | 'service' | 'database' | 'cache' | 'messaging' | 'external';

export interface TraceEndpoint {
  name: string;
  kind: EndpointKind;
}

/** A server-map link: caller (`source`) → callee (`target`), with Tempo's `connection_type` when known. */
export interface TraceLink {
  source: TraceEndpoint;
  target: TraceEndpoint;
  connectionType?: string;
}

function isTerminal(kind: EndpointKind): boolean {
  return kind === 'database' || kind === 'cache' || kind === 'messaging' || kind === 'external';
}

/**
 * The peer attributes Tempo's service graph names an uninstrumented callee after (compose/tempo.yaml
 * `peer_attributes` / `database_name_attributes`): databases, caches, queues and external hosts have no
 * spans of their own, so their calls are the caller's spans that carry one of these.
 */
export function peerPredicate(target: TraceEndpoint): string {
  const name = traceqlString(target.name);
  switch (target.kind) {
    case 'database':
    case 'cache':
      return `(span.db.system = ${name} || span.db.name = ${name} || span.db.namespace = ${name} || span.server.address = ${name} || span.peer.service = ${name})`;
    case 'messaging':
      return `(span.messaging.system = ${name} || span.messaging.destination.name = ${name} || span.server.address = ${name})`;
    default:
      return `(span.server.address = ${name} || span.peer.service = ${name})`;
  }
}

/** Messages are sent by producer spans; everything else by client spans. */
function callerKind(target: TraceEndpoint, connectionType: string | undefined): string {
  if (target.kind === 'messaging') {
    return '(kind = producer || kind = client)';
  }
  return connectionType === 'messaging_system' ? 'kind = producer' : 'kind = client';
}

function conditions(all: string[]): string {
  return `{ ${all.join(' && ')} }`;
}

/**
 * The spans of a node: the server spans a service received, or the client spans calling a database, cache,
 * queue or external host. Undefined for the virtual `user` node (it has no spans).
 */
export function nodeSpanset(node: TraceEndpoint): string | undefined {
  if (node.kind === 'service') {
    return conditions([`resource.service.name = ${traceqlString(node.name)}`, 'kind = server']);
  }
  if (isTerminal(node.kind)) {
    return conditions([callerKind(node, undefined), peerPredicate(node)]);
  }
  return undefined;
}

/**
 * The calls along one link, one span per call, with `extra` conditions (duration band, status) on those spans:
 * - `user` → X: X's server spans that start a trace (Tempo's `user` is virtual and has no spans);
 * - service → service: the caller's client spans whose direct child is a server span of the callee (the pair
 *   Tempo's service graph counts; structural operators return the right-hand side, so `{callee} < {caller}`);
 * - service → database / cache / queue / external host: the caller's client spans naming that peer.
 */
export function linkSpanset(link: TraceLink, extra: string[] = []): string {
  const { source, target } = link;
  if (source.kind === 'user') {
    return conditions([
      `resource.service.name = ${traceqlString(target.name)}`,
      'kind = server',
      'nestedSetParent < 0',
      ...extra,
    ]);
  }
  const caller = `resource.service.name = ${traceqlString(source.name)}`;
  if (isTerminal(target.kind)) {
    return conditions([caller, callerKind(target, link.connectionType), peerPredicate(target), ...extra]);
  }
  const calleeKind = link.connectionType === 'messaging_system' ? 'kind = consumer' : 'kind = server';
  const callee = conditions([`resource.service.name = ${traceqlString(target.name)}`, calleeKind]);
  return `${callee} < ${conditions([caller, callerKind(target, link.connectionType), ...extra])}`;
}

/** The service whose spans `linkSpanset` returns: the callee for `user` → X, else the caller. */
export function linkSpanService(link: TraceLink): string {
  return link.source.kind === 'user' ? link.target.name : link.source.name;
}

/** "gateway → orders", for titles. */
export function linkLabel(link: TraceLink): string {
  return `${link.source.name} → ${link.target.name}`;
}

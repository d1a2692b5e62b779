/** What the details panel queries for the picked node or link, as pure functions of the map model. */
import { type GraphSelector, type InstanceSelector, type TraceLink } from '../../traceql';
import { type ServerMapEdge, type ServerMapNode } from '../model';

const end = (n: ServerMapNode) => ({ name: n.name, namespace: n.namespace });

/**
 * The service-graph series behind a node's or link's numbers: a node's inbound links (what the details table
 * sums), or for the virtual `user` node the requests it sent; a link's own series.
 */
export function loadSelector(
  node?: ServerMapNode,
  edge?: { source: ServerMapNode; target: ServerMapNode }
): GraphSelector | undefined {
  if (node) {
    return node.kind === 'user' ? { client: end(node) } : { server: end(node) };
  }
  if (edge) {
    return { client: end(edge.source), server: end(edge.target) };
  }
  return undefined;
}

/** Only instrumented services have instances (databases, external hosts and `user` do not). */
export function instanceSelector(node?: ServerMapNode): InstanceSelector | undefined {
  return node?.kind === 'service' ? { service: node.name, namespace: node.namespace } : undefined;
}

/** The link as the scatter and the Traces link query it. */
export function traceLinkOf(edge: ServerMapEdge, source: ServerMapNode, target: ServerMapNode): TraceLink {
  return {
    source: { name: source.name, kind: source.kind },
    target: { name: target.name, kind: target.kind },
    connectionType: edge.connectionType || undefined,
  };
}

/** What the scatter shows for a picked link, in the words of the map (see `linkSpanset`). */
export function linkScatterNote(link: TraceLink): string {
  const { source, target } = link;
  if (source.kind === 'user') {
    return `The scatter shows the requests that start a trace in ${target.name} (its root server spans).`;
  }
  if (target.kind === 'service') {
    return `The scatter shows ${source.name}'s calls answered by ${target.name} (client spans of ${source.name}).`;
  }
  return `The scatter shows ${source.name}'s calls to ${target.name} (client spans of ${source.name}).`;
}

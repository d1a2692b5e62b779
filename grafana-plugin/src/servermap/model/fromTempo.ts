import { type FieldLike, type FrameLike, toNumber } from './frames';
import { type RawEdge, type RawNodeInfo } from './assemble';

// Node Graph field names (NodeGraphDataFrameFieldNames values in @grafana/data; lower-case on the wire).
const F = {
  id: 'id',
  title: 'title',
  subtitle: 'subtitle',
  mainStat: 'mainstat',
  secondaryStat: 'secondarystat',
  arc: 'arc__',
  source: 'source',
  target: 'target',
  isInstrumented: 'isinstrumented',
} as const;

function field(frame: FrameLike, name: string): FieldLike | undefined {
  return frame.fields.find((f) => f.name.toLowerCase() === name);
}

export function isNodesFrame(frame: FrameLike): boolean {
  return field(frame, F.id) !== undefined && field(frame, F.source) === undefined && field(frame, F.target) === undefined;
}

export function isEdgesFrame(frame: FrameLike): boolean {
  return field(frame, F.source) !== undefined && field(frame, F.target) !== undefined;
}

export interface TempoInput {
  edges: RawEdge[];
  nodeInfo: Map<string, RawNodeInfo>;
  warnings: string[];
}

/**
 * Reads the Tempo data source's Service Graph frames ("Nodes" and "Edges" in Node Graph field names). Tempo
 * puts the average response time in ms in `mainstat`, requests per second over the range in `secondarystat`
 * and the failed share in `arc__failed`; calls are rate × range, so the range length is needed.
 */
export function fromTempo(nodesFrame: FrameLike | undefined, edgesFrame: FrameLike, rangeSeconds: number | undefined): TempoInput {
  const warnings: string[] = [];
  const seconds = rangeSeconds !== undefined && rangeSeconds > 0 ? rangeSeconds : 1;
  if (rangeSeconds === undefined) {
    warnings.push('time range unknown: Tempo rates are shown as calls per second');
  }
  const nodeInfo = new Map<string, RawNodeInfo>();
  const names = new Map<string, { name: string; namespace?: string }>();
  if (nodesFrame) {
    const id = field(nodesFrame, F.id)!;
    const title = field(nodesFrame, F.title);
    const subtitle = field(nodesFrame, F.subtitle);
    const main = field(nodesFrame, F.mainStat);
    const secondary = field(nodesFrame, F.secondaryStat);
    const failed = field(nodesFrame, `${F.arc}failed`) ?? nodesFrame.fields.find((f) => /^arc__(error|errors|fail)/i.test(f.name));
    const instrumented = field(nodesFrame, F.isInstrumented);
    for (let i = 0; i < id.values.length; i++) {
      const nodeId = String(id.values[i]);
      const rate = toNumber(secondary?.values[i]);
      const calls = Number.isFinite(rate) ? rate * seconds : undefined;
      const failedShare = toNumber(failed?.values[i]);
      const avg = toNumber(main?.values[i]);
      const inst = instrumented?.values[i];
      nodeInfo.set(nodeId, {
        calls,
        errors: calls !== undefined && Number.isFinite(failedShare) ? failedShare * calls : undefined,
        avgMs: Number.isFinite(avg) ? avg : undefined,
        instrumented: inst === undefined || inst === null ? undefined : inst === true || inst === 'true',
      });
      const t = title?.values[i];
      const sub = subtitle?.values[i];
      names.set(nodeId, {
        name: t !== undefined && t !== null && t !== '' ? String(t) : nodeId,
        namespace: sub !== undefined && sub !== null && sub !== '' ? String(sub) : undefined,
      });
    }
  } else {
    warnings.push('Tempo Service Graph: no Nodes frame, node statistics are summed from links');
  }

  const src = field(edgesFrame, F.source)!;
  const dst = field(edgesFrame, F.target)!;
  const main = field(edgesFrame, F.mainStat);
  const secondary = field(edgesFrame, F.secondaryStat);
  const srcName = field(edgesFrame, 'sourcename');
  const srcNs = field(edgesFrame, 'sourcenamespace');
  const dstName = field(edgesFrame, 'targetname');
  const dstNs = field(edgesFrame, 'targetnamespace');
  const str = (f: FieldLike | undefined, i: number) => {
    const v = f?.values[i];
    return v === undefined || v === null || v === '' ? undefined : String(v);
  };
  const edges: RawEdge[] = [];
  let badRows = 0;
  for (let i = 0; i < src.values.length; i++) {
    const s = str(src, i);
    const t = str(dst, i);
    const rate = toNumber(secondary?.values[i]);
    if (s === undefined || t === undefined) {
      badRows++;
      continue;
    }
    const avg = toNumber(main?.values[i]);
    edges.push({
      source: s,
      sourceName: str(srcName, i) ?? names.get(s)?.name ?? s,
      sourceNamespace: str(srcNs, i) ?? names.get(s)?.namespace,
      target: t,
      targetName: str(dstName, i) ?? names.get(t)?.name ?? t,
      targetNamespace: str(dstNs, i) ?? names.get(t)?.namespace,
      connectionType: '',
      calls: Number.isFinite(rate) ? rate * seconds : 0,
      avgMs: Number.isFinite(avg) ? avg : undefined,
    });
  }
  if (badRows > 0) {
    warnings.push(`Tempo Service Graph: ${badRows} edges without source/target were ignored`);
  }
  warnings.push('Tempo Service Graph frames carry no histogram or per-link errors: add the Prometheus queries for 1s/3s/5s bars');
  return { edges, nodeInfo, warnings };
}

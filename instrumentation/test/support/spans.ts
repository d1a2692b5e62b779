/** Spans from decoded ExportTraceServiceRequests, flattened for assertions. */
export type AttrValue = string | number | boolean | AttrValue[] | undefined;

export interface FlatSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  kindName: 'UNSPECIFIED' | 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';
  service: string;
  resource: Record<string, AttrValue>;
  attributes: Record<string, AttrValue>;
  statusCode: number;
  statusMessage: string;
  events: Array<{ name: string; attributes: Record<string, AttrValue> }>;
  startNs: bigint;
  endNs: bigint;
  scope: string;
}

const KIND_NAMES = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'] as const;

type Plain = Record<string, unknown>;

export function anyValue(value: unknown): AttrValue {
  const v = (value ?? {}) as Plain;
  if ('stringValue' in v) return v.stringValue as string;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue as number;
  if ('boolValue' in v) return v.boolValue as boolean;
  if ('arrayValue' in v) return (((v.arrayValue as Plain).values as unknown[]) ?? []).map(anyValue);
  return undefined;
}

export function attributeMap(list: unknown): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const kv of (list as Plain[] | undefined) ?? []) out[kv.key as string] = anyValue(kv.value);
  return out;
}

export function flattenSpans(body: Plain): FlatSpan[] {
  const out: FlatSpan[] = [];
  for (const rs of (body.resourceSpans as Plain[] | undefined) ?? []) {
    const resource = attributeMap((rs.resource as Plain | undefined)?.attributes);
    for (const ss of (rs.scopeSpans as Plain[] | undefined) ?? []) {
      const scope = ((ss.scope as Plain | undefined)?.name as string) ?? '';
      for (const s of (ss.spans as Plain[] | undefined) ?? []) {
        const kind = Number(s.kind ?? 0);
        const status = (s.status as Plain | undefined) ?? {};
        out.push({
          traceId: String(s.traceId ?? ''),
          spanId: String(s.spanId ?? ''),
          parentSpanId: String(s.parentSpanId ?? ''),
          name: String(s.name ?? ''),
          kind,
          kindName: KIND_NAMES[kind] ?? 'UNSPECIFIED',
          service: String(resource['service.name'] ?? ''),
          resource,
          attributes: attributeMap(s.attributes),
          statusCode: Number(status.code ?? 0),
          statusMessage: String(status.message ?? ''),
          events: ((s.events as Plain[] | undefined) ?? []).map((e) => ({
            name: String(e.name ?? ''),
            attributes: attributeMap(e.attributes),
          })),
          startNs: BigInt(String(s.startTimeUnixNano ?? '0')),
          endNs: BigInt(String(s.endTimeUnixNano ?? '0')),
          scope,
        });
      }
    }
  }
  return out;
}

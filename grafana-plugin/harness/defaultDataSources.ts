/**
 * The data sources of a fixture that brings none of its own (demo, demo-*, large, …). Without them the page has
 * no Grafana data source service and every query the panel runs beside the map (the details panel's load over
 * time and instances, the scatter) fails. Installed before the fixture's `setup`, which replaces them when it
 * installs its own fakes (scatter, details, compare).
 *
 * Prometheus answers the details panel's queries from the fixture's topology (harness/topologyDetails.ts), the
 * numbers the map itself shows; every other query, and Tempo, gets an error answer that says plainly that the
 * harness has no such data, and which fixtures do.
 */
import { type DataQueryRequest } from '@grafana/data';
import { type Topology } from '../test/fixtures/serviceGraph';
import { answer, installFakeDataSources } from './fakeDataSources';
import { perHour, topologyDetailsFrames } from './topologyDetails';

export interface DefaultDataSourcesInput {
  /** The fixture's name, for the messages. */
  fixture: string;
  /** The topology the fixture's frames show, over `range`; undefined when its frames come from no topology. */
  topology?: () => Topology;
  range: { from: number; to: number };
  /** Uids the panel asks Prometheus (the details panel's default `mimir`, the uids of the fixture's targets). */
  prometheusUids: readonly string[];
  /** The panel's Tempo data source option. */
  tempoUid: string;
}

/** The fixtures whose fakes answer Tempo (recorded answers), named in the message of those that have none. */
const TEMPO_FIXTURES = '?fixture=scatter, ?fixture=details, ?fixture=compare';

export function noTempoMessage(fixture: string): string {
  return `the dev harness has no Tempo data for fixture "${fixture}" (recorded Tempo answers: ${TEMPO_FIXTURES})`;
}

export function noPrometheusMessage(fixture: string, hasTopology: boolean): string {
  return hasTopology
    ? `the dev harness answers only the details panel's load and instance queries for fixture "${fixture}"`
    : `the dev harness has no Prometheus data for fixture "${fixture}"`;
}

export function installDefaultDataSources(input: DefaultDataSourcesInput): void {
  const { fixture, topology, range } = input;
  // The topology is generated on the first details query only (a 1,000-node one costs a bench page time).
  let hourly: Topology | undefined;
  const prometheus = (uid: string) => ({
    uid,
    type: 'prometheus' as const,
    name: `Prometheus (harness, ${fixture})`,
    query(req: DataQueryRequest) {
      const details =
        topology &&
        topologyDetailsFrames((hourly ??= perHour(topology(), range.to - range.from)), {
          targets: req.targets as unknown as Array<{ refId: string; expr?: string; interval?: string }>,
          from: req.range.from.valueOf(),
          to: req.range.to.valueOf(),
          intervalMs: req.intervalMs,
        });
      return answer(details ?? { message: noPrometheusMessage(fixture, topology !== undefined) });
    },
  });
  installFakeDataSources([
    ...[...new Set(input.prometheusUids)].map(prometheus),
    {
      uid: input.tempoUid,
      type: 'tempo',
      name: `Tempo (harness, ${fixture})`,
      query: () => answer({ message: noTempoMessage(fixture) }),
    },
  ]);
}

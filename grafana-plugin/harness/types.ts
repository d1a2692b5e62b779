import { type DataFrame } from '@grafana/data';
import { type ApmPanelOptions } from '../src/types';
import { type Topology } from '../test/fixtures/serviceGraph';

/**
 * One harness scenario, a module in harness/fixtures/<name>.ts with a default export. Open it with
 * `?fixture=<name>`. `setup` runs before the first render (e.g. to install a fake data source service).
 */
export interface HarnessFixture {
  title: string;
  series: () => DataFrame[];
  /** Range in ms; defaults to the hour ending 2026-11-25 12:00 UTC (the fixtures' time). */
  timeRange?: { from: number; to: number };
  options?: Partial<ApmPanelOptions>;
  /** The panel's queries (`data.request.targets`), for features that re-run them (compare). */
  targets?: Array<{ refId: string; datasource?: { uid: string; type?: string } } & Record<string, unknown>>;
  /**
   * The topology `series()` draws, its counts over `timeRange`: the harness's default Prometheus answers the
   * details panel's load and instance queries from it (harness/defaultDataSources.ts) unless `setup` installs
   * data sources of its own.
   */
  topology?: () => Topology;
  setup?: (params: URLSearchParams) => void | Promise<void>;
}

/**
 * Runs the details panel's load and instance queries through the panel's Prometheus data source and keeps the
 * newest answer; an answer for an older selection, range or refresh is dropped.
 */
import { useEffect, useState } from 'react';
import { type TimeRange } from '@grafana/data';
import {
  instanceRequests,
  LOAD_MAX_BARS,
  loadRequests,
  type GraphSelector,
  type InstanceSelector,
} from '../../traceql';
import { runQuery } from '../../shared/queryClient';
import { type FrameLike } from '../model';
import { instancesFromFrames, type InstancesModel } from './instances';
import { loadFromFrames, type LoadModel } from './load';

export type Loadable<T> = { status: 'loading' } | { status: 'done'; value: T } | { status: 'error'; error: string };

export interface DetailsData {
  load?: Loadable<LoadModel>;
  instances?: Loadable<InstancesModel>;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Errors alone may fail (e.g. a Mimir limit); the calls still draw, with the errors marked unknown. */
async function fetchLoad(uid: string, sel: GraphSelector, timeRange: TimeRange): Promise<LoadModel> {
  const range = { from: timeRange.from.valueOf(), to: timeRange.to.valueOf() };
  const [calls, errors] = loadRequests(sel);
  const opts = { timeRange, maxDataPoints: LOAD_MAX_BARS };
  const [c, e] = await Promise.allSettled([
    runQuery(uid, [calls!], range, opts),
    runQuery(uid, [errors!], range, opts),
  ]);
  if (c.status === 'rejected') {
    throw c.reason;
  }
  const frames = [...c.value, ...(e.status === 'fulfilled' ? e.value : [])] as FrameLike[];
  return loadFromFrames(frames, e.status === 'fulfilled');
}

async function fetchInstances(uid: string, sel: InstanceSelector, timeRange: TimeRange): Promise<InstancesModel> {
  const range = { from: timeRange.from.valueOf(), to: timeRange.to.valueOf() };
  const frames = await runQuery(uid, instanceRequests(sel), range, { timeRange });
  return instancesFromFrames(frames as FrameLike[]);
}

export function useDetailsData(
  uid: string,
  load: GraphSelector | undefined,
  instances: InstanceSelector | undefined,
  timeRange: TimeRange,
  refreshId: string | undefined
): DetailsData {
  const key = JSON.stringify([uid, load, instances, timeRange.from.valueOf(), timeRange.to.valueOf(), refreshId]);
  const [state, setState] = useState<DetailsData & { key: string }>({ key: '' });

  useEffect(() => {
    let live = true;
    const update = (patch: DetailsData) => {
      if (live) {
        setState((s) => (s.key === key ? { ...s, ...patch } : { key, ...patch }));
      }
    };
    if (load) {
      fetchLoad(uid, load, timeRange).then(
        (value) => update({ load: { status: 'done', value } }),
        (e) => update({ load: { status: 'error', error: message(e) } })
      );
    }
    if (instances) {
      fetchInstances(uid, instances, timeRange).then(
        (value) => update({ instances: { status: 'done', value } }),
        (e) => update({ instances: { status: 'error', error: message(e) } })
      );
    }
    return () => {
      live = false;
    };
    // The key holds every input; the objects themselves are new on each render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  // Until the answers for this key arrive, what was asked for reads as loading (never the previous node's data).
  const current = state.key === key ? state : { key };
  return {
    load: load ? (current.load ?? { status: 'loading' }) : undefined,
    instances: instances ? (current.instances ?? { status: 'loading' }) : undefined,
  };
}

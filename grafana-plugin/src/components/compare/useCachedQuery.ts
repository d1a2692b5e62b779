import { useEffect, useState } from 'react';

export type QueryState<T> =
  { status: 'idle' } | { status: 'loading' } | { status: 'error'; error: string } | { status: 'done'; value: T };

/**
 * Settled answers by key, page-wide: turning Compare off and on again, or a remount of the panel, finds the
 * baseline already loaded and repaints without querying (a dashboard refresh changes the request id, so the key).
 */
const CACHE_SIZE = 16;
const settled = new Map<string, QueryState<unknown>>();

function remember(key: string, state: QueryState<unknown>) {
  settled.delete(key);
  settled.set(key, state);
  while (settled.size > CACHE_SIZE) {
    settled.delete(settled.keys().next().value!);
  }
}

/** Tests and the bench: forget every answer. */
export function clearQueryCache(): void {
  settled.clear();
}

function message(e: unknown): string {
  if (e instanceof Error) {
    return e.message;
  }
  const m =
    (e as { data?: { message?: string }; message?: string } | undefined)?.data?.message ??
    (e as { message?: string } | undefined)?.message;
  return m ?? String(e);
}

/**
 * Runs `run` once per key (undefined = nothing to run) and returns its state; answers from earlier renders or
 * other panels are read during render, so a cached answer paints in the same frame.
 */
export function useCachedQuery<T>(key: string | undefined, run: () => Promise<T>): QueryState<T> {
  const [local, setLocal] = useState<{ key: string; state: QueryState<T> } | undefined>();
  const cached = key !== undefined ? (settled.get(key) as QueryState<T> | undefined) : undefined;
  useEffect(() => {
    if (key === undefined || settled.has(key)) {
      return;
    }
    let live = true;
    run().then(
      (value) => {
        const state: QueryState<T> = { status: 'done', value };
        remember(key, state);
        if (live) {
          setLocal({ key, state });
        }
      },
      (e: unknown) => {
        // Errors are not cached: the next toggle or refresh tries again.
        if (live) {
          setLocal({ key, state: { status: 'error', error: message(e) } });
        }
      }
    );
    return () => {
      live = false;
    };
    // `run` is a new closure each render; the key says when it asks something else.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  if (key === undefined) {
    return { status: 'idle' };
  }
  if (cached) {
    return cached;
  }
  return local?.key === key ? local.state : { status: 'loading' };
}

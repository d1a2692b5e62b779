import { useLayoutEffect, useRef } from 'react';

/**
 * A ref holding the latest render's `value` (written before any effect of that render runs). Callbacks that must
 * keep their identity across renders (memoised children, a canvas widget's event handlers) read it to act on the
 * latest props.
 */
export function useLatest<T>(value: T): { readonly current: T } {
  const ref = useRef(value);
  useLayoutEffect(() => {
    ref.current = value;
  });
  return ref;
}

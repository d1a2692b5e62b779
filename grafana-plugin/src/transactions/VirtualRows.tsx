import React, { useCallback, useEffect, useRef, useState } from 'react';

export interface VirtualRowsProps {
  count: number;
  rowHeight: number;
  height: number;
  renderRow: (index: number, style: React.CSSProperties) => React.ReactNode;
  /** Row to bring into view (e.g. the hottest call-tree row) when it changes. */
  scrollToIndex?: number;
  overscan?: number;
  testId?: string;
}

/**
 * Fixed-height windowing: only the rows in view (plus a small overscan) are in the DOM, so a 10 000-span
 * call tree or a 10 000-row selection scrolls like a short one.
 */
export function VirtualRows({ count, rowHeight, height, renderRow, scrollToIndex, overscan = 8, testId }: VirtualRowsProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const onScroll = useCallback(() => setScrollTop(ref.current?.scrollTop ?? 0), []);

  useEffect(() => {
    const el = ref.current;
    if (!el || scrollToIndex === undefined || scrollToIndex < 0) {
      return;
    }
    const top = scrollToIndex * rowHeight;
    if (top < el.scrollTop || top + rowHeight > el.scrollTop + height) {
      el.scrollTop = Math.max(0, top - height / 3);
      setScrollTop(el.scrollTop);
    }
  }, [scrollToIndex, rowHeight, height]);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  const rows: React.ReactNode[] = [];
  for (let i = first; i < last; i++) {
    rows.push(renderRow(i, { position: 'absolute', top: i * rowHeight, height: rowHeight, left: 0, right: 0 }));
  }
  return (
    <div ref={ref} onScroll={onScroll} style={{ height, overflowY: 'auto', position: 'relative' }} data-testid={testId}>
      <div style={{ height: count * rowHeight, position: 'relative', minWidth: '100%' }}>{rows}</div>
    </div>
  );
}

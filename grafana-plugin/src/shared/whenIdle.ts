/**
 * Runs `work` when the browser has nothing more urgent (requestIdleCallback), or after the current frame where
 * that API is missing (Safari). Returns a cancel function, so an effect can hand it back as its cleanup.
 */
export function whenIdle(work: () => void, timeoutMs = 2000): () => void {
  if (typeof requestIdleCallback === 'function') {
    const id = requestIdleCallback(() => work(), { timeout: timeoutMs });
    return () => cancelIdleCallback(id);
  }
  const id = setTimeout(work, 0);
  return () => clearTimeout(id);
}

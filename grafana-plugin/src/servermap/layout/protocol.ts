import { budgetedLayout, type BudgetedLayout, type BudgetInput } from './budget';
import { type LayoutEdge, type LayoutNode, type LayoutProgress } from './types';

/** Main thread → layout worker: lay out this map (only ids and link ends travel, not the stats). */
export interface LayoutRequest {
  type: 'layout';
  id: number;
  input: BudgetInput<LayoutNode, LayoutEdge>;
}

/** Layout worker → main thread. */
export type LayoutReply =
  | { type: 'progress'; id: number; progress: LayoutProgress }
  | { type: 'done'; id: number; result: BudgetedLayout }
  | { type: 'error'; id: number; message: string };

/** What the worker does with a message; plain function so unit tests run it without a Worker. */
export function answerLayoutRequest(req: unknown, post: (reply: LayoutReply) => void): void {
  const r = req as Partial<LayoutRequest> | undefined;
  const id = typeof r?.id === 'number' ? r.id : -1;
  if (r?.type !== 'layout' || !r.input || !Array.isArray(r.input.nodes) || !Array.isArray(r.input.edges)) {
    post({ type: 'error', id, message: 'layout worker: malformed request' });
    return;
  }
  try {
    const result = budgetedLayout(r.input, (progress) => post({ type: 'progress', id, progress }));
    post({ type: 'done', id, result });
  } catch (err) {
    post({ type: 'error', id, message: err instanceof Error ? err.message : String(err) });
  }
}

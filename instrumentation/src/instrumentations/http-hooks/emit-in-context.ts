import { context, type Context } from '@opentelemetry/api';

/**
 * Runs every event of one emitter (a request or response stream) in a given context.
 *
 * Why: with AsyncContextFrame (Node 24's AsyncLocalStorage) a stream's events run in the context of
 * whatever created its socket — on a keep-alive socket that is an earlier request — so a body parser's
 * `next()` or a response callback would otherwise continue someone else's trace. Upstream binds each
 * listener (`context.bind(ctx, emitter)` patches on/once/prepend/remove…); replacing the one `emit` of
 * the object is cheaper: one own property per object, no closure, and `context.with` only when the
 * emit does not already run in that context.
 *
 * `onEvent` sees each event first (errorMonitor-like), which is where the hooks end their spans.
 */
export interface ContextEmitter {
  emit(event: string | symbol, ...args: unknown[]): boolean;
  [key: symbol]: unknown;
}

export type EventObserver<S> = (
  state: S,
  event: string | symbol,
  arg: unknown,
  target: ContextEmitter,
) => void;

const kOriginalEmit = Symbol('lgtm-apm.originalEmit');
const kEmitContext = Symbol('lgtm-apm.emitContext');
const kEmitState = Symbol('lgtm-apm.emitState');
const kObserver = Symbol('lgtm-apm.emitObserver');

type EmitFn = (this: unknown, ...args: unknown[]) => boolean;

function callOriginal(target: ContextEmitter, args: IArguments): boolean {
  return Reflect.apply(target[kOriginalEmit] as EmitFn, target, args);
}

function emitInContext(this: ContextEmitter, event: string | symbol, arg: unknown): boolean {
  const observer = this[kObserver] as EventObserver<unknown> | undefined;
  if (observer !== undefined) observer(this[kEmitState], event, arg, this);
  const ctx = this[kEmitContext] as Context;
  // eslint-disable-next-line prefer-rest-params -- passing `arguments` on avoids an array per emit
  if (context.active() === ctx) return Reflect.apply(this[kOriginalEmit] as EmitFn, this, arguments);
  // eslint-disable-next-line prefer-rest-params
  return context.with(ctx, callOriginal, undefined, this, arguments);
}

export function emitInContextOf<S>(
  emitter: ContextEmitter,
  ctx: Context,
  state?: S,
  observer?: EventObserver<S>,
): void {
  if (emitter.emit === emitInContext) {
    // Already wrapped (a redirect or a retry reusing the object): the newest context and state win.
    emitter[kEmitContext] = ctx;
    emitter[kEmitState] = state;
    emitter[kObserver] = observer;
    return;
  }
  emitter[kOriginalEmit] = emitter.emit;
  emitter[kEmitContext] = ctx;
  emitter[kEmitState] = state;
  emitter[kObserver] = observer;
  emitter.emit = emitInContext as ContextEmitter['emit'];
}

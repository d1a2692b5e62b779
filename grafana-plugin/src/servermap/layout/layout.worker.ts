// Web Worker entry (bundled by webpack into its own file beside module.js, see createLayoutWorker.ts): the map's
// layout runs here so a large map never blocks the tab.
import { answerLayoutRequest } from './protocol';

// The DOM typings describe `self` as a window; in a dedicated worker postMessage takes just the message.
const scope = self as unknown as {
  onmessage: ((ev: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
};
scope.onmessage = (ev) => answerLayoutRequest(ev.data, (reply) => scope.postMessage(reply));

// Web Worker entry (bundled by webpack into its own file beside module.js, see createLayoutWorker.ts): the map's
// model build (large inputs) and its layout run here so a large map never blocks the tab.
import { answerModelRequest, type FramesMemory, type ModelRequest } from './modelProtocol';
import { answerLayoutRequest } from './protocol';

// The DOM typings describe `self` as a window; in a dedicated worker postMessage takes just the message.
const scope = self as unknown as {
  onmessage: ((ev: MessageEvent) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
};
// The frames structure kept for refreshes that send only new numbers (modelProtocol.ts).
const memory: FramesMemory = {};
scope.onmessage = (ev) => {
  const data = ev.data as { type?: string } | undefined;
  if (data?.type === 'model') {
    answerModelRequest(data as ModelRequest, (reply, transfer) => scope.postMessage(reply, transfer), memory);
  } else {
    answerLayoutRequest(ev.data, (reply) => scope.postMessage(reply));
  }
};

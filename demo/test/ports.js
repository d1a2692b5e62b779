// Finding four consecutive free ports for run-all's DEMO_PORT_BASE.
import { createServer } from 'node:net';

const isFree = (port) =>
  new Promise((resolve) => {
    const srv = createServer().once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });

export async function freeBase() {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    let ok = true;
    for (let p = base; p < base + 4 && ok; p++) ok = await isFree(p);
    if (ok) return base;
  }
  throw new Error('no four consecutive free ports found');
}

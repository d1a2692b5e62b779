// The traces benchmark's service as an ES module: the same handler, with http and pg imported, so the
// ESM loader hook is what instruments them.
import http from 'node:http';
import pg from 'pg';
import serve from './demo-handler.cjs';

serve({ http, pg });

'use strict';
// The all-signals benchmark's service: the traces benchmark's handler plus what a real service adds,
// one pino log line and one prom-client counter increment per request.
const pino = require('pino');
const client = require('prom-client');

// /dev/null: the benchmark measures logging work, not the disk or the parent's pipe.
const logger = pino({ name: 'bench' }, pino.destination({ dest: '/dev/null', sync: true }));
const orders = new client.Counter({ name: 'bench_orders_total', help: 'Orders', labelNames: ['status'] });

require('./demo-handler.cjs')({
  http: require('node:http'),
  pg: require('pg'),
  onOrder: (result) => {
    orders.inc({ status: 'ok' });
    logger.info(result, 'order placed');
  },
});

'use strict';
// The traces benchmark's service as CommonJS (how most Node services still load http and pg).
require('./demo-handler.cjs')({ http: require('node:http'), pg: require('pg') });

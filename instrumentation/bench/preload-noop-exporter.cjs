'use strict';
// The kit with an exporter that drops every batch: everything the preload does except protobuf encoding and
// sending. Used by run.mjs (kit_no_export) to show which share of the kit's cost is the export.
require('@lgtm-apm/instrumentation/sdk').start({
  traceExporter: {
    export: (_spans, done) => done({ code: 0 }),
    shutdown: () => Promise.resolve(),
    forceFlush: () => Promise.resolve(),
  },
});

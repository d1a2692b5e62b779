/**
 * Entry of dist/exit-sender.cjs: a short-lived child process started by exit-flush.ts while the app exits.
 * It reads the handed-off spans (JSON) from stdin and exports them with the exporter the app's environment
 * configures; its exit code says whether the backend took them.
 */
import { readFileSync } from 'node:fs';
import { ExportResultCode } from '@opentelemetry/core';
import { readConfig } from '../config/config.ts';
import { createOtlpTraceExporter } from '../tracing/trace-exporter.ts';
import { fromHandOff, type SpanHandOff } from './exit-handoff.ts';
import { FINAL_EXPORT_TIMEOUT_MS } from './final-export.ts';

function main(): void {
  const spans = fromHandOff(JSON.parse(readFileSync(0, 'utf8')) as SpanHandOff);
  const config = readConfig(process.env);
  const exporter = createOtlpTraceExporter({ ...config, exportTimeoutMs: FINAL_EXPORT_TIMEOUT_MS });
  exporter.export(spans, (result) => {
    if (result.code !== ExportResultCode.SUCCESS) {
      process.stderr.write(`${result.error?.message ?? 'export failed'}\n`);
      process.exitCode = 3;
    }
    void exporter.shutdown();
  });
}

try {
  main();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 2;
}

/**
 * Timeout of the exports made while the process exits. Below the OTLP transport's smallest retry backoff
 * (1 s − 20 % jitter), so a refused connection is not retried and cannot hold the process; a healthy
 * backend takes milliseconds for one request.
 */
export const FINAL_EXPORT_TIMEOUT_MS = 750;

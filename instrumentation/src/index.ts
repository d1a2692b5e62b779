export { start, shutdown, getActive, type StartOptions, type LgtmApm } from './sdk/start.ts';
export { readConfig, type KitConfig, DEFAULT_IGNORE_PATHS, DEFAULT_REDACTED_QUERY_PARAMS } from './config/config.ts';
export { INSTRUMENTATION_NAMES, type InstrumentationName } from './instrumentations/catalogue.ts';
export { redactUrl } from './redaction/url.ts';
export { sanitizeSql } from './redaction/sql.ts';

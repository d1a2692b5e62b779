// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');

module.exports = {
  // Jest configuration provided by Grafana scaffolding, extended (not edited) here:
  ...base,
  // d3-color >= 3.1.1 (pulled in by @grafana/data) ships ESM-only `.mjs`, which the scaffold's transform skips.
  transform: { ...base.transform, '^.+\\.mjs$': base.transform['^.+\\.(t|j)sx?$'] },
  // Pure-model tests and the Chromium browser tests live in test/ (browser tests pick the node environment
  // with a `@jest-environment node` docblock).
  testMatch: [...new Set(base.testMatch), '<rootDir>/test/**/*.test.{ts,tsx}'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.cache/'],
  // A safety net, not a speed check: Jest's 5 s default failed a pure-model test that takes < 1 s alone when
  // the two cores were loaded 12-15 deep. Speed is measured by the benchmarks.
  testTimeout: 60_000,
};

// Jest setup provided by Grafana scaffolding. The scaffold's setup patches jsdom globals, so it is loaded only
// for jsdom suites; browser tests (`@jest-environment node`) drive a real Chromium instead.
if (typeof window !== 'undefined') {
  require('./.config/jest-setup');
}

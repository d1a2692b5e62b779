import { test, expect } from '@grafana/plugin-e2e';

// Runs against a real Grafana (`npm run server` or GRAFANA_URL) with the provisioned dashboard; not part of CI
// here (no Docker engine). The harness browser tests in test/browser cover the same component without Grafana.

test('draws the server map from a calls query', async ({ gotoPanelEditPage, readProvisionedDashboard, page }) => {
  const dashboard = await readProvisionedDashboard({ fileName: 'dashboard.json' });
  await gotoPanelEditPage({ dashboard, id: '1' });
  await expect(page.getByTestId('lgtmapm-servermap-canvas')).toBeVisible();
  await expect(page.getByTestId('lgtmapm-servermap-counts')).toHaveText('4 nodes · 3 links');
});

test('says there is no data instead of failing', async ({ gotoPanelEditPage, readProvisionedDashboard, page }) => {
  const dashboard = await readProvisionedDashboard({ fileName: 'dashboard.json' });
  await gotoPanelEditPage({ dashboard, id: '2' });
  await expect(page.getByTestId('lgtmapm-servermap-error')).toBeVisible();
});

import { config, locationService } from '@grafana/runtime';
import { grafanaBase } from '../../src/shared/grafanaLinks';

describe('grafanaBase: sub-path and org from the Grafana runtime', () => {
  const saved = { appSubUrl: config.appSubUrl, bootData: config.bootData };
  afterEach(() => {
    config.appSubUrl = saved.appSubUrl;
    config.bootData = saved.bootData;
    locationService.push('/');
  });

  it('uses config.appSubUrl and the org in the page URL', () => {
    config.appSubUrl = '/grafana/';
    config.bootData = { ...saved.bootData, user: { ...saved.bootData?.user, orgId: 2 } } as typeof config.bootData;
    locationService.push('/d/abc?orgId=5&var-service=orders');
    expect(grafanaBase()).toEqual({ appSubUrl: '/grafana', orgId: 5 });
  });

  it("falls back to the signed-in user's org, and to no org at all", () => {
    config.appSubUrl = '';
    config.bootData = { ...saved.bootData, user: { ...saved.bootData?.user, orgId: 3 } } as typeof config.bootData;
    locationService.push('/d/abc');
    expect(grafanaBase()).toEqual({ appSubUrl: '', orgId: 3 });
    config.bootData = {
      ...saved.bootData,
      user: { ...saved.bootData?.user, orgId: undefined },
    } as unknown as typeof config.bootData;
    expect(grafanaBase()).toEqual({ appSubUrl: '', orgId: undefined });
  });
});

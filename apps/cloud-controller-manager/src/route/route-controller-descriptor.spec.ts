import type { CloudProvider } from '@app/cloud-provider';
import { ConfigError } from '@app/config';
import type { ControllerContext } from '../controller-context';
import type { CcmSettings } from '../settings';
import { routeControllerDescriptor } from './route-controller-descriptor';
import { FakeRoutes } from './testing/route-fakes';

const settings = (overrides: Partial<CcmSettings>): CcmSettings =>
  ({ configureCloudRoutes: true, clusterCidr: '10.244.0.0/16', ...overrides }) as CcmSettings;

/** Only what init reads before deciding to skip; anything else would throw. */
const context = (s: CcmSettings, withRoutes = true): ControllerContext =>
  ({
    settings: s,
    cloud: { routes: () => (withRoutes ? new FakeRoutes() : undefined) } as CloudProvider,
  }) as ControllerContext;

describe('routeControllerDescriptor', () => {
  it('should be node-route-controller with the alias route', () => {
    expect(routeControllerDescriptor.name).toBe('route');
    expect(routeControllerDescriptor.fullName).toBe('node-route-controller');
  });

  it.each([
    [{ configureCloudRoutes: false }, true, /--configure-cloud-routes: false/],
    [{}, false, /cloud provider does not support routes/],
    [{ clusterCidr: '' }, true, /--cluster-cidr is empty/],
  ])('should skip with %j (cloud routes: %s)', (overrides, withRoutes, reason) => {
    const result = routeControllerDescriptor.init(context(settings(overrides), withRoutes));
    expect(result).toEqual({ skipped: expect.stringMatching(reason) as string });
  });

  it('should refuse an invalid --cluster-cidr only when it would configure routes', () => {
    const validate = (s: CcmSettings) => () => routeControllerDescriptor.validate?.(s);
    expect(validate(settings({ clusterCidr: '10.0.0.0/8,10.1.0.0/16' }))).toThrow(ConfigError);
    expect(validate(settings({ clusterCidr: 'nope' }))).toThrow(/failed to parse cidr value/);
    expect(
      validate(settings({ clusterCidr: '10.0.0.0/8,10.1.0.0/16', configureCloudRoutes: false })),
    ).not.toThrow();
    expect(validate(settings({ clusterCidr: '' }))).not.toThrow();
    expect(validate(settings({ clusterCidr: '10.0.0.0/8,fd00::/48' }))).not.toThrow();
  });
});

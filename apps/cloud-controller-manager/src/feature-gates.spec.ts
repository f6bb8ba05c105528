import { ConfigError } from '@app/config';
import { parseFeatureGates } from './feature-gates';

describe('parseFeatureGates', () => {
  it('should default every gate to off', () => {
    expect(parseFeatureGates('')).toEqual({
      CloudControllerManagerWatchBasedRoutesReconciliation: false,
      CloudControllerManagerWebhook: false,
      ControllerManagerReleaseLeaderElectionLockOnExit: false,
      LoadBalancerStatusImprovements: false,
    });
  });

  it('should set the named gates', () => {
    const gates = parseFeatureGates(
      'CloudControllerManagerWatchBasedRoutesReconciliation=true, CloudControllerManagerWebhook=false',
    );
    expect(gates.CloudControllerManagerWatchBasedRoutesReconciliation).toBe(true);
    expect(gates.CloudControllerManagerWebhook).toBe(false);
  });

  it.each([
    ['Nope=true', 'unrecognized feature gate: Nope'],
    ['CloudControllerManagerWebhook=yes', 'invalid value of CloudControllerManagerWebhook=yes'],
    ['CloudControllerManagerWebhook', 'invalid value of CloudControllerManagerWebhook='],
  ])('should refuse %j', (flag, message) => {
    expect(() => parseFeatureGates(flag)).toThrow(ConfigError);
    expect(() => parseFeatureGates(flag)).toThrow(message);
  });
});

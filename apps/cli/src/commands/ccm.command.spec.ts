import { Command } from 'commander';
import { CloudControllerManagerConfig, validateConfig } from '@app/config';
import { settingsOf } from '../../../cloud-controller-manager/src/settings';
import { addCcmOptions } from './ccm.command';

/** Parses `argv` with the `nimbus ccm` options into the validated settings (no action). */
function parse(argv: string[]) {
  const command = addCcmOptions(new Command('ccm')).exitOverride();
  command.parse(argv, { from: 'user' });
  return settingsOf(validateConfig(CloudControllerManagerConfig, command.opts()));
}

describe('nimbus ccm options', () => {
  it('has the upstream defaults', () => {
    expect(parse([])).toEqual({
      clusterName: 'kubernetes',
      clusterCidr: '',
      allocateNodeCidrs: false,
      controllers: ['*'],
      nodeMonitorPeriodMs: 5_000,
      routeReconciliationPeriodMs: 10_000,
      nodeStatusUpdateFrequencyMs: 300_000,
      concurrentServiceSyncs: 1,
      concurrentNodeSyncs: 1,
      configureCloudRoutes: true,
      leaderElect: true,
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      leaseName: 'cloud-controller-manager',
      leaseNamespace: 'kube-system',
      featureGates: {
        CloudControllerManagerWatchBasedRoutesReconciliation: false,
        CloudControllerManagerWebhook: false,
        ControllerManagerReleaseLeaderElectionLockOnExit: false,
      },
      volumeAddons: true,
    });
  });

  it('reads upstream-style values', () => {
    const settings = parse([
      '--controllers=*,-route',
      '--leader-elect=false',
      '--configure-cloud-routes=false',
      '--node-monitor-period=500ms',
      '--concurrent-node-syncs=5',
      '--volume-addons=false',
    ]);
    expect(settings).toMatchObject({
      controllers: ['*', '-route'],
      leaderElect: false,
      configureCloudRoutes: false,
      nodeMonitorPeriodMs: 500,
      concurrentNodeSyncs: 5,
      volumeAddons: false,
    });
  });

  it('refuses a bad duration naming the flag', () => {
    expect(() => parse(['--node-monitor-period=soon'])).toThrow(/--node-monitor-period/);
  });
});

import { Command } from 'commander';
import { CloudControllerManagerConfig, validateConfig } from '@app/config';
import { settingsOf } from '../../../cloud-controller-manager/src/settings';
import { addCcmOptions } from './ccm.command';

/** Parses `argv` with the `nimbus ccm` options into the validated config (no action). */
function parseConfig(argv: string[]) {
  const command = addCcmOptions(new Command('ccm')).exitOverride();
  command.parse(argv, { from: 'user' });
  return validateConfig(CloudControllerManagerConfig, command.opts());
}

/** The same, as the controllers' settings. */
function parse(argv: string[]) {
  return settingsOf(parseConfig(argv));
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
        LoadBalancerStatusImprovements: false,
      },
      volumeAddons: true,
      adoptNodes: false,
      adoptZone: '',
      adoptInstanceType: '',
      deleteAdoptedNodes: false,
    });
  });

  it('reads the node adoption options', () => {
    expect(
      parse([
        '--adopt-nodes',
        '--adopt-zone=nimbus-1b',
        '--adopt-instance-type=nb.large',
        '--delete-adopted-nodes=true',
      ]),
    ).toMatchObject({
      adoptNodes: true,
      adoptZone: 'nimbus-1b',
      adoptInstanceType: 'nb.large',
      deleteAdoptedNodes: true,
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

  it('reads how to trust an https:// cloud API', () => {
    expect(parseConfig([])).toMatchObject({
      cloudUrl: 'http://127.0.0.1:8080',
      cloudInsecureSkipTlsVerify: false,
    });
    expect(parseConfig([]).cloudCaFile).toBeUndefined();
    expect(
      parseConfig([
        '--cloud-url=https://cloud.example:8443',
        '--cloud-ca-file',
        '/etc/nimbus/ca.crt',
      ]),
    ).toMatchObject({ cloudUrl: 'https://cloud.example:8443', cloudCaFile: '/etc/nimbus/ca.crt' });
    expect(parseConfig(['--cloud-insecure-skip-tls-verify']).cloudInsecureSkipTlsVerify).toBe(true);
    expect(parseConfig(['--cloud-insecure-skip-tls-verify=false']).cloudInsecureSkipTlsVerify).toBe(
      false,
    );
  });
});

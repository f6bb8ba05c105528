import type { Command } from 'commander';
import {
  KubeControllerManagerConfig,
  KubeProxyConfig,
  KubeletConfig,
  validateConfig,
} from '@app/config';
import { settingsOf as kcmSettingsOf } from '../../../kube-controller-manager/src/settings';
import { settingsOf as kubeletSettingsOf } from '../../../kubelet/src/settings';
import { controllerManagerCommand } from './controller-manager.command';
import { kubeletCommand } from './kubelet.command';
import { proxyCommand } from './proxy.command';

/** The options `command` parses from `argv` (its action replaced: nothing starts). */
function optionsOf(command: Command, argv: string[]): Record<string, unknown> {
  let parsed: Record<string, unknown> = {};
  command
    .exitOverride()
    .action((options: Record<string, unknown>) => {
      parsed = options;
    })
    .parse(argv, { from: 'user' });
  return parsed;
}

describe('nimbus controller-manager options', () => {
  const parse = (argv: string[]) =>
    validateConfig(KubeControllerManagerConfig, optionsOf(controllerManagerCommand(), argv));

  it('has the upstream kube-controller-manager defaults', () => {
    const config = parse([]);
    expect(config.securePort).toBe(10257);
    expect(kcmSettingsOf(config)).toMatchObject({
      controllers: ['*'],
      allocateNodeCidrs: false,
      cidrAllocatorType: 'RangeAllocator',
      nodeMonitorPeriodMs: 5_000,
      nodeMonitorGracePeriodMs: 50_000,
      nodeStartupGracePeriodMs: 60_000,
      nodeEvictionRate: 0.1,
      secondaryNodeEvictionRate: 0.01,
      largeClusterSizeThreshold: 50,
      unhealthyZoneThreshold: 0.55,
      terminatedPodGcThreshold: 12_500,
      leaderElect: true,
      leaseName: 'kube-controller-manager',
      leaseNamespace: 'kube-system',
    });
  });

  it('reads upstream-style values', () => {
    const settings = kcmSettingsOf(
      parse([
        '--controllers=*,-ttl',
        '--allocate-node-cidrs=true',
        '--cluster-cidr=10.244.0.0/16',
        '--node-cidr-mask-size=26',
        '--node-monitor-grace-period=40s',
        '--terminated-pod-gc-threshold=10',
      ]),
    );
    expect(settings).toMatchObject({
      controllers: ['*', '-ttl'],
      allocateNodeCidrs: true,
      clusterCidr: '10.244.0.0/16',
      nodeCidrMaskSize: 26,
      nodeMonitorGracePeriodMs: 40_000,
      terminatedPodGcThreshold: 10,
    });
  });
});

describe('nimbus kubelet options', () => {
  it('has the kubelet defaults and reads node labels', () => {
    const config = validateConfig(
      KubeletConfig,
      optionsOf(kubeletCommand(), ['--cluster-name=demo', '--node-labels=team=a,tier=web']),
    );
    expect(kubeletSettingsOf(config)).toEqual({
      clusterName: 'demo',
      nodeStatusUpdateFrequencyMs: 10_000,
      nodeStatusReportFrequencyMs: 300_000,
      nodeLeaseDurationSeconds: 40,
      maxPods: 110,
      nodeLabels: { team: 'a', tier: 'web' },
      imagePullDurationMs: 500,
      containerStopDurationMs: 500,
    });
  });

  it('refuses node-role labels as the kubelet does', () => {
    const config = validateConfig(
      KubeletConfig,
      optionsOf(kubeletCommand(), ['--node-labels=node-role.kubernetes.io/worker=']),
    );
    expect(() => kubeletSettingsOf(config)).toThrow(/--node-labels: "node-role/);
  });
});

describe('nimbus proxy options', () => {
  it("serves kube-proxy's health port 10256 by default", () => {
    const config = validateConfig(KubeProxyConfig, optionsOf(proxyCommand(), []));
    expect(config.healthzBindAddress).toBe('0.0.0.0:10256');
    expect(config.clusterName).toBe('kubernetes');
  });
});

import { Command } from 'commander';
import pino from 'pino';
import { KubeControllerManagerConfig, nimbusOption, validateConfig } from '@app/config';
import { addControllerManagerFlags } from './controller-manager-flags';
import { runUntilSignal } from '../shutdown';

/** `nimbus controller-manager` options: upstream kube-controller-manager flag names and 1.32 defaults. */
export function addControllerManagerOptions(command: Command): Command {
  return addControllerManagerFlags(command, {
    controllersHelp:
      'controllers to run: * (all), names or aliases, -name to disable (node-lifecycle-controller/nodelifecycle, taint-eviction-controller, pod-garbage-collector-controller/podgc, node-ipam-controller/nodeipam, ttl-controller/ttl, serviceaccount-controller/serviceaccount, root-ca-certificate-publisher-controller/root-ca-cert-publisher, persistentvolume-binder-controller/persistentvolume-binder, persistentvolume-attach-detach-controller/attachdetach, persistentvolume-expander-controller/persistentvolume-expander, persistentvolumeclaim-protection-controller/pvc-protection, persistentvolume-protection-controller/pv-protection)',
    leaseName: 'kube-controller-manager',
    securePort: 10257,
  })
    .addOption(
      nimbusOption(
        '--cidr-allocator-type <type>',
        'RangeAllocator (CloudAllocator needs an in-tree cloud)',
        'RangeAllocator',
      ),
    )
    .addOption(
      nimbusOption(
        '--node-cidr-mask-size <n>',
        'node pod CIDR size (single-stack; 0 = 24 / 64)',
        '0',
      ),
    )
    .addOption(
      nimbusOption('--node-cidr-mask-size-ipv4 <n>', 'IPv4 node pod CIDR size (0 = 24)', '0'),
    )
    .addOption(
      nimbusOption('--node-cidr-mask-size-ipv6 <n>', 'IPv6 node pod CIDR size (0 = 64)', '0'),
    )
    .addOption(
      nimbusOption(
        '--service-cluster-ip-range <cidr>',
        'kept out of the pod CIDRs where it overlaps',
        '',
      ),
    )
    .addOption(
      nimbusOption(
        '--node-monitor-grace-period <duration>',
        'silence before a node is Unknown',
        '50s',
      ),
    )
    .addOption(
      nimbusOption(
        '--node-startup-grace-period <duration>',
        'grace while a node never posted Ready',
        '1m',
      ),
    )
    .addOption(
      nimbusOption('--node-eviction-rate <qps>', 'NoExecute taints per second per zone', '0.1'),
    )
    .addOption(
      nimbusOption(
        '--secondary-node-eviction-rate <qps>',
        'same, in an unhealthy large zone',
        '0.01',
      ),
    )
    .addOption(
      nimbusOption('--large-cluster-size-threshold <n>', 'nodes in a zone to count as large', '50'),
    )
    .addOption(
      nimbusOption(
        '--unhealthy-zone-threshold <fraction>',
        'not-Ready share of an unhealthy zone',
        '0.55',
      ),
    )
    .addOption(
      nimbusOption('--terminated-pod-gc-threshold <n>', 'terminated pods kept (0 = all)', '12500'),
    )
    .addOption(
      nimbusOption(
        '--horizontal-pod-autoscaler-sync-period <duration>',
        'how often each HorizontalPodAutoscaler is synced',
        '15s',
      ),
    )
    .addOption(
      nimbusOption(
        '--horizontal-pod-autoscaler-downscale-stabilization <duration>',
        'how far back a scale-down looks for higher recommendations',
        '5m',
      ),
    )
    .addOption(
      nimbusOption(
        '--horizontal-pod-autoscaler-tolerance <ratio>',
        'usage ratio change below which the HPA does not scale',
        '0.1',
      ),
    )
    .addOption(
      nimbusOption(
        '--horizontal-pod-autoscaler-cpu-initialization-period <duration>',
        'after a pod starts, CPU samples wait for a full window of readiness',
        '5m',
      ),
    )
    .addOption(
      nimbusOption(
        '--horizontal-pod-autoscaler-initial-readiness-delay <duration>',
        'a pod not Ready this long after starting counts as never ready',
        '30s',
      ),
    )
    .addOption(
      nimbusOption('--concurrent-resource-quota-syncs <n>', 'ResourceQuotas synced at once', '5'),
    )
    .addOption(
      nimbusOption(
        '--resource-quota-sync-period <duration>',
        'how often every quota is recounted in full',
        '5m',
      ),
    )
    .addOption(
      nimbusOption(
        '--root-ca-file <file>',
        'CA published as kube-root-ca.crt (default: the kubeconfig CA)',
      ),
    );
}

/** `nimbus controller-manager`: the kube-controller-manager against any api-server. */
export function controllerManagerCommand(): Command {
  return addControllerManagerOptions(
    new Command('controller-manager').description(
      'Run the kube-controller-manager (workload, node, endpoint, quota, autoscaler, service account and storage controllers)',
    ),
  ).action(async (options: Record<string, unknown>) => {
    const config = validateConfig(KubeControllerManagerConfig, options);
    const logger = pino({ level: config.logLevel, name: 'kube-controller-manager' });
    // Loaded when the command runs: `nimbus <other command>` need not load this app.
    const { startKubeControllerManager } = await import('../../../kube-controller-manager/src');
    const kcm = await startKubeControllerManager(config, { logger });
    logger.info(
      { identity: kcm.identity, health: kcm.healthUrl },
      'kube-controller-manager started',
    );
    await runUntilSignal(kcm);
  });
}

import { Command } from 'commander';
import pino from 'pino';
import { CloudControllerManagerConfig, nimbusOption, validateConfig } from '@app/config';
import { runUntilSignal } from '../shutdown';
import { addCloudClientOptions } from './cloud-client-options';
import { addControllerManagerFlags } from './controller-manager-flags';

/** Options shared by `nimbus ccm` (upstream flag names and defaults, ccm-behaviour §3.1). */
export function addCcmOptions(command: Command): Command {
  return addCloudClientOptions(
    addControllerManagerFlags(command, {
      controllersHelp:
        'controllers to run: * (all), names, -name to disable (cloud-node, cloud-node-lifecycle, service, route, csi-provisioner, csi-attacher, csi-resizer, csi-node-driver-registrar)',
      leaseName: 'cloud-controller-manager',
      securePort: 10258,
    }),
  )
    .addOption(
      nimbusOption('--route-reconciliation-period <duration>', 'route reconcile period', '10s'),
    )
    .addOption(
      nimbusOption('--node-status-update-frequency <duration>', 'node address refresh', '5m'),
    )
    .addOption(nimbusOption('--concurrent-service-syncs <n>', 'service workers', '1'))
    .addOption(nimbusOption('--concurrent-node-syncs <n>', 'node workers', '1'))
    .addOption(nimbusOption('--configure-cloud-routes [bool]', 'run the route controller', 'true'))
    .addOption(
      nimbusOption(
        '--volume-addons [bool]',
        'create the CSIDriver disk.csi.nimbus.dev and StorageClasses nimbus-ssd, nimbus-standard if missing',
        'true',
      ),
    )
    .addOption(
      nimbusOption(
        '--kube-proxy-healthz-port <port>',
        "kube-proxy's /healthz port on the nodes (health check of UDP-only load balancers)",
        '10256',
      ),
    )
    .addOption(
      nimbusOption(
        '--default-volume-zone <zone>',
        'zone of volumes provisioned without any topology (default: the first zone)',
        '',
      ),
    )
    .addOption(
      nimbusOption(
        '--feature-gates <gates>',
        'Name=true,… (CloudControllerManagerWatchBasedRoutesReconciliation, …; all off by default)',
        '',
      ),
    )
    .addOption(
      nimbusOption(
        '--adopt-nodes [bool]',
        'import nodes the cloud does not run (kind, minikube, k3s) as cloud instances',
        'false',
      ),
    )
    .addOption(
      nimbusOption(
        '--adopt-zone <zone>',
        'zone of adopted nodes without a nimbus.dev/zone label',
        '',
      ),
    )
    .addOption(
      nimbusOption(
        '--adopt-instance-type <type>',
        'instance type of adopted nodes without a nimbus.dev/instance-type label',
        '',
      ),
    )
    .addOption(
      nimbusOption(
        '--delete-adopted-nodes [bool]',
        'delete NotReady adopted nodes whose instance is gone (else: shutdown taint only)',
        'false',
      ),
    );
}

/** `nimbus ccm`: the cloud-controller-manager against a kube-apiserver and the Nimbus cloud. */
export function ccmCommand(): Command {
  return addCcmOptions(
    new Command('ccm').description(
      'Run the cloud-controller-manager (node, node lifecycle, service, route and CSI volume controllers)',
    ),
  ).action(async (options: Record<string, unknown>) => {
    const config = validateConfig(CloudControllerManagerConfig, options);
    const logger = pino({ level: config.logLevel, name: 'cloud-controller-manager' });
    // Loaded when the command runs: `nimbus <other command>` need not load this app.
    const { startCloudControllerManager } = await import('../../../cloud-controller-manager/src');
    const ccm = await startCloudControllerManager(config, { logger });
    logger.info(
      { identity: ccm.identity, health: ccm.healthUrl },
      'cloud-controller-manager started',
    );
    await runUntilSignal(ccm);
  });
}

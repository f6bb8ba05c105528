import { Command } from 'commander';
import pino from 'pino';
import { CloudControllerManagerConfig, nimbusOption, validateConfig } from '@app/config';
import { startCloudControllerManager } from '../../../cloud-controller-manager/src';
import { addCloudTlsOptions } from './cloud-client-options';
import { addControlPlaneOptions } from './control-plane-options';

/** Options shared by `nimbus ccm` (upstream flag names and defaults, ccm-behaviour §3.1). */
export function addCcmOptions(command: Command): Command {
  return addControlPlaneOptions(
    addCloudTlsOptions(
      command
        .addOption(nimbusOption('--kubeconfig <file>', 'kubeconfig; absent → in-cluster config'))
        .addOption(
          nimbusOption(
            '--cloud-url <url>',
            'Nimbus cloud API (http:// or https://)',
            'http://127.0.0.1:8080',
          ),
        )
        .addOption(nimbusOption('--cloud-token <token>', 'cloud API project token')),
    )
      .addOption(
        nimbusOption('--cluster-name <name>', 'cluster name tagging cloud resources', 'kubernetes'),
      )
      .addOption(nimbusOption('--cluster-cidr <cidrs>', 'pod CIDR(s) of the cluster (routes)', ''))
      .addOption(
        nimbusOption('--allocate-node-cidrs [bool]', 'accepted for compatibility', 'false'),
      )
      .addOption(
        nimbusOption(
          '--controllers <list>',
          'controllers to run: * (all), names, -name to disable (cloud-node, cloud-node-lifecycle, service, route, csi-provisioner, csi-attacher, csi-resizer, csi-node-driver-registrar)',
          '*',
        ),
      )
      .addOption(nimbusOption('--node-monitor-period <duration>', 'lifecycle loop period', '5s'))
      .addOption(
        nimbusOption('--route-reconciliation-period <duration>', 'route reconcile period', '10s'),
      )
      .addOption(
        nimbusOption('--node-status-update-frequency <duration>', 'node address refresh', '5m'),
      )
      .addOption(nimbusOption('--concurrent-service-syncs <n>', 'service workers', '1'))
      .addOption(nimbusOption('--concurrent-node-syncs <n>', 'node workers', '1'))
      .addOption(
        nimbusOption('--configure-cloud-routes [bool]', 'run the route controller', 'true'),
      ),
    { leaseName: 'cloud-controller-manager', securePort: 10258 },
  )
    .addOption(
      nimbusOption(
        '--volume-addons [bool]',
        'create the CSIDriver disk.csi.nimbus.dev and StorageClasses nimbus-ssd, nimbus-standard if missing',
        'true',
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
    const ccm = await startCloudControllerManager(config, { logger });
    logger.info(
      { identity: ccm.identity, health: ccm.healthUrl },
      'cloud-controller-manager started',
    );
    let signalled = false;
    const onSignal = () => {
      if (signalled) {
        process.exit(130);
      }
      signalled = true;
      void ccm.close();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // Losing the lease ends the process with 1, like upstream; a signal drains and exits 0.
    const code = await ccm.exited;
    await ccm.close();
    process.exit(code);
  });
}

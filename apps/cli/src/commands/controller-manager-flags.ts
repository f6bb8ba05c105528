import type { Command } from 'commander';
import { nimbusOption } from '@app/config';

/**
 * The options every controller manager takes (ControllerManagerFlags: k8s.io/controller-manager's
 * generic flags), with its own `--controllers` help, Lease name and `--secure-port` default.
 */
export function addControllerManagerFlags(
  command: Command,
  own: { controllersHelp: string; leaseName: string; securePort: string },
): Command {
  return command
    .addOption(nimbusOption('--kubeconfig <file>', 'kubeconfig; absent → in-cluster config'))
    .addOption(nimbusOption('--controllers <list>', own.controllersHelp, '*'))
    .addOption(
      nimbusOption('--cluster-name <name>', 'the cluster this manager serves', 'kubernetes'),
    )
    .addOption(nimbusOption('--cluster-cidr <cidrs>', 'pod CIDR range(s) of the cluster', ''))
    .addOption(nimbusOption('--allocate-node-cidrs [bool]', 'assign pod CIDRs to nodes', 'false'))
    .addOption(nimbusOption('--node-monitor-period <duration>', 'node health check period', '5s'))
    .addOption(nimbusOption('--leader-elect [bool]', 'elect a leader on a Lease', 'true'))
    .addOption(nimbusOption('--leader-elect-lease-duration <duration>', 'lease duration', '15s'))
    .addOption(nimbusOption('--leader-elect-renew-deadline <duration>', 'renew deadline', '10s'))
    .addOption(nimbusOption('--leader-elect-retry-period <duration>', 'retry period', '2s'))
    .addOption(nimbusOption('--leader-elect-resource-name <name>', 'Lease name', own.leaseName))
    .addOption(
      nimbusOption('--leader-elect-resource-namespace <ns>', 'Lease namespace', 'kube-system'),
    )
    .addOption(
      nimbusOption(
        '--secure-port <port>',
        '/healthz and /metrics (plain HTTP on --bind-address; -1 = off)',
        own.securePort,
      ),
    )
    .addOption(nimbusOption('--bind-address <host>', 'address of --secure-port', '127.0.0.1'))
    .addOption(
      nimbusOption('--log-level <level>', 'trace|debug|info|warn|error|fatal|silent', 'info'),
    );
}

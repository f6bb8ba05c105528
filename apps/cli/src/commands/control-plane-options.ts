import type { Command } from 'commander';
import { nimbusOption } from '@app/config';

/**
 * The options every control-plane component shares (ControlPlaneConfig): the kubeconfig, leader
 * election on a Lease, `/healthz` + `/metrics` on `--secure-port`, the log level.
 */
export function addControlPlaneOptions(
  command: Command,
  defaults: { leaseName: string; securePort: number },
): Command {
  return command
    .addOption(nimbusOption('--kubeconfig <file>', 'kubeconfig; absent → in-cluster config'))
    .addOption(nimbusOption('--leader-elect [bool]', 'elect a leader on a Lease', 'true'))
    .addOption(nimbusOption('--leader-elect-lease-duration <duration>', 'lease duration', '15s'))
    .addOption(nimbusOption('--leader-elect-renew-deadline <duration>', 'renew deadline', '10s'))
    .addOption(nimbusOption('--leader-elect-retry-period <duration>', 'retry period', '2s'))
    .addOption(
      nimbusOption('--leader-elect-resource-name <name>', 'Lease name', defaults.leaseName),
    )
    .addOption(
      nimbusOption('--leader-elect-resource-namespace <ns>', 'Lease namespace', 'kube-system'),
    )
    .addOption(
      nimbusOption(
        '--secure-port <port>',
        '/healthz and /metrics (plain HTTP on --bind-address; -1 = off)',
        String(defaults.securePort),
      ),
    )
    .addOption(nimbusOption('--bind-address <host>', 'address of --secure-port', '127.0.0.1'))
    .addOption(
      nimbusOption('--log-level <level>', 'trace|debug|info|warn|error|fatal|silent', 'info'),
    );
}

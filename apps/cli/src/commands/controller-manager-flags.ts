import type { Command } from 'commander';
import { nimbusOption } from '@app/config';
import { addControlPlaneOptions } from './control-plane-options';

/**
 * The options every controller manager takes (ControllerManagerFlags: the control-plane options
 * plus k8s.io/controller-manager's generic flags), with its own `--controllers` help, Lease name
 * and `--secure-port` default.
 */
export function addControllerManagerFlags(
  command: Command,
  own: { controllersHelp: string; leaseName: string; securePort: number },
): Command {
  return addControlPlaneOptions(command, own)
    .addOption(nimbusOption('--controllers <list>', own.controllersHelp, '*'))
    .addOption(
      nimbusOption('--cluster-name <name>', 'the cluster this manager serves', 'kubernetes'),
    )
    .addOption(nimbusOption('--cluster-cidr <cidrs>', 'pod CIDR range(s) of the cluster', ''))
    .addOption(nimbusOption('--allocate-node-cidrs [bool]', 'assign pod CIDRs to nodes', 'false'))
    .addOption(nimbusOption('--node-monitor-period <duration>', 'node health check period', '5s'));
}

import { Command } from 'commander';
import pino from 'pino';
import { KubeletConfig, nimbusOption, validateConfig } from '@app/config';
import { runUntilSignal } from '../shutdown';
import { addCloudClientOptions } from './cloud-client-options';

/** `nimbus kubelet`: simulated kubelets for every running instance of the cluster. */
export function kubeletCommand(): Command {
  return addCloudClientOptions(
    new Command('kubelet')
      .description(
        'Run simulated kubelets: one node per running cloud instance labelled nimbus.dev/cluster=<cluster-name>',
      )
      .addOption(nimbusOption('--kubeconfig <file>', 'kubeconfig; absent → in-cluster config')),
  )
    .addOption(
      nimbusOption(
        '--cluster-name <name>',
        'instances labelled nimbus.dev/cluster=<name> run a kubelet',
        'kubernetes',
      ),
    )
    .addOption(
      nimbusOption(
        '--node-status-update-frequency <duration>',
        'node status computed every',
        '10s',
      ),
    )
    .addOption(
      nimbusOption(
        '--node-status-report-frequency <duration>',
        'unchanged status written every',
        '5m',
      ),
    )
    .addOption(nimbusOption('--node-lease-duration-seconds <n>', 'node Lease duration', '40'))
    .addOption(nimbusOption('--max-pods <n>', 'pods per node', '110'))
    .addOption(
      nimbusOption(
        '--node-token-key-file <file>',
        "the api-server's node-token.key: each node authenticates as system:node:<name>",
      ),
    )
    .addOption(nimbusOption('--node-labels <labels>', 'extra node labels key=value,…', ''))
    .addOption(
      nimbusOption('--image-pull-duration <duration>', 'simulated time to pull an image', '500ms'),
    )
    .addOption(
      nimbusOption(
        '--container-stop-duration <duration>',
        'simulated time containers take to stop',
        '500ms',
      ),
    )
    .addOption(
      nimbusOption('--log-level <level>', 'trace|debug|info|warn|error|fatal|silent', 'info'),
    )
    .action(async (options: Record<string, unknown>) => {
      const config = validateConfig(KubeletConfig, options);
      const logger = pino({ level: config.logLevel, name: 'kubelet' });
      // Loaded when the command runs: `nimbus <other command>` need not load this app.
      const { startKubelet } = await import('../../../kubelet/src');
      const kubelet = await startKubelet(config, { logger });
      await runUntilSignal(kubelet);
    });
}

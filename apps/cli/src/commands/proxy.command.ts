import { Command } from 'commander';
import pino from 'pino';
import { KubeProxyConfig, nimbusOption, validateConfig } from '@app/config';
import { runUntilSignal } from '../shutdown';
import { addCloudClientOptions } from './cloud-client-options';

/** `nimbus proxy`: simulated kube-proxies (NodePorts, ClusterIPs, health) for the nodes of the cluster. */
export function proxyCommand(): Command {
  return addCloudClientOptions(
    new Command('proxy')
      .description(
        "Run simulated kube-proxies: NodePorts, healthCheckNodePorts and /healthz on each running node's address, ClusterIPs, forwarding to endpoints in user space",
      )
      .addOption(nimbusOption('--kubeconfig <file>', 'kubeconfig; absent → in-cluster config')),
  )
    .addOption(nimbusOption('--cluster-name <name>', 'cluster of the nodes', 'kubernetes'))
    .addOption(
      nimbusOption(
        '--healthz-bind-address <addr>',
        '0.0.0.0:<port> on every node address (port 0 = one free port for all)',
        '0.0.0.0:10256',
      ),
    )
    .addOption(
      nimbusOption(
        '--metrics-bind-address <addr>',
        '/metrics of the process, host:port (empty = off)',
        '127.0.0.1:10249',
      ),
    )
    .addOption(
      nimbusOption('--proxy-mode <mode>', 'userspace or ipvs (both user space)', 'userspace'),
    )
    .addOption(
      nimbusOption('--ipvs-scheduler <name>', 'rr, wrr, lc, wlc, sed, nq, sh, dh or mh', 'rr'),
    )
    .addOption(
      nimbusOption('--min-sync-period <duration>', 'apply changes at most this often', '1s'),
    )
    .addOption(nimbusOption('--sync-period <duration>', 'reapply everything this often', '30s'))
    .addOption(
      nimbusOption(
        '--data-plane-thread [bool]',
        'forward in a worker thread of its own (false: on the main event loop)',
        'true',
      ),
    )
    .addOption(
      nimbusOption('--log-level <level>', 'trace|debug|info|warn|error|fatal|silent', 'info'),
    )
    .action(async (options: Record<string, unknown>) => {
      const config = validateConfig(KubeProxyConfig, options);
      const logger = pino({ level: config.logLevel, name: 'kube-proxy' });
      // Loaded when the command runs: `nimbus <other command>` need not load this app.
      const { startKubeProxy } = await import('../../../kube-proxy/src');
      const proxy = await startKubeProxy(config, { logger });
      await runUntilSignal(proxy);
    });
}

import { Command } from 'commander';
import pino from 'pino';
import { KubeProxyConfig, nimbusOption, validateConfig } from '@app/config';
import { startKubeProxy } from '../../../kube-proxy/src';
import { runUntilSignal } from '../shutdown';
import { addCloudClientOptions } from './cloud-client-options';

/** `nimbus proxy`: simulated kube-proxies (health endpoints) for the nodes of the cluster. */
export function proxyCommand(): Command {
  return addCloudClientOptions(
    new Command('proxy')
      .description(
        "Run simulated kube-proxies: /healthz and /livez on each running node's address (port 10256)",
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
      nimbusOption('--log-level <level>', 'trace|debug|info|warn|error|fatal|silent', 'info'),
    )
    .action(async (options: Record<string, unknown>) => {
      const config = validateConfig(KubeProxyConfig, options);
      const logger = pino({ level: config.logLevel, name: 'kube-proxy' });
      const proxy = await startKubeProxy(config, { logger });
      await runUntilSignal(proxy);
    });
}

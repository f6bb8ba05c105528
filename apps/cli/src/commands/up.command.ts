import { Command } from 'commander';
import { collectNames, NimbusUpConfig, nimbusOption, validateConfig } from '@app/config';
import { startNimbusUp } from '../up/start-nimbus-up';
import { upBanner } from '../up/up-banner';

/** `nimbus up`: cloud API, built-in api-server and cloud-controller-manager in one process. */
export function upCommand(): Command {
  return new Command('up')
    .description('Run the cloud API, the built-in api-server and the cloud-controller-manager')
    .addOption(
      nimbusOption('--data-dir <dir>', 'state of all three (sqlite files, kubeconfig)', '.nimbus'),
    )
    .addOption(nimbusOption('--host <host>', 'listen address', '127.0.0.1'))
    .addOption(nimbusOption('--cloud-port <port>', 'cloud API port (Swagger UI at /docs)', '8080'))
    .addOption(
      nimbusOption(
        '--cloud-tls [mode]',
        'cloud API over HTTPS with a CA generated in the data dir (cloud-ca.crt): auto (--cloud-tls alone) or off',
        'off',
      ),
    )
    .addOption(
      nimbusOption(
        '--cloud-tls-san <names>',
        'extra IPs/DNS names of the cloud API certificate, comma-separated or repeated',
      ).argParser(collectNames),
    )
    .addOption(nimbusOption('--apiserver-port <port>', 'kube-apiserver HTTPS port', '6443'))
    .addOption(nimbusOption('--ccm-port <port>', 'CCM /healthz and /metrics (-1 = off)', '10258'))
    .addOption(nimbusOption('--token <token>', 'fixed bearer token of the default project'))
    .addOption(nimbusOption('--admin-token <token>', 'fixed admin token'))
    .addOption(nimbusOption('--cluster-name <name>', 'the CCM --cluster-name', 'kubernetes'))
    .addOption(nimbusOption('--cluster-cidr <cidrs>', 'the CCM --cluster-cidr', '10.244.0.0/16'))
    .addOption(
      nimbusOption('--transition-ms <ms>', 'override every cloud transition (0 = immediate)'),
    )
    .addOption(
      nimbusOption(
        '--lb-bind <address>',
        'load balancers listen on this address (e.g. a LAN IP) instead of 127/8 loopback addresses',
      ),
    )
    .addOption(
      nimbusOption('--log-level <level>', 'CCM log level (the servers log warnings)', 'info'),
    )
    .action(async (options: Record<string, unknown>) => {
      const config = validateConfig(NimbusUpConfig, options);
      const nimbus = await startNimbusUp(config);
      process.stdout.write(upBanner(nimbus, config));
      let closing = false;
      const shutdown = (code: number) => {
        if (closing) {
          process.exit(130);
        }
        closing = true;
        nimbus.close().then(
          () => process.exit(code),
          (error: unknown) => {
            process.stderr.write(`nimbus: shutdown failed: ${String(error)}\n`);
            process.exit(1);
          },
        );
      };
      const onSignal = (signal: NodeJS.Signals) => {
        process.stderr.write(`\nnimbus: ${signal} received, shutting down\n`);
        shutdown(0);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      // The CCM losing its lease ends everything with 1, as upstream's CCM exits.
      void nimbus.ccm.exited.then((code) => {
        if (code !== 0 && !closing) {
          process.stderr.write('nimbus: the cloud-controller-manager lost its lease\n');
          shutdown(code);
        }
      });
    });
}

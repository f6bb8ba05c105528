import { Command } from 'commander';
import pino from 'pino';
import { KubeApiServerConfig, nimbusOption, validateConfig } from '@app/config';
import { closeOnSignals } from '../shutdown';

/** `nimbus apiserver`: the built-in Kubernetes API server on SQLite. */
export function apiserverCommand(): Command {
  return new Command('apiserver')
    .description('Run the built-in Kubernetes API server (kubectl and client-node compatible)')
    .addOption(nimbusOption('--port <port>', 'HTTPS port', '6443'))
    .addOption(nimbusOption('--host <host>', 'address to listen on', '127.0.0.1'))
    .addOption(
      nimbusOption(
        '--data-dir <dir>',
        'directory for kube.sqlite, certificates, tokens and kubeconfig',
        '.nimbus/kube',
      ),
    )
    .addOption(
      nimbusOption(
        '--token-file <file>',
        'token file (token,user,uid,"groups"); generated when absent',
      ),
    )
    .addOption(
      nimbusOption(
        '--authorization-mode <modes>',
        'authorizers in order: Node, RBAC, AlwaysAllow (system:masters may always do everything)',
        'Node,RBAC',
      ),
    )
    .addOption(
      nimbusOption(
        '--service-account-issuer <url>',
        'issuer (iss) of ServiceAccount tokens, also their default audience',
        'https://kubernetes.default.svc.cluster.local',
      ),
    )
    .addOption(nimbusOption('--service-cidr <cidr>', 'ClusterIP range', '10.96.0.0/12'))
    .addOption(
      nimbusOption(
        '--max-requests-inflight <n>',
        'reads served at once before answering 429 (0 = no limit)',
        '400',
      ),
    )
    .addOption(
      nimbusOption(
        '--max-mutating-requests-inflight <n>',
        'writes served at once before answering 429 (0 = no limit)',
        '200',
      ),
    )
    .addOption(
      nimbusOption(
        '--default-not-ready-toleration-seconds <s>',
        'not-ready:NoExecute toleration added to pods without one',
        '300',
      ),
    )
    .addOption(
      nimbusOption(
        '--default-unreachable-toleration-seconds <s>',
        'unreachable:NoExecute toleration added to pods without one',
        '300',
      ),
    )
    .addOption(
      nimbusOption(
        '--pod-grace-reaper [bool]',
        "finish deleted pods' graceful deletion itself (set false when simulated kubelets run)",
        'true',
      ),
    )
    .addOption(
      nimbusOption('--log-level <level>', 'trace|debug|info|warn|error|fatal|silent', 'info'),
    )
    .action(async (options: Record<string, unknown>) => {
      const config = validateConfig(KubeApiServerConfig, options);
      const logger = pino({ level: config.logLevel, name: 'kube-apiserver' });
      // Loaded when the command runs: `nimbus <other command>` need not load this app.
      const { startKubeApiServer } = await import('../../../kube-apiserver/src');
      const server = await startKubeApiServer(config, {
        log: (message, error) => logger.error({ err: error }, message),
      });
      logger.info(
        { url: server.url, kubeconfig: server.kubeconfigPath },
        'kube-apiserver listening',
      );
      process.stdout.write(
        `kube-apiserver listening on ${server.url}\nkubectl --kubeconfig ${server.kubeconfigPath} get nodes\n`,
      );
      closeOnSignals(() => server.close());
    });
}

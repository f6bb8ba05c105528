import { Command } from 'commander';
import { collectNames, NimbusUpConfig, nimbusOption, validateConfig } from '@app/config';
import { componentCloudToken } from '../up/ccm-cloud-token';
import type { RunningCloudApi } from '../../../cloud-api/src/start-cloud-api';
import { ensureDemoCluster, type DemoCluster } from '../up/demo-cluster';
import { startNimbusUp, type RunningNimbus } from '../up/start-nimbus-up';
import { componentLine, nodeLine, upBanner } from '../up/up-banner';
import { runUntilSignal } from '../shutdown';

/** How long `nimbus up` waits for the demo nodes before printing the banner anyway. */
const NODES_TIMEOUT_MS = 60_000;

/** `nimbus up`: the cloud and a whole simulated cluster on it, in one process. */
export function upCommand(): Command {
  return new Command('up')
    .description(
      'Run the cloud API and a Kubernetes cluster on it: api-server, scheduler, controller managers, simulated kubelets and kube-proxies',
    )
    .addOption(
      nimbusOption('--data-dir <dir>', 'state of everything (sqlite files, kubeconfig)', '.nimbus'),
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
    .addOption(
      nimbusOption(
        '--ccm-feature-gates <gates>',
        "the CCM's --feature-gates (e.g. LoadBalancerStatusImprovements=true)",
        '',
      ),
    )
    .addOption(
      nimbusOption(
        '--controller-manager-port <port>',
        'kube-controller-manager /healthz and /metrics (-1 = off)',
        '10257',
      ),
    )
    .addOption(
      nimbusOption(
        '--scheduler-port <port>',
        'kube-scheduler /healthz and /metrics (0 = any free port, -1 = off)',
        '10259',
      ),
    )
    .addOption(
      nimbusOption(
        '--proxy-healthz-port <port>',
        'kube-proxy /healthz on every node address (0 = one free port)',
        '10256',
      ),
    )
    .addOption(
      nimbusOption(
        '--proxy-metrics-port <port>',
        'kube-proxy /metrics (0 = any free port, -1 = off)',
        '10249',
      ),
    )
    .addOption(nimbusOption('--workers <n>', 'worker instances created on the first start', '3'))
    .addOption(nimbusOption('--worker-type <type>', 'their instance type', 'nb.large'))
    .addOption(nimbusOption('--fresh [bool]', 'delete the previous state and start over', 'false'))
    .addOption(nimbusOption('--token <token>', 'fixed bearer token of the default project'))
    .addOption(nimbusOption('--admin-token <token>', 'fixed admin token'))
    .addOption(
      nimbusOption('--cluster-name <name>', 'the cluster (instance label, CCM)', 'kubernetes'),
    )
    .addOption(
      nimbusOption('--cluster-cidr <cidrs>', 'pod CIDR range (node-ipam, routes)', '10.244.0.0/16'),
    )
    .addOption(
      nimbusOption('--transition-ms <ms>', 'override every cloud transition (0 = immediate)'),
    )
    .addOption(
      nimbusOption(
        '--lb-ipv4-pool <cidr>',
        'public IPv4 pool of load balancers (/16 to /30; another pool per stack on one machine)',
        '203.0.113.0/24',
      ),
    )
    .addOption(
      nimbusOption(
        '--lb-bind <address>',
        'load balancers listen on this address (e.g. a LAN IP) instead of 127/8 loopback addresses',
      ),
    )
    .addOption(
      nimbusOption(
        '--data-plane-thread [bool]',
        'load balancers and kube-proxies forward in a worker thread (false: on the main event loop)',
        'true',
      ),
    )
    .addOption(
      nimbusOption(
        '--log-level <level>',
        "the components' log level (the servers log warnings)",
        'warn',
      ),
    )
    .action(async (options: Record<string, unknown>) => {
      const config = validateConfig(NimbusUpConfig, options);
      const out = (text: string) => process.stdout.write(text);
      out(`Starting Nimbus in ${config.dataDir}\n`);
      // The demo workers are created as soon as the cloud answers, so their instances boot
      // (`pending`, 1.5 s) while the rest of the cluster starts.
      let demo: Promise<DemoCluster> | undefined;
      const nimbus = await startNimbusUp(config, (component, running) => {
        out(componentLine(component, running));
        if (component === 'cloud API') {
          demo = createDemoWorkers(running.cloud!, config);
          demo.catch(() => undefined); // awaited below; a failed start must not leave it unhandled
        }
      });
      await waitForDemoNodes(nimbus, config, await demo!, out);
      out(upBanner(nimbus, config));
      keepRunning(nimbus);
    });
}

function createDemoWorkers(cloud: RunningCloudApi, config: NimbusUpConfig): Promise<DemoCluster> {
  const token =
    cloud.generatedTokens.token ??
    config.token ??
    componentCloudToken(cloud, config.dataDir, 'nimbus-up', 'nimbus-up-token');
  return ensureDemoCluster({
    dataDir: config.dataDir,
    cloudUrl: cloud.url,
    cloudCaFile: cloud.tls?.caFile,
    token,
    clusterName: config.clusterName,
    workers: config.workers,
    instanceType: config.workerType,
  });
}

async function waitForDemoNodes(
  nimbus: RunningNimbus,
  config: NimbusUpConfig,
  demo: DemoCluster,
  out: (text: string) => void,
): Promise<void> {
  if (demo.created.length > 0) {
    out(
      `  … created ${demo.created.map((i) => `${i.name} (${i.zone})`).join(', ')}: ${config.workerType}, labelled nimbus.dev/cluster=${config.clusterName}\n`,
    );
  }
  // Loaded here, not at the top: it brings in the Kubernetes client (see UP_STEPS).
  const { waitForNodes } = await import('../up/wait-for-nodes');
  const late = await waitForNodes(
    nimbus.kubeconfigPath,
    demo.nodes,
    (n) => out(nodeLine(n)),
    NODES_TIMEOUT_MS,
  );
  if (late.length > 0) {
    out(`  ! not Ready yet: ${late.join(', ')} (kubectl get nodes shows their state)\n`);
  }
}

function keepRunning(nimbus: RunningNimbus): void {
  // A control-plane component losing its lease ends everything with 1, as upstream's exits.
  const lost = new Promise<number>((resolve) => {
    for (const [name, component] of [
      ['kube-scheduler', nimbus.scheduler],
      ['cloud-controller-manager', nimbus.ccm],
      ['kube-controller-manager', nimbus.controllerManager],
    ] as const) {
      void component.exited.then((code) => {
        if (code !== 0) {
          process.stderr.write(`nimbus: the ${name} lost its lease\n`);
          resolve(code);
        }
      });
    }
  });
  void runUntilSignal({ close: () => nimbus.close(), exited: lost });
}
